"""Comments an integration API client posted for a ticket's requester, remembered by Idempotency-Key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from tickit.models.base import UTCDateTime, utcnow


class ApiCommentRequest(SQLModel, table=True):
    """One `POST /tickets/{number}/comments`: its key, its body's fingerprint, and the exact answer a retry gets."""

    __tablename__ = "api_comment_requests"
    # The source of truth for two retries racing: the second insert of a key fails.
    __table_args__ = (UniqueConstraint("api_client_id", "idempotency_key"),)

    id: int | None = Field(default=None, primary_key=True)
    api_client_id: int = Field(foreign_key="api_clients.id", ondelete="CASCADE")
    idempotency_key: str = Field(max_length=255)
    request_fingerprint: str = Field(max_length=64)
    ticket_number: str = Field(max_length=24)  # named in a refusal of the key reused
    comment_id: int | None = Field(default=None, foreign_key="comments.id", ondelete="SET NULL")
    response: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
