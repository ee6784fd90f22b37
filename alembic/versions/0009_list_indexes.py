"""Ticket list at scale: indexes for the priority and number sorts and "assigned to me", and stored words.

The priority order is `tickit.services.ticket_list.PRIORITY_RANK_SQL`; its indexes are expression
indexes on PostgreSQL only (SQLite lists from a small table and sorts without them). The
(assignee, updated, id) index replaces the one on assignee alone, which it covers.

On PostgreSQL, tickets and comments keep their words in a generated `search_document` column,
and the full-text GIN indexes of 0003 move onto it: a search then reads each candidate's words
instead of parsing its text again, which for a common word meant a parse per match. Adding a
stored column rewrites both tables (some seconds per 100,000 rows, writes locked meanwhile).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 16:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out here, as a migration must not change when the code does; equal to PRIORITY_RANK_SQL.
_RANK = "(CASE priority WHEN 'low' THEN 0 WHEN 'normal' THEN 1 WHEN 'high' THEN 2 WHEN 'urgent' THEN 3 ELSE -1 END)"


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_assignee_id")
        batch_op.create_index("ix_tickets_assignee_updated", ["assignee_id", "updated_at", "id"], unique=False)
        batch_op.create_index("ix_tickets_number", ["number", "id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SET LOCAL maintenance_work_mem = '256MB'")
        op.execute(f"CREATE INDEX ix_tickets_priority ON tickets ({_RANK}, id)")
        op.execute(f"CREATE INDEX ix_tickets_project_priority ON tickets (project_id, {_RANK}, id)")
        op.execute("DROP INDEX ix_tickets_search")
        op.execute("DROP INDEX ix_comments_search")
        op.execute(
            "ALTER TABLE tickets ADD COLUMN search_document tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple', title || ' ' || description)) STORED"
        )
        op.execute(
            "ALTER TABLE comments ADD COLUMN search_document tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple', body_text)) STORED"
        )
        op.execute("CREATE INDEX ix_tickets_search ON tickets USING gin (search_document)")
        op.execute("CREATE INDEX ix_comments_search ON comments USING gin (search_document)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_comments_search")
        op.execute("DROP INDEX ix_tickets_search")
        op.execute("ALTER TABLE comments DROP COLUMN search_document")
        op.execute("ALTER TABLE tickets DROP COLUMN search_document")
        op.execute(
            "CREATE INDEX ix_tickets_search ON tickets USING gin (to_tsvector('simple', title || ' ' || description))"
        )
        op.execute("CREATE INDEX ix_comments_search ON comments USING gin (to_tsvector('simple', body_text))")
        op.execute("DROP INDEX ix_tickets_project_priority")
        op.execute("DROP INDEX ix_tickets_priority")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_number")
        batch_op.drop_index("ix_tickets_assignee_updated")
        batch_op.create_index("ix_tickets_assignee_id", ["assignee_id"], unique=False)
