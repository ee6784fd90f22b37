"""Inbound mail: a project's mailboxes, the messages they received, and addresses that bounce.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mailboxes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("imap_host", sa.String(length=255), nullable=False),
        sa.Column("imap_port", sa.Integer(), nullable=False),
        sa.Column("imap_tls", sa.Boolean(), nullable=False),
        sa.Column("imap_username", sa.String(length=255), nullable=False),
        sa.Column("imap_password", sa.String(length=255), nullable=False),
        sa.Column("imap_folder", sa.String(length=255), nullable=False),
        sa.Column("imap_move_to", sa.String(length=255), nullable=False),
        sa.Column("imap_uidvalidity", sa.Integer(), nullable=True),
        sa.Column("imap_last_uid", sa.Integer(), nullable=False),
        sa.Column("last_poll_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_mailboxes_project_id_projects"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["type_id"], ["ticket_types.id"], name=op.f("fk_mailboxes_type_id_ticket_types")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mailboxes")),
        sa.UniqueConstraint("address", name=op.f("uq_mailboxes_address")),
        sa.UniqueConstraint("key", name=op.f("uq_mailboxes_key")),
    )
    op.create_index(op.f("ix_mailboxes_project_id"), "mailboxes", ["project_id"], unique=False)
    op.create_table(
        "inbound_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mailbox_id", sa.Integer(), nullable=False),
        sa.Column("message_key", sa.String(length=255), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("from_address", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["mailbox_id"], ["mailboxes.id"], name=op.f("fk_inbound_messages_mailbox_id_mailboxes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_inbound_messages_ticket_id_tickets"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_inbound_messages_comment_id_comments"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_messages")),
        sa.UniqueConstraint("mailbox_id", "message_key", name=op.f("uq_inbound_messages_mailbox_id_message_key")),
    )
    op.create_index(
        "ix_inbound_messages_mailbox_received", "inbound_messages", ["mailbox_id", "received_at"], unique=False
    )
    op.create_index(op.f("ix_inbound_messages_message_id"), "inbound_messages", ["message_id"], unique=False)
    op.create_index(op.f("ix_inbound_messages_ticket_id"), "inbound_messages", ["ticket_id"], unique=False)
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("mail_bounced_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("mail_bounced_at")
    op.drop_index(op.f("ix_inbound_messages_ticket_id"), table_name="inbound_messages")
    op.drop_index(op.f("ix_inbound_messages_message_id"), table_name="inbound_messages")
    op.drop_index("ix_inbound_messages_mailbox_received", table_name="inbound_messages")
    op.drop_table("inbound_messages")
    op.drop_index(op.f("ix_mailboxes_project_id"), table_name="mailboxes")
    op.drop_table("mailboxes")
