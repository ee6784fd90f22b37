"""Projects and who belongs to them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from tickit.models.base import UTCDateTime, utcnow


class MemberRole(StrEnum):
    CLIENT = "client"  # may file tickets in the project and follow their own
    AGENT = "agent"  # works the project's tickets
    ADMIN = "admin"  # works them, and configures the project (never anything global)


# The roles that work a project's tickets: a project admin is an agent who also configures the project.
WORKING_ROLES = (MemberRole.AGENT, MemberRole.ADMIN)


class Project(SQLModel, table=True):
    __tablename__ = "projects"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=10, unique=True)  # prefix of ticket numbers: HH-42
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    # The last number handed out; allocation increments it with UPDATE ... RETURNING.
    last_ticket_number: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    archived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The ticket's life after it is resolved (services/lifecycle.py); 0 days turns each off.
    reopen_window_days: int = Field(default=14)
    auto_close_days: int = Field(default=7)
    survey_enabled: bool = Field(default=True)
    survey_delay_minutes: int = Field(default=60)


class ProjectMember(SQLModel, table=True):
    __tablename__ = "project_members"

    project_id: int = Field(foreign_key="projects.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", primary_key=True, index=True, ondelete="CASCADE")
    role: str = Field(max_length=16)
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
