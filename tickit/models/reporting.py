"""What reports read: an append-only log of the facts a ticket's life produces, and the nightly backlog."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from tickit.models.base import UTCDateTime

# What the dashboard's queries read beside the project, kind and day (the id: which of two ratings is the later).
REPORTED = (
    "week",
    "assignee_id",
    "business_seconds",
    "rating",
    "ticket_id",
    "cycle",
    "type_id",
    "priority",
    "source",
    "id",
)


class ReportingEvent(SQLModel, table=True):
    """One fact for reports (created, first response, resolved, reopened, closed, SLA met or breached, rated).

    Written only by `services.reporting`, in the transaction of the change it records; never
    updated. The ticket's type, priority and assignee are copied as they were at the time, and the
    day and week are the project's reporting time zone's, so reports group and filter on columns.
    """

    __tablename__ = "reporting_events"
    __table_args__ = (
        # Every report reads one kind over a range of days, for one project or for all. On
        # PostgreSQL the indexes carry the columns reports group and measure by, so a report reads
        # them alone (an index-only scan) and never the table.
        Index("ix_reporting_events_project_kind_day", "project_id", "kind", "day", postgresql_include=REPORTED),
        Index("ix_reporting_events_kind_day", "kind", "day", postgresql_include=("project_id", *REPORTED)),
        Index("ix_reporting_events_ticket_kind", "ticket_id", "kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", ondelete="CASCADE")
    project_id: int = Field(foreign_key="projects.id", ondelete="CASCADE")
    kind: str = Field(max_length=16)
    at: datetime = Field(sa_type=UTCDateTime)
    day: date  # `at` as a date in the project's reporting time zone
    week: date  # the Monday of `day`'s week
    cycle: int = Field(default=0)  # the ticket's resolution cycle (a reopen starts the next)
    type_id: int = Field(foreign_key="ticket_types.id", ondelete="CASCADE")
    priority: str = Field(max_length=16)
    source: str = Field(max_length=16)
    assignee_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    target: str = Field(default="", max_length=16)  # sla_met / sla_breached: first_response | resolution
    rating: str = Field(default="", max_length=8)  # rated: good | bad
    # first_response, resolved and SLA outcomes: how long it took, on the SLA calendar and on the wall clock.
    business_seconds: int | None = Field(default=None)
    calendar_seconds: int | None = Field(default=None)


class BacklogSnapshot(SQLModel, table=True):
    """How many tickets were open at the end of a day, per project, status category and assignee."""

    __tablename__ = "backlog_snapshots"
    __table_args__ = (
        UniqueConstraint("project_id", "day", "category", "assignee_key"),
        Index("ix_backlog_snapshots_day", "day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="projects.id", ondelete="CASCADE")
    day: date
    category: str = Field(max_length=16)
    assignee_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    # The assignee's id, 0 for nobody: a unique key cannot hold NULL as one value on every backend.
    assignee_key: int = Field(default=0)
    open_count: int


class ReportingDayCount(SQLModel, table=True):
    """How many events of a kind a project's complete day holds, by the dimensions the dashboard counts by.

    A rollup of `reporting_events`, written only by `reporting_history.roll_up` for the days up to
    the project's `ReportingRollupMark`: `created` by type, priority and source; `resolved` by
    the assignee at the time; `sla_met` / `sla_breached` alone. The dashboard reads these rows
    for the days the mark covers and the events themselves for the rest, so both add up to the
    same figures as the events alone.
    """

    __tablename__ = "reporting_day_counts"
    __table_args__ = (
        Index(
            "ix_reporting_day_counts_project_kind_day",
            "project_id",
            "kind",
            "day",
            postgresql_include=("week", "type_id", "priority", "source", "assignee_id", "events"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="projects.id", ondelete="CASCADE")
    day: date
    week: date
    kind: str = Field(max_length=16)
    type_id: int | None = Field(default=None, foreign_key="ticket_types.id", ondelete="CASCADE")
    priority: str = Field(default="", max_length=16)
    source: str = Field(default="", max_length=16)
    assignee_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    events: int


class ReportingRollupMark(SQLModel, table=True):
    """The last day of a project whose events `reporting_day_counts` holds (every day up to it, none after).

    Moved forward by the rollup; moved back, in the writer's transaction, by any event written
    for a day it already covers (an SLA breach recorded as of its due time, a backfill), so the
    rollup never holds a day that has changed since.
    """

    __tablename__ = "reporting_rollup_marks"

    project_id: int = Field(primary_key=True, foreign_key="projects.id", ondelete="CASCADE")
    rolled_through: date
