"""Analytics: the append-only reporting events and the nightly backlog snapshots.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reporting_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("rating", sa.String(length=8), nullable=False),
        sa.Column("business_seconds", sa.Integer(), nullable=True),
        sa.Column("calendar_seconds", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_reporting_events_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_reporting_events_project_id_projects"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["type_id"], ["ticket_types.id"], name=op.f("fk_reporting_events_type_id_ticket_types"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name=op.f("fk_reporting_events_assignee_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reporting_events")),
    )
    # Index-only scans for the dashboard on PostgreSQL (SQLite ignores the included columns).
    reported = [
        "week",
        "assignee_id",
        "business_seconds",
        "rating",
        "ticket_id",
        "cycle",
        "type_id",
        "priority",
        "source",
    ]
    op.create_index(
        "ix_reporting_events_project_kind_day",
        "reporting_events",
        ["project_id", "kind", "day"],
        postgresql_include=reported,
    )
    op.create_index(
        "ix_reporting_events_kind_day",
        "reporting_events",
        ["kind", "day"],
        postgresql_include=["project_id", *reported],
    )
    op.create_index("ix_reporting_events_ticket_kind", "reporting_events", ["ticket_id", "kind"])
    op.create_table(
        "backlog_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("assignee_key", sa.Integer(), nullable=False),
        sa.Column("open_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_backlog_snapshots_project_id_projects"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name=op.f("fk_backlog_snapshots_assignee_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backlog_snapshots")),
        sa.UniqueConstraint(
            "project_id",
            "day",
            "category",
            "assignee_key",
            name=op.f("uq_backlog_snapshots_project_id_day_category_assignee_key"),
        ),
    )
    op.create_index("ix_backlog_snapshots_day", "backlog_snapshots", ["day"])


def downgrade() -> None:
    op.drop_index("ix_backlog_snapshots_day", table_name="backlog_snapshots")
    op.drop_table("backlog_snapshots")
    op.drop_index("ix_reporting_events_ticket_kind", table_name="reporting_events")
    op.drop_index("ix_reporting_events_kind_day", table_name="reporting_events")
    op.drop_index("ix_reporting_events_project_kind_day", table_name="reporting_events")
    op.drop_table("reporting_events")
