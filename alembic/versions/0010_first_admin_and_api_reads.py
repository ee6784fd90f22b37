"""A generated password that must be replaced and expires; API clients that may read all tickets.

users.password_change_required / password_expires_at hold the first admin's printed password to
its one use (choosing the real one) and to 24 hours. api_clients.may_read_all lets an admin widen a
client's reading from the tickets it filed to every ticket of its project.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 15:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("password_change_required", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("password_expires_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("api_clients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("may_read_all", sa.Boolean(), nullable=False, server_default=sa.false()))
    # The defaults only filled the existing rows; the models give every new row its value.
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("password_change_required", server_default=None)
    with op.batch_alter_table("api_clients", schema=None) as batch_op:
        batch_op.alter_column("may_read_all", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("api_clients", schema=None) as batch_op:
        batch_op.drop_column("may_read_all")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("password_expires_at")
        batch_op.drop_column("password_change_required")
