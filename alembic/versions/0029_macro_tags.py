"""Macros add and remove tags: canned_replies.tag_changes ({"add": [...], "remove": [...]}).

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-04 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    # The default fills the existing rows; the model sets the value itself, as for every JSON column.
    with op.batch_alter_table("canned_replies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tag_changes", _JSON, nullable=False, server_default="{}"))
    with op.batch_alter_table("canned_replies", schema=None) as batch_op:
        batch_op.alter_column("tag_changes", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("canned_replies", schema=None) as batch_op:
        batch_op.drop_column("tag_changes")
