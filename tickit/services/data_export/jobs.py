"""Archives an admin asks for in the browser: a background job with progress, a download kept for a day.

Asking stages an outbox message in the same transaction as the job's row, so the job exists
exactly when its message does, and the worker that delivers the message (`tickit.tasks`) writes
the archive. The row is claimed (queued → running) before any work, so a message delivered twice
runs the job once. The archive is read in a read-only transaction (on SQLite a writing one would
hold up every other writer for as long as the export takes) and progress is written in short
transactions of its own, which the page polls. Files live under `<data dir>/exports` with
generated names, are served only to admins, and are deleted with their row EXPORT_KEPT after
they were written (`purge_expired`, a periodic task).

While it writes, the worker renews the row's heartbeat every HEARTBEAT from a thread of its own
(progress alone would go quiet while large attachments are zipped). A running export whose
heartbeat is older than STALLED lost its worker: `fail_stalled` marks it failed, so the page says
so and a new export can be asked for, instead of the dead one blocking them until it expires.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from tickit.config import get_settings
from tickit.db import session_scope
from tickit.models import ExportStatus, Project, ProjectExport, User, utcnow
from tickit.private_files import FILE_MODE, make_private_dir
from tickit.services import audit, outbox
from tickit.services.access import get_project
from tickit.services.actors import Actor, UserPublic, require_admin
from tickit.services.data_export.writer import record_export, write_archive
from tickit.services.errors import Conflict, NotFound, ServiceError

log = logging.getLogger(__name__)

CHANNEL = "project_export"
EXPORT_KEPT = timedelta(days=1)
HEARTBEAT = timedelta(seconds=30)
STALLED = timedelta(minutes=5)  # ten heartbeats missed
LISTED = 10
_NO_SUCH = "No such export."
_WORKER_LOST = "The export stopped: the worker writing it ended before it finished. Ask for a new one."
_UNDER_WAY = (ExportStatus.QUEUED, ExportStatus.RUNNING)


@dataclass(frozen=True)
class ExportJob:
    """One export as the project's export page lists it."""

    id: int
    status: str  # queued | running | done | failed
    tickets_done: int
    tickets_total: int
    size: int | None
    requested_by: str
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None
    error: str
    downloadable: bool


@dataclass(frozen=True)
class ExportFile:
    """What a route needs to send an export's archive."""

    path: Path
    name: str


def request_export(*, session: Session, actor: Actor, project_key: str) -> ExportJob:
    """Queue an export of the project's whole archive; Conflict while one of it is still under way. Admins only."""
    require_admin(actor)
    project = get_project(session, project_key)
    fail_stalled(session=session)
    under_way = session.exec(
        select(ProjectExport.id).where(
            ProjectExport.project_id == project.id, col(ProjectExport.status).in_(_UNDER_WAY)
        )
    ).first()
    if under_way is not None:
        raise Conflict(f"An export of {project.key} is already under way; it is listed below.")
    now = utcnow()
    requester = actor.id if isinstance(actor, UserPublic) else None
    row = ProjectExport(project_id=project.id, requested_by_id=requester, created_at=now, expires_at=now + EXPORT_KEPT)
    session.add(row)
    session.flush()
    outbox.stage(session, event=CHANNEL, channel=CHANNEL, recipient_user_id=requester, payload={"export_id": row.id})
    return _job(row, actor.name if isinstance(actor, UserPublic) else audit.SYSTEM_ACTOR)


def list_exports(*, session: Session, actor: Actor, project_key: str) -> list[ExportJob]:
    """The project's latest exports, newest first. Admins only."""
    require_admin(actor)
    project = get_project(session, project_key)
    rows = session.exec(
        select(ProjectExport, User.name)
        .outerjoin(User, col(User.id) == ProjectExport.requested_by_id)
        .where(ProjectExport.project_id == project.id)
        .order_by(col(ProjectExport.created_at).desc(), col(ProjectExport.id).desc())
        .limit(LISTED)
    ).all()
    return [_job(row, name or "a former user") for row, name in rows]


def open_export(*, session: Session, actor: Actor, export_id: int) -> ExportFile:
    """The archive of a finished export that is still kept, recording the download in the audit log. Admins only."""
    require_admin(actor)
    row = session.get(ProjectExport, export_id)
    path = _path(row.file_key) if row is not None and row.file_key else None
    if row is None or row.status != ExportStatus.DONE or path is None or not path.is_file():
        raise NotFound(_NO_SUCH)
    key = _project_key(session, row)
    audit.record(session, actor=actor, action=audit.PROJECT_EXPORT_DOWNLOADED, target=key, after={"export": row.id})
    return ExportFile(path=path, name=f"{key}-export-{row.created_at:%Y-%m-%d}.zip")


def run_export(export_id: int) -> str:
    """Write the archive of export `export_id` if it is still queued; what became of it."""
    key = secrets.token_hex(16)
    with session_scope() as session:
        row = session.exec(select(ProjectExport).where(ProjectExport.id == export_id).with_for_update()).first()
        if row is None or row.status != ExportStatus.QUEUED:
            return "not-queued"
        row.status, row.file_key, row.heartbeat_at = ExportStatus.RUNNING, key, utcnow()
        session.add(row)
        requester = session.get(User, row.requested_by_id) if row.requested_by_id else None
        actor = UserPublic.of(requester) if requester is not None else None
        project_key = _project_key(session, row)
    path = _path(key)
    make_private_dir(path.parent)
    try:
        if actor is None or not actor.is_admin or not actor.is_active:
            raise ServiceError("The admin who asked for this export is no longer an admin.")
        with (
            _heartbeat(export_id),
            os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE), "wb") as out,
        ):
            with session_scope(read_only=True) as session:
                summary = write_archive(
                    session=session, actor=actor, project_key=project_key, out=out, progress=_progress(export_id)
                )
            size = out.tell()
    except Exception as exc:
        path.unlink(missing_ok=True)
        if not isinstance(exc, ServiceError):
            log.exception("export %s of %s failed", export_id, project_key)
        reason = str(exc) if isinstance(exc, ServiceError) else "The export failed; the server's log says why."
        with session_scope() as session:
            _finish(session, export_id, status=ExportStatus.FAILED, error=reason[:400], finished_at=utcnow())
        return "failed"
    now = utcnow()
    with session_scope() as session:
        if not _finish(
            session,
            export_id,
            status=ExportStatus.DONE,
            size=size,
            finished_at=now,
            expires_at=now + EXPORT_KEPT,
        ):
            path.unlink(missing_ok=True)  # purged, or given up for stalled, while it ran
            return "abandoned"
        record_export(session, actor=actor, summary=summary)
    return "done"


def fail_stalled(*, session: Session, now: datetime | None = None) -> int:
    """Mark failed the running exports whose worker stopped renewing their heartbeat; how many."""
    now = now or utcnow()
    rows = session.exec(
        select(ProjectExport).where(
            ProjectExport.status == ExportStatus.RUNNING,
            # No heartbeat at all: claimed before heartbeats existed (migration 0030), by a worker since replaced.
            or_(col(ProjectExport.heartbeat_at) < now - STALLED, col(ProjectExport.heartbeat_at).is_(None)),
        )
    ).all()
    for row in rows:
        if row.file_key:
            _path(row.file_key).unlink(missing_ok=True)
        row.status, row.error, row.finished_at = ExportStatus.FAILED, _WORKER_LOST, now
        session.add(row)
    session.flush()
    return len(rows)


def purge_expired(*, session: Session, now: datetime | None = None) -> int:
    """Delete the exports past their time, files and rows; how many."""
    rows = session.exec(select(ProjectExport).where(col(ProjectExport.expires_at) < (now or utcnow()))).all()
    for row in rows:
        if row.file_key:
            _path(row.file_key).unlink(missing_ok=True)
        session.delete(row)
    session.flush()
    return len(rows)


def exports_root() -> Path:
    """Where archives written for a download live (never under Reflex's public upload directory)."""
    return get_settings().data_dir / "exports"


def _path(key: str) -> Path:
    return exports_root() / f"{key}.zip"


def _project_key(session: Session, row: ProjectExport) -> str:
    return session.exec(select(Project.key).where(Project.id == row.project_id)).one()


def _finish(session: Session, export_id: int, **values) -> bool:
    """Record how a running export ended; False when it no longer runs (purged or given up for stalled)."""
    result = session.exec(
        update(ProjectExport)
        .where(col(ProjectExport.id) == export_id, ProjectExport.status == ExportStatus.RUNNING)
        .values(**values)
    )
    return bool(result.rowcount)


@contextmanager
def _heartbeat(export_id: int) -> Iterator[None]:
    """Renew the export's heartbeat every HEARTBEAT while the block runs."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(HEARTBEAT.total_seconds()):
            try:
                with session_scope() as session:
                    session.exec(
                        update(ProjectExport).where(col(ProjectExport.id) == export_id).values(heartbeat_at=utcnow())
                    )
            except Exception:  # a missed beat is retried at the next; only ten in a row fail the export
                log.warning("export %s: the heartbeat was not recorded", export_id, exc_info=True)

    thread = threading.Thread(target=beat, name=f"export-{export_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _progress(export_id: int):
    def report(done: int, total: int) -> None:
        with session_scope() as session:
            session.exec(
                update(ProjectExport)
                .where(col(ProjectExport.id) == export_id)
                .values(tickets_done=done, tickets_total=total)
            )

    return report


def _job(row: ProjectExport, requested_by: str) -> ExportJob:
    return ExportJob(
        id=row.id,
        status=row.status,
        tickets_done=row.tickets_done,
        tickets_total=row.tickets_total,
        size=row.size,
        requested_by=requested_by,
        created_at=row.created_at,
        finished_at=row.finished_at,
        expires_at=row.expires_at,
        error=row.error,
        downloadable=row.status == ExportStatus.DONE,
    )


outbox.register_sender(
    CHANNEL,
    outbox.Sender(send=lambda message: run_export(int(message.payload["export_id"])), is_permanent=lambda exc: False),
)
