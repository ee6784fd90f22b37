"""Who else hears about a ticket: addresses in copy (CC) and agents following it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from tickit.models.base import UTCDateTime, utcnow


class TicketCc(SQLModel, table=True):
    """An address in copy of a ticket: it gets the public replies by mail and may answer by mail."""

    __tablename__ = "ticket_ccs"
    __table_args__ = (UniqueConstraint("ticket_id", "email"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", ondelete="CASCADE")
    # Lower-cased as `users.normalise_email` stores it; indexed for the access check by address.
    email: str = Field(max_length=320, index=True)
    added_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TicketFollower(SQLModel, table=True):
    """An agent following a ticket: they hear what its assignee hears."""

    __tablename__ = "ticket_followers"

    ticket_id: int = Field(foreign_key="tickets.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", primary_key=True, index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
