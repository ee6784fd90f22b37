"""Single-use links mailed to people: password reset, invitation, email verification, email change,
a requester's first password and a one-time sign-in."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Field, SQLModel

from tickit.models.base import JSONType, UTCDateTime, utcnow


class TokenPurpose(StrEnum):
    RESET = "reset"
    INVITATION = "invitation"
    VERIFY_EMAIL = "verify_email"
    EMAIL_CHANGE = "email_change"
    SET_PASSWORD = "set_password"  # a requester who never chose one (their acknowledgement mail)
    SIGN_IN_LINK = "sign_in_link"  # "sign in with a one-time link"


class AccountToken(SQLModel, table=True):
    """One link's token, stored as its sha256 only; used at most once, before `expires_at`."""

    __tablename__ = "account_tokens"

    id: int | None = Field(default=None, primary_key=True)
    purpose: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True)  # sha256 hex of the token in the link
    # Whose account the link acts on; None for an invitation, whose account does not exist yet.
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True, ondelete="CASCADE")
    email: str = Field(max_length=320, index=True)  # where the link was sent
    # What the link carries beyond the account: an invitation's role and project ids.
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
