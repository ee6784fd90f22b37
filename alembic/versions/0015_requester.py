"""The requester's side of intake: per-project acknowledgement mail, per-user limits and who sets
priority; a ticket's description edited as rich text.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "project_intake",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("acknowledge", sa.Boolean(), nullable=False),
        sa.Column("tickets_per_hour", sa.Integer(), nullable=False),
        sa.Column("comments_per_window", sa.Integer(), nullable=False),
        sa.Column("clients_set_priority", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_project_intake_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_project_intake")),
    )
    op.create_table(
        "api_comment_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("api_client_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("request_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("ticket_number", sa.String(length=24), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_client_id"],
            ["api_clients.id"],
            name=op.f("fk_api_comment_requests_api_client_id_api_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_api_comment_requests_comment_id_comments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_comment_requests")),
        sa.UniqueConstraint(
            "api_client_id", "idempotency_key", name=op.f("uq_api_comment_requests_api_client_id_idempotency_key")
        ),
    )
    op.create_index(op.f("ix_api_comment_requests_expires_at"), "api_comment_requests", ["expires_at"], unique=False)
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        # The default stays: dropping it would make SQLite copy the whole tickets table.
        batch_op.add_column(sa.Column("description_html", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    op.drop_index(op.f("ix_api_comment_requests_expires_at"), table_name="api_comment_requests")
    op.drop_table("api_comment_requests")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("description_html")
    op.drop_table("project_intake")
