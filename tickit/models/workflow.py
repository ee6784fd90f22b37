"""Ticket types and their workflow: statuses, transitions and custom fields, all as rows."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from tickit.models.base import JSONType


class StatusCategory(StrEnum):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class FieldType(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    DATE = "date"
    SELECT = "select"
    MULTI_SELECT = "multi_select"
    CHECKBOX = "checkbox"
    URL = "url"
    EMAIL = "email"


class TicketType(SQLModel, table=True):
    __tablename__ = "ticket_types"
    __table_args__ = (UniqueConstraint("project_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="projects.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=40)
    name: str = Field(max_length=100)
    icon: str = Field(default="ticket", max_length=40)
    color: str = Field(default="indigo", max_length=20)
    sort_order: int = Field(default=0)
    archived: bool = Field(default=False)
    # Bumped on every save, so a second admin saving a stale copy gets a conflict.
    version: int = Field(default=1)
    # Status follows the conversation: the status key a public staff reply, or a requester's
    # reply, moves a ticket to when the workflow allows it (None: the reply moves nothing).
    staff_reply_status: str | None = Field(default=None, max_length=40)
    requester_reply_status: str | None = Field(default=None, max_length=40)


class TicketStatus(SQLModel, table=True):
    __tablename__ = "ticket_statuses"
    __table_args__ = (UniqueConstraint("type_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    type_id: int = Field(foreign_key="ticket_types.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=40)
    name: str = Field(max_length=100)
    color: str = Field(default="gray", max_length=20)
    sort_order: int = Field(default=0)
    category: str = Field(default=StatusCategory.TODO, max_length=16)
    is_initial: bool = Field(default=False)
    pauses_sla: bool = Field(default=False)
    # What the requester reads for it; "" reads as the default for its category (labels.public_status_label).
    public_label: str = Field(default="", max_length=40)
    # A done status either resolves the ticket (it may still be closed later) or closes it.
    closes: bool = Field(default=False)


class TicketTransition(SQLModel, table=True):
    __tablename__ = "ticket_transitions"
    __table_args__ = (UniqueConstraint("from_status_id", "to_status_id"),)

    id: int | None = Field(default=None, primary_key=True)
    type_id: int = Field(foreign_key="ticket_types.id", index=True, ondelete="CASCADE")
    from_status_id: int = Field(foreign_key="ticket_statuses.id", ondelete="CASCADE")
    to_status_id: int = Field(foreign_key="ticket_statuses.id", ondelete="CASCADE")
    # When set, only actors with this role (or admins) may take the transition.
    required_role: str | None = Field(default=None, max_length=16)


class TicketTypeField(SQLModel, table=True):
    __tablename__ = "ticket_type_fields"
    __table_args__ = (UniqueConstraint("type_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    type_id: int = Field(foreign_key="ticket_types.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=40)  # stable: values are stored under it
    label: str = Field(max_length=100)
    field_type: str = Field(max_length=16)
    options: list[Any] = Field(default_factory=list, sa_type=JSONType)
    required: bool = Field(default=False)
    sort_order: int = Field(default=0)
    archived: bool = Field(default=False)
    # Number fields only: the places every value shows (2: 89.90); None shows a value as it is.
    decimal_places: int | None = Field(default=None)
    # Whether the ticket's requester sees the value on their portal page. They filled it in on
    # the form, so it starts shown; an admin hides a field the team keeps for itself.
    visible_to_requester: bool = Field(default=True)
