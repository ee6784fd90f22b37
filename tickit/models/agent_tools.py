"""What agents keep at hand beside tickets: canned replies and macros, and links between tickets."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from tickit.models.base import JSONType, UTCDateTime, utcnow


class CannedReply(SQLModel, table=True):
    """A reply agents insert with placeholders; with any change set it is a macro.

    `owner_id` None means shared with the project's agents; otherwise it is that agent's own.
    """

    __tablename__ = "canned_replies"
    __table_args__ = (Index("ix_canned_replies_project_owner", "project_id", "owner_id"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="projects.id", ondelete="CASCADE")
    owner_id: int | None = Field(default=None, foreign_key="users.id", ondelete="CASCADE")
    title: str = Field(max_length=120)
    body_html: str = Field(default="", sa_type=Text)  # sanitised template source
    # The macro's changes; None (or "") leaves that part of the ticket alone.
    set_status: str | None = Field(default=None, max_length=40)
    set_priority: str | None = Field(default=None, max_length=16)
    set_assignee_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    internal_note_html: str = Field(default="", sa_type=Text)
    # Tags the macro puts on and takes off: {"add": [names], "remove": [names]}, normalised names.
    tag_changes: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LinkKind(StrEnum):
    RELATED = "related"
    DUPLICATE_OF = "duplicate_of"
    BLOCKS = "blocks"
    PARENT_OF = "parent_of"


class TicketLink(SQLModel, table=True):
    """`source` <kind> `target`: one row per pair, read from both ends (the target reads the inverse)."""

    __tablename__ = "ticket_links"
    __table_args__ = (
        UniqueConstraint("source_id", "target_id"),
        CheckConstraint("source_id <> target_id", name="not_self"),
        Index("ix_ticket_links_target", "target_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="tickets.id", ondelete="CASCADE")
    target_id: int = Field(foreign_key="tickets.id", ondelete="CASCADE")
    kind: str = Field(max_length=16)
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
