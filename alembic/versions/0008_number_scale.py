"""A number field may fix its decimal places, so an amount of 89.90 reads 89.90, not 89.9.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ticket_type_fields", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decimal_places", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ticket_type_fields", schema=None) as batch_op:
        batch_op.drop_column("decimal_places")
