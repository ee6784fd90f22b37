"""Outbound webhooks: a project's endpoints and the log of every attempt to deliver to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from tickit.models.base import JSONType, UTCDateTime, utcnow


class WebhookEndpoint(SQLModel, table=True):
    """Where a project's events are posted, which of them, and the secret they are signed with."""

    __tablename__ = "webhook_endpoints"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="projects.id", index=True, ondelete="CASCADE")
    url: str = Field(max_length=2000)
    description: str = Field(default="", max_length=500)
    event_types: list[str] = Field(default_factory=list, sa_type=JSONType)
    enabled: bool = Field(default=True)
    # Lets the URL be http, and on a private or loopback address (a receiver inside the network).
    allow_private_address: bool = Field(default=False)
    # Kept in clear: an HMAC signature needs the key itself, unlike a token that is only compared.
    secret: str = Field(max_length=100)
    # The secret before the last rotation, still signing alongside until it expires.
    previous_secret: str = Field(default="", max_length=100)
    previous_secret_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    disabled_reason: str = Field(default="", max_length=300)
    # The first failed attempt since the last success; None while deliveries succeed.
    failing_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WebhookAttempt(SQLModel, table=True):
    """One attempt to deliver one event to one endpoint, as the delivery log shows it."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_endpoint_time", "endpoint_id", "attempted_at"),)

    id: int | None = Field(default=None, primary_key=True)
    endpoint_id: int = Field(foreign_key="webhook_endpoints.id", ondelete="CASCADE")
    message_id: str = Field(max_length=64)  # the `webhook-id` header, the same on every retry
    event_type: str = Field(max_length=40)
    # The outbox row that carried it (no foreign key: delivered rows are purged on their own clock).
    outbox_id: int | None = Field(default=None)
    attempted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    status_code: int | None = Field(default=None)  # None when no answer came
    duration_ms: int = Field(default=0)
    response_excerpt: str = Field(default="", max_length=1000)
    error: str = Field(default="", max_length=300)
