"""Mailboxes can be disabled: not polled, and their pipe and HTTP endpoint answer "try later".

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-04 09:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mailboxes") as batch:
        batch.add_column(sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()))
    # The default only fills the rows already there; new rows get theirs from the model.
    with op.batch_alter_table("mailboxes") as batch:
        batch.alter_column("enabled", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("mailboxes") as batch:
        batch.drop_column("enabled")
