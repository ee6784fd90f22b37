"""Agent tools: canned replies and macros, links between tickets, and the merged ticket's pointer.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "canned_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("set_status", sa.String(length=40), nullable=True),
        sa.Column("set_priority", sa.String(length=16), nullable=True),
        sa.Column("set_assignee_id", sa.Integer(), nullable=True),
        sa.Column("internal_note_html", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_canned_replies_owner_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_canned_replies_project_id_projects"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["set_assignee_id"],
            ["users.id"],
            name=op.f("fk_canned_replies_set_assignee_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canned_replies")),
    )
    op.create_index("ix_canned_replies_project_owner", "canned_replies", ["project_id", "owner_id"], unique=False)
    op.create_table(
        "ticket_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("source_id <> target_id", name=op.f("ck_ticket_links_not_self")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_ticket_links_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["tickets.id"], name=op.f("fk_ticket_links_source_id_tickets"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["target_id"], ["tickets.id"], name=op.f("fk_ticket_links_target_id_tickets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_links")),
        sa.UniqueConstraint("source_id", "target_id", name=op.f("uq_ticket_links_source_id_target_id")),
    )
    op.create_index("ix_ticket_links_target", "ticket_links", ["target_id"], unique=False)
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_tickets_merged_into_id_tickets"), "tickets", ["merged_into_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_tickets_merged_into_id_tickets"), type_="foreignkey")
        batch_op.drop_column("merged_into_id")
    op.drop_index("ix_ticket_links_target", table_name="ticket_links")
    op.drop_table("ticket_links")
    op.drop_index("ix_canned_replies_project_owner", table_name="canned_replies")
    op.drop_table("canned_replies")
