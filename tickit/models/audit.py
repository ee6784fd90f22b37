"""The append-only audit log of sign-ins and administrative actions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from tickit.models.base import JSONType, UTCDateTime, utcnow


class AuditEntry(SQLModel, table=True):
    """One thing that happened to accounts or configuration: who, from where, when, before and after.

    Written only by `services.audit.record`; nothing in TickIt updates or deletes a row.
    """

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    action: str = Field(max_length=40, index=True)  # sign_in, user.role_changed, ...
    # Who acted: a user (kept by name and email should the account go), or TickIt itself ("system").
    actor_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    actor: str = Field(max_length=400)
    address: str = Field(default="", max_length=64)  # the client address, where one is known
    target: str = Field(default="", max_length=400)  # what was acted on, in words (an email, a project key)
    before: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    after: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
