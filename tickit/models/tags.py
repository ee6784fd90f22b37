"""Free tags: named per project, put on any number of the project's tickets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from tickit.models.base import UTCDateTime, utcnow


class Tag(SQLModel, table=True):
    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="projects.id", ondelete="CASCADE")
    name: str = Field(max_length=40)  # normalised by services/tags.py: lower case, no spaces
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TicketTag(SQLModel, table=True):
    __tablename__ = "ticket_tags"

    ticket_id: int = Field(foreign_key="tickets.id", primary_key=True, ondelete="CASCADE")
    # The list's tag filter reads the tickets of a tag: this index, then tickets by primary key.
    tag_id: int = Field(foreign_key="tags.id", primary_key=True, index=True, ondelete="CASCADE")
