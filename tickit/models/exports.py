"""Project archives an admin asked for in the browser, written by a background job and kept for a while."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from tickit.models.base import UTCDateTime, utcnow


class ExportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ProjectExport(SQLModel, table=True):
    __tablename__ = "project_exports"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="projects.id", index=True, ondelete="CASCADE")
    requested_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    status: str = Field(default=ExportStatus.QUEUED, max_length=16)
    tickets_done: int = Field(default=0)  # progress: tickets written of `tickets_total`
    tickets_total: int = Field(default=0)
    # The archive's generated file name under `<data dir>/exports`, from when the job starts writing it.
    file_key: str | None = Field(default=None, max_length=64)
    size: int | None = Field(default=None, sa_type=BigInteger)  # archives may pass 2 GiB
    error: str = Field(default="", max_length=400)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Renewed by the worker while it writes; a running job whose worker died stops renewing it.
    heartbeat_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The file is deleted, and the row with it, after this (services/data_export/jobs.py).
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
