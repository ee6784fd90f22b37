"""The audit log: sign-ins and administrative actions, with actor, address, time, before and after.

Append-only: `record` adds a row in the caller's transaction (so an action and its entry commit or
roll back together) and nothing here, or anywhere in TickIt, updates or deletes one. The client
address comes from `from_address`, which the HTTP routes and the UI's handler helper set around
the work they run, so services need not pass it along.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from tickit.models import AuditEntry, utcnow
from tickit.services.actors import SYSTEM, Actor, UserPublic, require_admin
from tickit.services.errors import ValidationFailed

SIGN_IN = "sign_in"
SIGN_IN_FAILED = "sign_in.failed"
USER_CREATED = "user.created"
USER_INVITED = "user.invited"
INVITATION_REVOKED = "invitation.revoked"
INVITATION_ACCEPTED = "invitation.accepted"
USER_SIGNED_UP = "user.signed_up"  # a client's own account, its address confirmed
USER_ROLE_CHANGED = "user.role_changed"
USER_DEACTIVATED = "user.deactivated"
USER_REACTIVATED = "user.reactivated"
PASSWORD_RESET_SENT = "password.reset_link_sent"
PASSWORD_RESET = "password.reset"
PASSWORD_CHANGED = "password.changed"
SESSION_REVOKED = "session.revoked"
API_CLIENT_CREATED = "api_client.created"
API_CLIENT_REVOKED = "api_client.revoked"
MEMBER_ADDED = "project.member_added"
MEMBER_REMOVED = "project.member_removed"
WORKFLOW_EDITED = "workflow.edited"  # a type, status, field or transition; `after.change` says which
SLA_EDITED = "sla.edited"
ORGANISATION_CREATED = "organisation.created"
ORGANISATION_EDITED = "organisation.edited"
ORGANISATION_MEMBER_SET = "organisation.member_set"
ASSIGNMENT_EDITED = "assignment.edited"  # the project's rule, an agent's standing, or a type's skills
LIFECYCLE_EDITED = "lifecycle.edited"
INTAKE_EDITED = "intake.edited"
MAILBOX_ADDED = "mailbox.added"
MAILBOX_CHANGED = "mailbox.changed"  # its address, type or IMAP settings (never the password itself)
MAILBOX_DISABLED = "mailbox.disabled"
MAILBOX_ENABLED = "mailbox.enabled"
MAILBOX_REMOVED = "mailbox.removed"
MAILBOX_SECRET_ROTATED = "mailbox.secret_rotated"
TAG_RENAMED = "tag.renamed"  # into a name the project already has: merged
CANNED_REPLY_EDITED = "canned_reply.edited"  # a shared reply or macro; `after.change` says which
WEBHOOK_CREATED = "webhook.created"
WEBHOOK_CHANGED = "webhook.changed"
WEBHOOK_SECRET_ROTATED = "webhook.secret_rotated"
WEBHOOK_DELETED = "webhook.deleted"
PROJECT_EXPORTED = "project.exported"
PROJECT_IMPORTED = "project.imported"
PROJECT_EXPORT_DOWNLOADED = "project.export_downloaded"
ACTIONS = (
    SIGN_IN,
    SIGN_IN_FAILED,
    USER_CREATED,
    USER_INVITED,
    INVITATION_REVOKED,
    INVITATION_ACCEPTED,
    USER_SIGNED_UP,
    USER_ROLE_CHANGED,
    USER_DEACTIVATED,
    USER_REACTIVATED,
    PASSWORD_RESET_SENT,
    PASSWORD_RESET,
    PASSWORD_CHANGED,
    SESSION_REVOKED,
    API_CLIENT_CREATED,
    API_CLIENT_REVOKED,
    MEMBER_ADDED,
    MEMBER_REMOVED,
    WORKFLOW_EDITED,
    SLA_EDITED,
    ORGANISATION_CREATED,
    ORGANISATION_EDITED,
    ORGANISATION_MEMBER_SET,
    ASSIGNMENT_EDITED,
    LIFECYCLE_EDITED,
    INTAKE_EDITED,
    MAILBOX_ADDED,
    MAILBOX_CHANGED,
    MAILBOX_DISABLED,
    MAILBOX_ENABLED,
    MAILBOX_REMOVED,
    MAILBOX_SECRET_ROTATED,
    TAG_RENAMED,
    CANNED_REPLY_EDITED,
    WEBHOOK_CREATED,
    WEBHOOK_CHANGED,
    WEBHOOK_SECRET_ROTATED,
    WEBHOOK_DELETED,
    PROJECT_EXPORTED,
    PROJECT_IMPORTED,
    PROJECT_EXPORT_DOWNLOADED,
)
PAGE_SIZE = 200
SYSTEM_ACTOR = "TickIt (command line or start-up)"
ANONYMOUS = "not signed in"

_address: ContextVar[str] = ContextVar("tickit_audit_address", default="")


@contextmanager
def from_address(address: str) -> Iterator[None]:
    """Entries recorded inside this block carry `address` (the client's, as the caller knows it)."""
    token = _address.set(address[:64])
    try:
        yield
    finally:
        _address.reset(token)


def _actor_label(actor: Actor | None) -> str:
    if actor is SYSTEM:
        return SYSTEM_ACTOR
    if isinstance(actor, UserPublic):
        return f"{actor.name} <{actor.email}>"
    return ANONYMOUS


def record(
    session: Session,
    *,
    actor: Actor | None,
    action: str,
    target: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Add an entry to the caller's transaction. Never pass a secret in `before` or `after`."""
    session.add(
        AuditEntry(
            action=action,
            actor_id=actor.id if isinstance(actor, UserPublic) else None,
            actor=_actor_label(actor)[:400],
            address=_address.get(),
            target=target[:400],
            before=before or {},
            after=after or {},
        )
    )


def record_change(
    session: Session,
    *,
    actor: Actor | None,
    action: str,
    target: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
) -> None:
    """Record the settings that differ between `before` and `after` (only those); nothing when none does."""
    changed = [key for key in after if before.get(key) != after[key]]
    if changed:
        record(
            session,
            actor=actor,
            action=action,
            target=target,
            before={key: before.get(key) for key in changed},
            after={key: after[key] for key in changed},
        )


@dataclass(frozen=True)
class AuditLine:
    """One entry as the admin page and the CLI show it."""

    at: datetime
    action: str
    actor: str
    address: str
    target: str
    before: dict[str, Any]
    after: dict[str, Any]


_SINCE = re.compile(r"^\s*(\d{1,5})\s*([mhdw])\s*$")
_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def parse_since(text: str) -> datetime:
    """The moment `7d` (or 30m, 12h, 2w) ago; raises ValidationFailed naming `since`."""
    found = _SINCE.match(text)
    if not found:
        raise ValidationFailed({"since": f"Say how far back as a number and m, h, d or w (like 7d); got {text!r}."})
    return utcnow() - int(found.group(1)) * _UNITS[found.group(2)]


def entries(
    *,
    session: Session,
    actor: Actor,
    since: datetime | None = None,
    action: str = "",
    text: str = "",
    limit: int = PAGE_SIZE,
) -> list[AuditLine]:
    """The newest entries first, filtered by time, action (or its family, like `user`) and words in actor or target."""
    require_admin(actor)
    query = select(AuditEntry).order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc()).limit(limit)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if action:
        query = query.where((AuditEntry.action == action) | col(AuditEntry.action).startswith(action + "."))
    if text.strip():
        pattern = f"%{text.strip().lower()}%"
        query = query.where(col(AuditEntry.actor).ilike(pattern) | col(AuditEntry.target).ilike(pattern))
    return [
        AuditLine(
            at=row.at,
            action=row.action,
            actor=row.actor,
            address=row.address,
            target=row.target,
            before=row.before,
            after=row.after,
        )
        for row in session.exec(query).all()
    ]
