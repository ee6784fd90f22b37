"""Client self sign-up per project: a switch and optional allowed email domains on the intake settings.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 05:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("project_intake", schema=None) as batch_op:
        batch_op.add_column(sa.Column("self_signup", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(
            sa.Column(
                "signup_domains",
                sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                nullable=False,
                server_default="[]",
            )
        )
    with op.batch_alter_table("project_intake", schema=None) as batch_op:
        batch_op.alter_column("self_signup", server_default=None)
        batch_op.alter_column("signup_domains", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("project_intake", schema=None) as batch_op:
        batch_op.drop_column("signup_domains")
        batch_op.drop_column("self_signup")
