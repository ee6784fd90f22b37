"""Project exports: archives an admin asked for in the browser, with their progress and file.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 05:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "project_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("tickets_done", sa.Integer(), nullable=False),
        sa.Column("tickets_total", sa.Integer(), nullable=False),
        sa.Column("file_key", sa.String(length=64), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.String(length=400), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_exports_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_project_exports_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_exports")),
    )
    with op.batch_alter_table("project_exports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_exports_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_project_exports_project_id"), ["project_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("project_exports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_exports_project_id"))
        batch_op.drop_index(batch_op.f("ix_project_exports_expires_at"))
    op.drop_table("project_exports")
