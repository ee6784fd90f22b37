"""People who sign in, and their server-side sessions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from tickit.models.base import UTCDateTime, utcnow


class Role(StrEnum):
    CLIENT = "client"
    AGENT = "agent"
    ADMIN = "admin"


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)  # stored lower-cased
    name: str = Field(max_length=200)
    role: str = Field(max_length=16, default=Role.CLIENT)
    password_hash: str | None = Field(default=None, max_length=255)
    # A password TickIt generated and printed (the first admin's): it only opens the form that
    # replaces it, and stops working at `password_expires_at`, so a copy left in a log is worthless.
    password_change_required: bool = Field(default=False)
    password_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    google_subject: str | None = Field(default=None, max_length=255, unique=True)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_sign_in_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # How the user wants to hear about work (the bell always shows it); set in the profile.
    notify_by_mail: bool = Field(default=True)
    notify_by_push: bool = Field(default=True)
    # What concerns the user on any project (in the bell and on the channels above).
    notify_assigned: bool = Field(default=True)
    notify_mentions: bool = Field(default=True)
    notify_replies: bool = Field(default=True)  # replies on tickets assigned to them
    # The board opened last, as "PROJECTKEY/typekey", so every browser opens on it.
    last_board: str = Field(default="", max_length=100)
    # When mail to this address last bounced; TickIt sends it nothing for a while after (services/mail_out_guard.py).
    mail_bounced_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class UserSession(SQLModel, table=True):
    __tablename__ = "user_sessions"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)  # sha256 hex of the cookie value
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ip_address: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=400)
