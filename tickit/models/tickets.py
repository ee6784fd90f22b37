"""Tickets and everything that hangs off one: comments, attachments, the activity log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from tickit.models.base import JSONType, UTCDateTime, utcnow


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Source(StrEnum):
    WEB = "web"
    API = "api"
    EMAIL = "email"


class Ticket(SQLModel, table=True):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("project_id", "number"),
        # Settles two retries of one API request racing: exactly one insert wins.
        UniqueConstraint("api_client_id", "idempotency_key"),
        Index("ix_tickets_board", "type_id", "status_id", "board_rank"),
        # On PostgreSQL it carries the assignee: the analytics agent table counts a range's tickets per
        # assignee from the index alone.
        Index("ix_tickets_project_created", "project_id", "created_at", "id", postgresql_include=("assignee_id",)),
        # Keyset pages of the ticket list: (sort value, id) for admins, per project for agents,
        # per reporter for clients. The full-text GIN indexes exist on PostgreSQL only (migration
        # 0003) and are left out of the models, see tickit/migrations.py.
        Index("ix_tickets_updated", "updated_at", "id"),
        Index("ix_tickets_created", "created_at", "id"),
        Index("ix_tickets_project_updated", "project_id", "updated_at", "id"),
        # Clients list their own tickets by the time they last saw change (`public_updated_at`).
        Index("ix_tickets_reporter_public_updated", "reporter_id", "public_updated_at", "id"),
        # Sorting by number, and an agent's own tickets ("assigned to me") newest first. The
        # priority order's expression indexes are PostgreSQL-only (migration 0009).
        Index("ix_tickets_number", "number", "id"),
        Index("ix_tickets_assignee_updated", "assignee_id", "updated_at", "id"),
        # Status and priority filters together (a status implies its project): a search under
        # them intersects this with the word's GIN entries instead of reading the whole project.
        Index("ix_tickets_status_priority", "status_id", "priority"),
        # Open tickets per assignee, breached and due soon (the analytics dashboard's "now" figures),
        # read from the index alone on PostgreSQL.
        Index(
            "ix_tickets_status_assignee",
            "status_id",
            "assignee_id",
            postgresql_include=("project_id", "sla_next_due_at"),
        ),
        # The retention task looks for keys past their time; most tickets have none.
        Index("ix_tickets_idempotency_expires_at", "idempotency_expires_at"),
        # The SLA sweep reads only tickets with a warning or due time pending, earliest first.
        Index(
            "ix_tickets_sla_next_check_at",
            "sla_next_check_at",
            postgresql_where=text("sla_next_check_at IS NOT NULL"),
            sqlite_where=text("sla_next_check_at IS NOT NULL"),
        ),
        # "Due within the next hour" and the sort by next due.
        Index("ix_tickets_sla_next_due", "sla_next_due_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="projects.id", ondelete="CASCADE")
    type_id: int = Field(foreign_key="ticket_types.id")
    status_id: int = Field(foreign_key="ticket_statuses.id")
    # The project's next number (`project_setup.allocate_ticket_number`), written with the row.
    number: int
    title: str = Field(max_length=300)
    description: str = Field(default="")  # plain text: what search, lists and the API read
    # Sanitised HTML once the description was edited in the rich-text editor; "" while it is plain text.
    description_html: str = Field(default="", sa_type=Text)
    priority: str = Field(default=Priority.NORMAL, max_length=16)
    reporter_id: int | None = Field(default=None, foreign_key="users.id", index=True, ondelete="SET NULL")
    assignee_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    source: str = Field(default=Source.WEB, max_length=16)
    api_client_id: int | None = Field(default=None, foreign_key="api_clients.id", ondelete="SET NULL")
    idempotency_key: str | None = Field(default=None, max_length=255)
    request_fingerprint: str | None = Field(default=None, max_length=64)
    idempotency_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The exact body of the first answer, so a replay is byte-identical even after the ticket changed.
    idempotency_response: str | None = Field(default=None, sa_type=Text)
    fields: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    metadata_: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType, sa_column_kwargs={"name": "metadata"})
    first_response_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolution_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The SLA clock (services/sla.py), recomputed from the activity history on every change that
    # moves it. Warn times are None once the target is met or its warning fired with no change since.
    sla_policy_id: int | None = Field(default=None, foreign_key="sla_policies.id", ondelete="SET NULL")
    sla_cycle: int = Field(default=0)  # resolution cycles: a reopen starts the next
    first_response_warn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolution_warn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sla_paused_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # While paused: business seconds left on the resolution target (negative once overdue).
    sla_remaining_seconds: int | None = Field(default=None)
    # The earliest due time of a target not yet met, for the list's filters and sort.
    sla_next_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The earliest warning or due time that has not fired: what the sweep selects on.
    sla_next_check_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    first_responded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The closed ticket a requester's late reply followed up (services/lifecycle.py).
    follow_up_of_id: int | None = Field(default=None, foreign_key="tickets.id", ondelete="SET NULL")
    # The ticket this one was merged into (services/merges.py): its number forwards there.
    merged_into_id: int | None = Field(default=None, foreign_key="tickets.id", ondelete="SET NULL")
    board_rank: float = Field(default=0.0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The last change a client can see: internal notes (and their files) move only `updated_at`,
    # so a client's "Updated" never tells that staff wrote about the ticket.
    public_updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Comment(SQLModel, table=True):
    __tablename__ = "comments"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True, ondelete="CASCADE")
    parent_id: int | None = Field(default=None, foreign_key="comments.id", ondelete="CASCADE")
    author_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    body_html: str = Field(default="")  # sanitised before it is stored
    body_text: str = Field(default="")
    is_internal: bool = Field(default=False)
    mentions: list[int] = Field(default_factory=list, sa_type=JSONType)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    edited_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Attachment(SQLModel, table=True):
    __tablename__ = "attachments"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True, ondelete="CASCADE")
    comment_id: int | None = Field(default=None, foreign_key="comments.id", ondelete="SET NULL")
    uploaded_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    original_name: str = Field(max_length=255)
    content_type: str = Field(max_length=255)
    size: int
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=100, unique=True)  # generated file name under the data dir
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ActivityEntry(SQLModel, table=True):
    __tablename__ = "activity_entries"
    __table_args__ = (Index("ix_activity_entries_ticket_created", "ticket_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", ondelete="CASCADE")
    actor_user_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    actor_api_client_id: int | None = Field(default=None, foreign_key="api_clients.id", ondelete="SET NULL")
    action: str = Field(max_length=40)
    before: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    after: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SatisfactionRating(SQLModel, table=True):
    """The survey of one resolution of a ticket: its link's token, and the requester's answer once given."""

    __tablename__ = "satisfaction_ratings"
    # One survey per resolution cycle: a cycle is known by the moment the ticket was resolved.
    __table_args__ = (UniqueConstraint("ticket_id", "resolved_at"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True, ondelete="CASCADE")
    resolved_at: datetime = Field(sa_type=UTCDateTime)
    token_hash: str = Field(max_length=64, unique=True)  # sha256 hex; the token is only in the mail
    expires_at: datetime = Field(sa_type=UTCDateTime)
    rating: str | None = Field(default=None, max_length=8)  # "good" or "bad"
    comment: str = Field(default="", max_length=2000)
    rated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
