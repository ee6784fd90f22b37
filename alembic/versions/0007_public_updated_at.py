"""Clients see when a ticket last changed for them: tickets.public_updated_at.

Internal notes (and their files, and the board's order) move only `updated_at`; the client's list
sorts and shows `public_updated_at`, so the index that served the client's list by `updated_at`
now serves it by the public time. Existing tickets start with their `updated_at`.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 15:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_updated_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE tickets SET public_updated_at = updated_at")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.alter_column("public_updated_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.drop_index("ix_tickets_reporter_updated")
        batch_op.create_index(
            "ix_tickets_reporter_public_updated", ["reporter_id", "public_updated_at", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_reporter_public_updated")
        batch_op.create_index("ix_tickets_reporter_updated", ["reporter_id", "updated_at", "id"], unique=False)
        batch_op.drop_column("public_updated_at")
