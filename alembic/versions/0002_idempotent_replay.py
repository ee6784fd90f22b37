"""Idempotent intake: keep the first answer's body for replays, index key expiry, and let an API
filing take its ticket number last (NULL only inside its own transaction).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 07:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idempotency_response", sa.Text(), nullable=True))
        batch_op.create_index("ix_tickets_idempotency_expires_at", ["idempotency_expires_at"], unique=False)
        batch_op.alter_column("number", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.alter_column("number", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_index("ix_tickets_idempotency_expires_at")
        batch_op.drop_column("idempotency_response")
