"""Writing a project's archive: tickets, comments, activity, files, people and workflow in one zip.

Memory stays flat however large the project is: tickets are read a batch at a time, each batch's
records go straight to a temporary file per entry, and only the people named (their ids) and the
distinct files (their hashes) are collected until the end. The zip is assembled from those files
in the archive's fixed order (`archive`).
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlmodel import Session, col, func, select

from tickit.models import (
    ActivityEntry,
    ApiClient,
    Attachment,
    Comment,
    ProjectMember,
    SlaPolicy,
    Ticket,
    TicketStatus,
    TicketType,
    User,
)
from tickit.services import attachments as attachment_files
from tickit.services import audit
from tickit.services.access import format_ticket_number, get_project
from tickit.services.actors import Actor, require_admin
from tickit.services.data_export import archive
from tickit.services.errors import ValidationFailed
from tickit.services.templates import export_project

BATCH = 200


@dataclass(frozen=True)
class ExportSummary:
    """What an archive holds, as the manifest counts it."""

    project_key: str
    tickets: int
    comments: int
    activity: int
    attachments: int
    users: int
    since: datetime | None = None


def parse_since(text: str) -> datetime:
    """`2026-11-01` (midnight UTC) or an ISO 8601 moment (UTC unless it says otherwise).

    ValidationFailed naming `since` for anything else.
    """
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValidationFailed(
            {"since": f"give a date like 2026-11-01 or 2026-11-01T08:30:00+01:00; got {text!r}"}
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def write_archive(
    *,
    session: Session,
    actor: Actor,
    project_key: str,
    out: IO[bytes],
    since: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ExportSummary:
    """Write project `project_key`'s archive to `out`; with `since`, only tickets changed since then.

    Admins only. Only reads, so a read-only session serves; `record_export` audits it afterwards.
    `progress(done, total)` is called before the first batch of tickets and after each.
    """
    require_admin(actor)
    project = get_project(session, project_key)
    ticket_filter = [Ticket.project_id == project.id]
    if since is not None:
        ticket_filter.append(col(Ticket.updated_at) >= since)
    total = session.exec(select(func.count()).select_from(Ticket).where(*ticket_filter)).one()
    with tempfile.TemporaryDirectory(prefix="tickit-export-") as scratch:
        parts = {name: Path(scratch) / name for name in archive.RECORD_ENTRIES}
        handles = {name: path.open("wb") for name, path in parts.items()}
        try:
            collected = _Collected(session, project.id)
            done = 0
            if progress is not None:
                progress(0, total)
            for batch in _ticket_batches(session, ticket_filter):
                _write_batch(session, project.key, batch, handles, collected)
                done += len(batch)
                if progress is not None:
                    progress(done, total)
        finally:
            for handle in handles.values():
                handle.close()
        users = collected.user_records()
        summary = ExportSummary(
            project_key=project.key,
            tickets=done,
            comments=collected.comments,
            activity=collected.activity,
            attachments=collected.attachments,
            users=len(users),
            since=since,
        )
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
            for name, path in parts.items():
                archive.add_file(zipped, name, path)
            for sha256, key in sorted(collected.files.items()):
                path = attachment_files.stored_path(key)
                if path is not None:
                    archive.add_file(zipped, archive.FILES + sha256, path)
            archive.add_bytes(zipped, archive.USERS, b"".join(archive.record_line(user) for user in users))
            archive.add_bytes(
                zipped, archive.PROJECT, export_project(session=session, project_key=project.key).encode()
            )
            archive.add_bytes(zipped, archive.MANIFEST, _manifest(summary, since))
    return summary


def record_export(session: Session, *, actor: Actor, summary: ExportSummary) -> None:
    """Record a written archive in the audit log, in the caller's (writing) transaction.

    Apart from `write_archive`, whose long read must not hold SQLite's write lock.
    """
    audit.record(
        session,
        actor=actor,
        action=audit.PROJECT_EXPORTED,
        target=summary.project_key,
        after={"tickets": summary.tickets, **({"since": archive.timestamp(summary.since)} if summary.since else {})},
    )


def _manifest(summary: ExportSummary, since: datetime | None) -> bytes:
    manifest = {
        "format": archive.FORMAT,
        "version": archive.VERSION,
        "project": summary.project_key,
        "since": archive.timestamp(since),
        "counts": {
            "tickets": summary.tickets,
            "comments": summary.comments,
            "activity": summary.activity,
            "attachments": summary.attachments,
            "users": summary.users,
        },
    }
    return json.dumps(manifest, indent=2, sort_keys=True).encode() + b"\n"


def _ticket_batches(session: Session, ticket_filter: list) -> Iterator[list[Ticket]]:
    after = 0
    while True:
        batch = session.exec(
            select(Ticket).where(*ticket_filter, Ticket.number > after).order_by(Ticket.number).limit(BATCH)
        ).all()
        if not batch:
            return
        yield list(batch)
        after = batch[-1].number


class _Collected:
    """What the archive needs beyond one batch: the people named, the files, the counts."""

    def __init__(self, session: Session, project_id: int):
        self.session = session
        self.project_id = project_id
        self.user_ids: set[int] = set()
        self.files: dict[str, str] = {}  # sha256 -> storage key
        self.comments = self.activity = self.attachments = 0
        self._emails: dict[int, str | None] = {}
        self.types = {
            row.id: row.key for row in session.exec(select(TicketType).where(TicketType.project_id == project_id))
        }
        self.statuses = {
            row.id: row.key
            for row in session.exec(select(TicketStatus).join(TicketType).where(TicketType.project_id == project_id))
        }
        self.policies = {
            row.id: row.name for row in session.exec(select(SlaPolicy).where(SlaPolicy.project_id == project_id))
        }
        self.api_clients = {
            row.id: row.name for row in session.exec(select(ApiClient).where(ApiClient.project_id == project_id))
        }

    def email(self, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        if user_id not in self._emails:
            user = self.session.get(User, user_id)
            self._emails[user_id] = user.email if user is not None else None
        if self._emails[user_id] is not None:
            self.user_ids.add(user_id)
        return self._emails[user_id]

    def user_records(self) -> list[dict[str, Any]]:
        records = []
        for start in range(0, len(self.user_ids), BATCH):
            ids = sorted(self.user_ids)[start : start + BATCH]
            roles = {
                row.user_id: row.role
                for row in self.session.exec(
                    select(ProjectMember).where(
                        ProjectMember.project_id == self.project_id, col(ProjectMember.user_id).in_(ids)
                    )
                )
            }
            for user in self.session.exec(select(User).where(col(User.id).in_(ids))):
                records.append(
                    {
                        "email": user.email,
                        "name": user.name,
                        "role": user.role,
                        "active": user.is_active,
                        "project_role": roles.get(user.id),
                    }
                )
        return sorted(records, key=lambda record: record["email"])


def _write_batch(
    session: Session, project_key: str, batch: list[Ticket], out: dict[str, IO[bytes]], collected: _Collected
) -> None:
    ids = [ticket.id for ticket in batch]
    comments = _by_ticket(
        session.exec(select(Comment).where(col(Comment.ticket_id).in_(ids)).order_by(Comment.created_at, Comment.id))
    )
    files = _by_ticket(
        session.exec(
            select(Attachment).where(col(Attachment.ticket_id).in_(ids)).order_by(Attachment.created_at, Attachment.id)
        )
    )
    entries = _by_ticket(
        session.exec(
            select(ActivityEntry)
            .where(col(ActivityEntry.ticket_id).in_(ids))
            .order_by(ActivityEntry.created_at, ActivityEntry.id)
        )
    )
    follow_ups = {
        row.id: format_ticket_number(project_key, row.number)
        for row in session.exec(
            select(Ticket).where(col(Ticket.id).in_({t.follow_up_of_id for t in batch if t.follow_up_of_id}))
        )
    }
    for ticket in batch:
        number = format_ticket_number(project_key, ticket.number)
        comment_refs = {row.id: archive.comment_ref(index) for index, row in enumerate(comments[ticket.id], 1)}
        file_refs = {row.id: archive.attachment_ref(index) for index, row in enumerate(files[ticket.id], 1)}
        history = [entry for entry in entries[ticket.id] if entry.action == "status_changed"]
        out[archive.TICKETS].write(archive.record_line(_ticket_record(ticket, number, history, follow_ups, collected)))
        for row in comments[ticket.id]:
            out[archive.COMMENTS].write(archive.record_line(_comment_record(row, number, comment_refs, collected)))
            collected.comments += 1
        for row in files[ticket.id]:
            out[archive.ATTACHMENTS].write(
                archive.record_line(
                    {
                        "ticket": number,
                        "ref": file_refs[row.id],
                        "comment": comment_refs.get(row.comment_id) if row.comment_id else None,
                        "uploaded_by": collected.email(row.uploaded_by_id),
                        "name": row.original_name,
                        "content_type": row.content_type,
                        "size": row.size,
                        "sha256": row.sha256,
                        "created_at": archive.timestamp(row.created_at),
                        "removed_at": archive.timestamp(row.removed_at),
                    }
                )
            )
            collected.files.setdefault(row.sha256, row.storage_key)
            collected.attachments += 1
        for entry in entries[ticket.id]:
            swap = {"comment": comment_refs.get, "attachment": file_refs.get, "email": collected.email}
            out[archive.ACTIVITY].write(
                archive.record_line(
                    {
                        "ticket": number,
                        "action": entry.action,
                        "actor": collected.email(entry.actor_user_id),
                        "api_client": collected.api_clients.get(entry.actor_api_client_id)
                        if entry.actor_api_client_id
                        else None,
                        "before": archive.activity_data_out(entry.before, **swap),
                        "after": archive.activity_data_out(entry.after, **swap),
                        "at": archive.timestamp(entry.created_at),
                    }
                )
            )
            collected.activity += 1


def _by_ticket(rows) -> defaultdict[int, list]:
    grouped: defaultdict[int, list] = defaultdict(list)
    for row in rows:
        grouped[row.ticket_id].append(row)
    return grouped


def _ticket_record(
    ticket: Ticket, number: str, history: list[ActivityEntry], follow_ups: dict[int, str], collected: _Collected
) -> dict[str, Any]:
    stamp = archive.timestamp
    return {
        "number": number,
        "type": collected.types[ticket.type_id],
        "status": collected.statuses[ticket.status_id],
        "title": ticket.title,
        "description": ticket.description,
        "description_html": ticket.description_html,
        "priority": ticket.priority,
        "reporter": collected.email(ticket.reporter_id),
        "assignee": collected.email(ticket.assignee_id),
        "source": ticket.source,
        "api_client": collected.api_clients.get(ticket.api_client_id) if ticket.api_client_id else None,
        "fields": ticket.fields,
        "metadata": ticket.metadata_,
        "follow_up_of": follow_ups.get(ticket.follow_up_of_id) if ticket.follow_up_of_id else None,
        "board_rank": ticket.board_rank,
        "created_at": stamp(ticket.created_at),
        "updated_at": stamp(ticket.updated_at),
        "public_updated_at": stamp(ticket.public_updated_at),
        "first_responded_at": stamp(ticket.first_responded_at),
        "resolved_at": stamp(ticket.resolved_at),
        "closed_at": stamp(ticket.closed_at),
        "sla": {
            "policy": collected.policies.get(ticket.sla_policy_id) if ticket.sla_policy_id else None,
            "cycle": ticket.sla_cycle,
            "first_response_due_at": stamp(ticket.first_response_due_at),
            "resolution_due_at": stamp(ticket.resolution_due_at),
            "first_response_warn_at": stamp(ticket.first_response_warn_at),
            "resolution_warn_at": stamp(ticket.resolution_warn_at),
            "paused_at": stamp(ticket.sla_paused_at),
            "remaining_seconds": ticket.sla_remaining_seconds,
            "next_due_at": stamp(ticket.sla_next_due_at),
            "next_check_at": stamp(ticket.sla_next_check_at),
        },
        "status_history": [
            {
                "at": stamp(entry.created_at),
                "from": entry.before.get("status"),
                "to": entry.after.get("status"),
                "by": collected.email(entry.actor_user_id),
            }
            for entry in history
        ],
    }


def _comment_record(comment: Comment, number: str, refs: dict[int, str], collected: _Collected) -> dict[str, Any]:
    return {
        "ticket": number,
        "ref": refs[comment.id],
        "reply_to": refs.get(comment.parent_id) if comment.parent_id else None,
        "author": collected.email(comment.author_id),
        "internal": comment.is_internal,
        "body_html": archive.mentions_out(comment.body_html, collected.email),
        "body_text": comment.body_text,
        "mentions": [collected.email(user_id) for user_id in comment.mentions or []],
        "created_at": archive.timestamp(comment.created_at),
        "edited_at": archive.timestamp(comment.edited_at),
        "deleted_at": archive.timestamp(comment.deleted_at),
    }
