"""Service levels: a project's business-hours calendars, its ordered policies, whom a breach
escalates to, and the ledger that makes each warning and breach fire exactly once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from tickit.models.base import JSONType, UTCDateTime, utcnow


class SlaCalendar(SQLModel, table=True):
    __tablename__ = "sla_calendars"
    __table_args__ = (UniqueConstraint("project_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="projects.id", ondelete="CASCADE")
    key: str = Field(max_length=40)
    timezone: str = Field(max_length=64)
    # {"mon": "09:00-17:00", "wed": "09:00-12:00,13:00-17:00"}: a day left out is closed.
    week: dict[str, str] = Field(default_factory=dict, sa_type=JSONType)
    holidays: list[str] = Field(default_factory=list, sa_type=JSONType)  # ISO dates
    country: str | None = Field(default=None, max_length=2)
    subdivision: str | None = Field(default=None, max_length=10)


class SlaPolicy(SQLModel, table=True):
    __tablename__ = "sla_policies"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="projects.id", index=True, ondelete="CASCADE")
    position: int = Field(default=0)  # the first matching policy (lowest position) applies
    name: str = Field(max_length=100)
    # None: round the clock. A calendar a policy uses cannot be deleted from under it.
    calendar_id: int | None = Field(default=None, foreign_key="sla_calendars.id")
    type_keys: list[str] = Field(default_factory=list, sa_type=JSONType)  # empty: every type
    priorities: list[str] = Field(default_factory=list, sa_type=JSONType)  # empty: every priority
    # {"urgent": {"first_response": 60, "resolution": 480}}: business minutes per priority.
    targets: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    warn_percent: int = Field(default=80)
    raise_priority: bool = Field(default=False)  # on a breach, one step up
    # On a breach: "" leaves the assignee, "queue" unassigns (for auto-assignment), "agent" hands it
    # to `reassign_to_id`.
    reassign: str = Field(default="", max_length=8)
    reassign_to_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")


class SlaEscalationContact(SQLModel, table=True):
    """Who, besides the assignee, hears of every breach in a project."""

    __tablename__ = "sla_escalation_contacts"

    project_id: int = Field(foreign_key="projects.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")


class SlaEvent(SQLModel, table=True):
    """A warning or breach that fired; the unique key is what makes it fire once, whoever races."""

    __tablename__ = "sla_events"
    __table_args__ = (UniqueConstraint("ticket_id", "cycle", "target", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", ondelete="CASCADE")
    cycle: int  # the ticket's resolution cycle (a reopen starts the next); first response is cycle 0
    target: str = Field(max_length=16)  # first_response | resolution
    kind: str = Field(max_length=8)  # warning | breach
    fired_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
