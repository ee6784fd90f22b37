"""Restoring a project's archive into an empty project, keeping numbers, authors and timestamps.

Everything is restored in the caller's one transaction: an archive that turns out malformed on
its last line leaves nothing behind (the files copied so far are deleted with the rollback, see
`attachments.restore_file`). Records are read a line at a time; only the current ticket's refs and
the people's ids by email are kept in memory. Rows are written as they were, not through the use
cases that first wrote them: a restore must not file tickets anew, notify anyone, run assignment
or the SLA, or add activity entries the archive does not hold (the audit log records the import).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from sqlmodel import Session, col, func, select

from tickit.models import (
    ActivityEntry,
    ApiClient,
    Attachment,
    Comment,
    MemberRole,
    Project,
    ProjectMember,
    Role,
    SlaPolicy,
    Ticket,
    TicketStatus,
    TicketType,
    User,
    utcnow,
)
from tickit.services import attachments as attachment_files
from tickit.services import audit
from tickit.services.access import parse_ticket_number
from tickit.services.actors import Actor, require_admin
from tickit.services.data_export import archive
from tickit.services.errors import ServiceError, ValidationFailed
from tickit.services.project_setup import create_project, normalize_project_key
from tickit.services.templates import parse_workflow
from tickit.services.users import normalise_email

_IMPORTED_CLIENT_PREFIX = "imported"


class ArchiveError(ServiceError):
    """The archive cannot be restored; the message names the entry and line, or the project's state."""


@dataclass(frozen=True)
class ImportSummary:
    """What was restored, and into which project."""

    project_key: str
    created_project: bool
    tickets: int
    comments: int
    activity: int
    attachments: int
    users_created: int


def read_archive(*, session: Session, actor: Actor, source: IO[bytes], project_key: str | None = None) -> ImportSummary:
    """Restore an archive into project `project_key` (by default the one it was exported from).

    Admins only. A project that does not exist is created from the archive's workflow; one that
    exists must hold no tickets (ArchiveError otherwise) and have the archive's types and statuses.
    People are found by email and created (without a password, so they sign in by reset or Google)
    when missing. Recorded in the audit log.
    """
    require_admin(actor)
    try:
        zipped = zipfile.ZipFile(source)
    except zipfile.BadZipFile:
        raise ArchiveError("not a zip archive; give a file written by `tickit export`.") from None
    with zipped:
        manifest = _manifest(zipped)
        key = normalize_project_key(project_key or str(manifest.get("project", "")))
        project, created = _target_project(session, actor, zipped, key)
        restore = _Restore(session, zipped, project)
        restore.users()
        tickets = restore.tickets()
        comments = restore.comments()
        attachments = restore.attachments()
        activity = restore.activity()
    audit.record(
        session,
        actor=actor,
        action=audit.PROJECT_IMPORTED,
        target=project.key,
        after={"tickets": tickets, "created_project": created, "users_created": restore.users_created},
    )
    return ImportSummary(
        project_key=project.key,
        created_project=created,
        tickets=tickets,
        comments=comments,
        activity=activity,
        attachments=attachments,
        users_created=restore.users_created,
    )


def _manifest(zipped: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(zipped.read(archive.MANIFEST))
    except KeyError:
        raise ArchiveError(f"not a TickIt project archive: it has no {archive.MANIFEST}.") from None
    except ValueError:
        raise ArchiveError(f"{archive.MANIFEST} is not valid JSON.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != archive.FORMAT:
        raise ArchiveError(f"not a TickIt project archive: {archive.MANIFEST} does not say {archive.FORMAT}.")
    version = manifest.get("version")
    if not isinstance(version, int) or version > archive.VERSION:
        raise ArchiveError(
            f"the archive is format version {version}; this TickIt reads version {archive.VERSION} and older."
        )
    missing = [
        name for name in (*archive.RECORD_ENTRIES, archive.USERS, archive.PROJECT) if name not in zipped.NameToInfo
    ]
    if missing:
        raise ArchiveError(f"the archive lacks {', '.join(missing)}.")
    return manifest


def _target_project(session: Session, actor: Actor, zipped: zipfile.ZipFile, key: str) -> tuple[Project, bool]:
    project = session.exec(select(Project).where(Project.key == key)).first()
    if project is not None:
        held = session.exec(select(func.count()).select_from(Ticket).where(Ticket.project_id == project.id)).one()
        if held:
            raise ArchiveError(
                f"project {key} already holds {held} ticket{'s' if held != 1 else ''}; an archive is restored only "
                "into an empty project (choose another key with --key)."
            )
        return project, False
    try:
        text = zipped.read(archive.PROJECT).decode("utf-8")
    except UnicodeDecodeError:
        raise ArchiveError(f"{archive.PROJECT} is not UTF-8 text.") from None
    workflow = parse_workflow(text, archive.PROJECT)
    try:
        create_project(session=session, actor=actor, key=key, name=workflow.name, workflow=workflow)
    except ValidationFailed as exc:
        raise ArchiveError(f"cannot create project {key}: {exc}") from None
    return session.exec(select(Project).where(Project.key == key)).one(), True


class _Restore:
    """One archive going into one project."""

    def __init__(self, session: Session, zipped: zipfile.ZipFile, project: Project):
        self.session = session
        self.zipped = zipped
        self.project = project
        self.user_ids: dict[str, int] = {}
        self.users_created = 0
        types = session.exec(select(TicketType).where(TicketType.project_id == project.id)).all()
        self.types = {row.key: row.id for row in types}
        self.statuses = {
            (row.type_id, row.key): row.id
            for row in session.exec(
                select(TicketStatus).where(col(TicketStatus.type_id).in_(list(self.types.values())))
            )
        }
        self.policies = {
            row.name: row.id for row in session.exec(select(SlaPolicy).where(SlaPolicy.project_id == project.id))
        }
        self.api_clients = {
            row.name: row.id for row in session.exec(select(ApiClient).where(ApiClient.project_id == project.id))
        }
        self._ticket: tuple[str, int, dict[str, int], dict[str, int]] | None = None

    # --- entries, a line at a time ----------------------------------------------------------

    def _records(self, entry: str, restore: Callable[[dict[str, Any]], None]) -> int:
        count = 0
        with self.zipped.open(entry) as lines:
            for number, line in enumerate(lines, 1):
                try:
                    record = json.loads(line)
                    if not isinstance(record, dict):
                        raise TypeError("not an object")
                    restore(record)
                except ServiceError as exc:
                    raise ArchiveError(f"{entry} line {number}: {exc}") from None
                except KeyError as exc:
                    raise ArchiveError(f"{entry} line {number}: {exc.args[0]} is missing.") from None
                except (TypeError, ValueError) as exc:
                    raise ArchiveError(f"{entry} line {number}: malformed record ({exc}).") from None
                count += 1
                if count % 500 == 0:
                    self.session.flush()
        self.session.flush()
        return count

    def users(self) -> None:
        self._records(archive.USERS, self._user)

    def tickets(self) -> int:
        count = self._records(archive.TICKETS, self._ticket_row)
        highest = self.session.exec(select(func.max(Ticket.number)).where(Ticket.project_id == self.project.id)).one()
        self.project.last_ticket_number = max(self.project.last_ticket_number, highest or 0)
        self.session.add(self.project)
        return count

    def comments(self) -> int:
        return self._records(archive.COMMENTS, self._comment)

    def attachments(self) -> int:
        return self._records(archive.ATTACHMENTS, self._attachment)

    def activity(self) -> int:
        return self._records(archive.ACTIVITY, self._activity)

    # --- one record each --------------------------------------------------------------------

    def _user(self, record: dict[str, Any]) -> None:
        try:
            email = normalise_email(record["email"])
        except ValidationFailed:
            raise ArchiveError(f"{record['email']!r} is not an email address.") from None
        user = self.session.exec(select(User).where(User.email == email)).first()
        if user is None:
            role = record["role"]
            if role not in tuple(Role):
                raise ArchiveError(f"role {role!r} is none of {', '.join(Role)}.")
            user = User(email=email, name=str(record["name"])[:200], role=role, is_active=bool(record["active"]))
            self.session.add(user)
            self.session.flush()
            self.users_created += 1
        self.user_ids[email] = user.id
        project_role = record.get("project_role")
        if project_role is not None and project_role not in tuple(MemberRole):
            raise ArchiveError(f"project role {project_role!r} is none of {', '.join(MemberRole)}.")
        if project_role and self.session.get(ProjectMember, (self.project.id, user.id)) is None:
            self.session.add(ProjectMember(project_id=self.project.id, user_id=user.id, role=project_role))

    def _user_id(self, email: str | None) -> int | None:
        if email is None:
            return None
        if email not in self.user_ids:
            raise ArchiveError(f"{email} is not in {archive.USERS}.")
        return self.user_ids[email]

    def _api_client_id(self, name: str | None) -> int | None:
        if name is None:
            return None
        if name not in self.api_clients:
            # The app's token stays with the old installation: the client is restored revoked, so the
            # tickets and entries it wrote still name it.
            now = utcnow()
            row = ApiClient(
                project_id=self.project.id,
                name=name,
                token_prefix=_IMPORTED_CLIENT_PREFIX,
                token_hash=hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
                revoked_at=now,
                created_at=now,
            )
            self.session.add(row)
            self.session.flush()
            self.api_clients[name] = row.id
        return self.api_clients[name]

    def _number(self, text: str) -> int:
        # Only the number counts: an archive may be restored under another project key.
        return parse_ticket_number(text)[1]

    def _ticket_row(self, record: dict[str, Any]) -> None:
        stamp = archive.parse_timestamp
        type_id = self.types.get(record["type"])
        if type_id is None:
            raise ArchiveError(f"{record['number']}: the project has no ticket type {record['type']!r}.")
        status_id = self.statuses.get((type_id, record["status"]))
        if status_id is None:
            raise ArchiveError(f"{record['number']}: type {record['type']} has no status {record['status']!r}.")
        sla = record["sla"]
        policy = sla["policy"]
        follow_up_of = None
        if record["follow_up_of"]:
            follow_up_of = self.session.exec(
                select(Ticket.id).where(
                    Ticket.project_id == self.project.id, Ticket.number == self._number(record["follow_up_of"])
                )
            ).first()
        self.session.add(
            Ticket(
                project_id=self.project.id,
                type_id=type_id,
                status_id=status_id,
                number=self._number(record["number"]),
                title=record["title"],
                description=record["description"],
                description_html=record["description_html"],
                priority=record["priority"],
                reporter_id=self._user_id(record["reporter"]),
                assignee_id=self._user_id(record["assignee"]),
                source=record["source"],
                api_client_id=self._api_client_id(record["api_client"]),
                fields=record["fields"],
                metadata_=record["metadata"],
                follow_up_of_id=follow_up_of,
                board_rank=float(record["board_rank"]),
                created_at=stamp(record["created_at"]),
                updated_at=stamp(record["updated_at"]),
                public_updated_at=stamp(record["public_updated_at"]),
                first_responded_at=stamp(record["first_responded_at"]),
                resolved_at=stamp(record["resolved_at"]),
                closed_at=stamp(record["closed_at"]),
                sla_policy_id=self.policies.get(policy) if policy else None,
                sla_cycle=int(sla["cycle"]),
                first_response_due_at=stamp(sla["first_response_due_at"]),
                resolution_due_at=stamp(sla["resolution_due_at"]),
                first_response_warn_at=stamp(sla["first_response_warn_at"]),
                resolution_warn_at=stamp(sla["resolution_warn_at"]),
                sla_paused_at=stamp(sla["paused_at"]),
                sla_remaining_seconds=sla["remaining_seconds"],
                sla_next_due_at=stamp(sla["next_due_at"]),
                sla_next_check_at=stamp(sla["next_check_at"]),
            )
        )

    def _refs_of(self, number: str) -> tuple[int, dict[str, int], dict[str, int]]:
        """The ticket's id and its comments' and attachments' ids by ref, for the ticket the records are on."""
        if self._ticket is None or self._ticket[0] != number:
            self.session.flush()
            ticket_id = self.session.exec(
                select(Ticket.id).where(Ticket.project_id == self.project.id, Ticket.number == self._number(number))
            ).first()
            if ticket_id is None:
                raise ArchiveError(f"ticket {number} is not in {archive.TICKETS}.")
            comments = self.session.exec(
                select(Comment.id).where(Comment.ticket_id == ticket_id).order_by(Comment.created_at, Comment.id)
            ).all()
            files = self.session.exec(
                select(Attachment.id)
                .where(Attachment.ticket_id == ticket_id)
                .order_by(Attachment.created_at, Attachment.id)
            ).all()
            self._ticket = (
                number,
                ticket_id,
                {archive.comment_ref(index): row for index, row in enumerate(comments, 1)},
                {archive.attachment_ref(index): row for index, row in enumerate(files, 1)},
            )
        return self._ticket[1], self._ticket[2], self._ticket[3]

    def _comment(self, record: dict[str, Any]) -> None:
        ticket_id, comments, _files = self._refs_of(record["ticket"])
        parent = record["reply_to"]
        if parent is not None and parent not in comments:
            raise ArchiveError(f"{record['ticket']} has no comment {parent} before this one.")
        row = Comment(
            ticket_id=ticket_id,
            parent_id=comments[parent] if parent is not None else None,
            author_id=self._user_id(record["author"]),
            body_html=archive.mentions_in(record["body_html"], self._user_id),
            body_text=record["body_text"],
            is_internal=bool(record["internal"]),
            mentions=[self._user_id(email) for email in record["mentions"] if email is not None],
            created_at=archive.parse_timestamp(record["created_at"]),
            edited_at=archive.parse_timestamp(record["edited_at"]),
            deleted_at=archive.parse_timestamp(record["deleted_at"]),
        )
        self.session.add(row)
        self.session.flush()
        comments[record["ref"]] = row.id

    def _attachment(self, record: dict[str, Any]) -> None:
        ticket_id, comments, files = self._refs_of(record["ticket"])
        sha256 = record["sha256"]
        try:
            with self.zipped.open(archive.FILES + sha256) as content:
                stored = attachment_files.restore_file(self.session, _chunks(content))
        except KeyError:
            raise ArchiveError(f"{archive.FILES}{sha256} is missing from the archive.") from None
        if stored.sha256 != sha256 or stored.size != record["size"]:
            raise ArchiveError(f"{archive.FILES}{sha256} does not hold the file recorded (its size or hash differs).")
        row = Attachment(
            ticket_id=ticket_id,
            comment_id=comments.get(record["comment"]) if record["comment"] else None,
            uploaded_by_id=self._user_id(record["uploaded_by"]),
            original_name=attachment_files.clean_filename(record["name"]),
            content_type=record["content_type"],
            size=stored.size,
            sha256=stored.sha256,
            storage_key=stored.key,
            created_at=archive.parse_timestamp(record["created_at"]),
            removed_at=archive.parse_timestamp(record["removed_at"]),
        )
        self.session.add(row)
        self.session.flush()
        files[record["ref"]] = row.id

    def _activity(self, record: dict[str, Any]) -> None:
        ticket_id, comments, files = self._refs_of(record["ticket"])
        swap = {"comment": comments.get, "attachment": files.get, "user_id": self._known_user_id}
        self.session.add(
            ActivityEntry(
                ticket_id=ticket_id,
                actor_user_id=self._user_id(record["actor"]),
                actor_api_client_id=self._api_client_id(record["api_client"]),
                action=record["action"],
                before=archive.activity_data_in(record["before"], **swap),
                after=archive.activity_data_in(record["after"], **swap),
                created_at=archive.parse_timestamp(record["at"]),
            )
        )

    def _known_user_id(self, email: str) -> int | None:
        return self.user_ids.get(email)


def _chunks(content: IO[bytes]) -> Iterator[bytes]:
    while chunk := content.read(1 << 20):
        yield chunk
