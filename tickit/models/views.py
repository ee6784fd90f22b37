"""Saved views of the staff ticket list: a name over the list's filters and sort, personal or shared with a project."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, SQLModel

from tickit.models.base import UTCDateTime, utcnow

VIEW_NAME_MAX = 60
VIEW_QUERY_MAX = 2000


class SavedView(SQLModel, table=True):
    __tablename__ = "saved_views"
    __table_args__ = (
        # Exactly one owner: a person (personal view) or a project (shared with its agents).
        CheckConstraint("(owner_id IS NULL) <> (project_id IS NULL)", name="one_owner"),
        Index("ix_saved_views_owner", "owner_id", "position"),
        Index("ix_saved_views_project", "project_id", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int | None = Field(default=None, foreign_key="users.id", ondelete="CASCADE")
    project_id: int | None = Field(default=None, foreign_key="projects.id", ondelete="CASCADE")
    name: str = Field(max_length=VIEW_NAME_MAX)
    # The list's query string (`ticket_list.to_query_string`, no cursor): the view is its filters and sort.
    query: str = Field(max_length=VIEW_QUERY_MAX)
    position: int = Field(default=0)  # order in the sidebar, within its owner
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
