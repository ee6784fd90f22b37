"""Analytics rollups: daily event counts per project and the mark of the days they cover; covering indexes.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-04 09:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reporting_day_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=True),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_reporting_day_counts_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["type_id"],
            ["ticket_types.id"],
            name=op.f("fk_reporting_day_counts_type_id_ticket_types"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name=op.f("fk_reporting_day_counts_assignee_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reporting_day_counts")),
    )
    op.create_index(
        "ix_reporting_day_counts_project_kind_day",
        "reporting_day_counts",
        ["project_id", "kind", "day"],
        postgresql_include=["week", "type_id", "priority", "source", "assignee_id", "events"],
    )
    op.create_table(
        "reporting_rollup_marks",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("rolled_through", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_reporting_rollup_marks_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_reporting_rollup_marks")),
    )
    op.create_index(
        "ix_tickets_status_assignee",
        "tickets",
        ["status_id", "assignee_id"],
        postgresql_include=["project_id", "sla_next_due_at"],
    )
    # The events' covering indexes also carry the id (the latest rating per survey is an index-only
    # anti-join); the included columns exist on PostgreSQL only.
    if op.get_bind().dialect.name == "postgresql":
        _covering_indexes([*REPORTED, "id"])
        op.drop_index("ix_tickets_project_created", table_name="tickets")
        op.create_index(
            "ix_tickets_project_created",
            "tickets",
            ["project_id", "created_at", "id"],
            postgresql_include=["assignee_id"],
        )


REPORTED = ["week", "assignee_id", "business_seconds", "rating", "ticket_id", "cycle", "type_id", "priority", "source"]


def _covering_indexes(included: list[str]) -> None:
    op.drop_index("ix_reporting_events_project_kind_day", table_name="reporting_events")
    op.drop_index("ix_reporting_events_kind_day", table_name="reporting_events")
    op.create_index(
        "ix_reporting_events_project_kind_day",
        "reporting_events",
        ["project_id", "kind", "day"],
        postgresql_include=included,
    )
    op.create_index(
        "ix_reporting_events_kind_day",
        "reporting_events",
        ["kind", "day"],
        postgresql_include=["project_id", *included],
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _covering_indexes(REPORTED)
        op.drop_index("ix_tickets_project_created", table_name="tickets")
        op.create_index("ix_tickets_project_created", "tickets", ["project_id", "created_at", "id"])
    op.drop_index("ix_tickets_status_assignee", table_name="tickets")
    op.drop_table("reporting_rollup_marks")
    op.drop_index("ix_reporting_day_counts_project_kind_day", table_name="reporting_day_counts")
    op.drop_table("reporting_day_counts")
