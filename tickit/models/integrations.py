"""Apps that file tickets over the integration API."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from tickit.models.base import UTCDateTime, utcnow


class ApiClient(SQLModel, table=True):
    __tablename__ = "api_clients"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="projects.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    token_prefix: str = Field(max_length=16)  # shown in lists so admins can tell tokens apart
    token_hash: str = Field(max_length=64, unique=True)  # sha256 hex; the token is shown once
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    request_count: int = Field(default=0)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Off: the client reads only the tickets it filed. On: every ticket of its project.
    may_read_all: bool = Field(default=False)
