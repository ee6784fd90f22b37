"""What must be sent to whom, and where browsers receive Web Push."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from tickit.models.base import JSONType, UTCDateTime, utcnow


class PushSubscription(SQLModel, table=True):
    __tablename__ = "push_subscriptions"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    endpoint: str = Field(max_length=1000, unique=True)
    p256dh: str = Field(max_length=200)
    auth: str = Field(max_length=100)
    vapid_public_key: str = Field(max_length=200)  # the key the subscription was made with
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OutboxMessage(SQLModel, table=True):
    """One notification to deliver, written in the same transaction as the change it reports."""

    __tablename__ = "notification_outbox"
    __table_args__ = (Index("ix_notification_outbox_pending", "delivered_at", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    event: str = Field(max_length=40)  # ticket_created, assigned, welcome, ...
    channel: str = Field(max_length=16)  # mail, push, in_app
    recipient_user_id: int | None = Field(default=None, foreign_key="users.id", ondelete="CASCADE")
    ticket_id: int | None = Field(default=None, foreign_key="tickets.id", ondelete="CASCADE")
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str = Field(default="", max_length=1000)


class Notification(SQLModel, table=True):
    """One entry in a user's bell: what happened to which ticket, read or not."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    ticket_id: int | None = Field(default=None, foreign_key="tickets.id", ondelete="CASCADE")
    event: str = Field(max_length=40)  # ticket_created, assigned, client_reply, mention, ...
    summary: str = Field(max_length=300)  # one line a person reads in the bell
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class NewTicketsChoice(StrEnum):
    ALL = "all"
    UNASSIGNED = "unassigned"  # only tickets still unassigned when the news goes out
    NONE = "none"


class ProjectNotificationChoice(SQLModel, table=True):
    """What an agent hears about new tickets of one project; without a row, NewTicketsChoice.UNASSIGNED."""

    __tablename__ = "project_notification_choices"
    __table_args__ = (UniqueConstraint("user_id", "project_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    project_id: int = Field(foreign_key="projects.id", index=True, ondelete="CASCADE")
    new_tickets: str = Field(default=NewTicketsChoice.UNASSIGNED, max_length=16)
