"""The requester's side of intake: per-project acknowledgement mail, per-user limits and who sets
priority; a ticket's description edited as rich text.

Revision ID: 0015
Revises: 0011
Create Date: 2026-12-03 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0011"
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
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        # The default stays: dropping it would make SQLite copy the whole tickets table.
        batch_op.add_column(sa.Column("description_html", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("description_html")
    op.drop_table("project_intake")
