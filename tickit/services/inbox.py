"""The bell: a user's own in-app notifications, how many are unread, and marking them read.

Every function an actor calls reads or changes only the actor's own rows; another user's
notification is reported exactly like one that does not exist. `purge_read` is the nightly
clean-up of entries read long ago.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, update
from sqlmodel import Session, select

from tickit.models import Notification, Project, Ticket, utcnow
from tickit.services.access import format_ticket_number
from tickit.services.actors import UserPublic
from tickit.services.errors import NotFound
from tickit.services.notifications import FOR_ME_EVENTS

NEWEST_LIMIT = 20
# The bell shows the newest entries; one read this long ago is not coming back into view.
READ_RETENTION = timedelta(days=90)


@dataclass(frozen=True)
class InboxEntry:
    id: int
    event: str
    summary: str
    ticket_number: str | None  # None when the notification is about no ticket
    created_at: datetime
    read: bool


def unread_count(*, session: Session, actor: UserPublic) -> int:
    """How many of the actor's notifications are unread, counted on the (user_id, read_at, id) index."""
    return int(
        session.exec(select(func.count()).where(Notification.user_id == actor.id, Notification.read_at.is_(None))).one()
    )


def _entries(actor: UserPublic):
    return (
        select(Notification, Project.key, Ticket.number)
        .join(Ticket, Ticket.id == Notification.ticket_id, isouter=True)
        .join(Project, Project.id == Ticket.project_id, isouter=True)
        .where(Notification.user_id == actor.id)
    )


def _entry(note: Notification, project_key: str | None, number: int | None) -> InboxEntry:
    return InboxEntry(
        id=note.id,
        event=note.event,
        summary=note.summary,
        ticket_number=format_ticket_number(project_key, number) if project_key and number else None,
        created_at=note.created_at,
        read=note.read_at is not None,
    )


def newest(*, session: Session, actor: UserPublic, limit: int = NEWEST_LIMIT, for_me: bool = False) -> list[InboxEntry]:
    """The actor's newest notifications, read or not, newest first; `for_me` keeps only what concerns
    them (assignments, mentions, replies), leaving out news of their projects such as new tickets."""
    query = _entries(actor)
    if for_me:
        query = query.where(Notification.event.in_(sorted(FOR_ME_EVENTS)))
    rows = session.exec(query.order_by(Notification.id.desc()).limit(max(1, min(limit, 100)))).all()
    return [_entry(*row) for row in rows]


def mark_read(*, session: Session, actor: UserPublic, notification_id: int) -> InboxEntry:
    """Mark one of the actor's notifications read (reading it again changes nothing); returns it."""
    row = session.exec(_entries(actor).where(Notification.id == notification_id)).first()
    if row is None:
        raise NotFound("No such notification.")
    note = row[0]
    if note.read_at is None:
        note.read_at = utcnow()
        session.add(note)
        session.flush()
    return _entry(*row)


def mark_all_read(*, session: Session, actor: UserPublic) -> int:
    """Mark every unread notification of the actor read; returns how many changed."""
    result = session.exec(
        update(Notification)
        .where(Notification.user_id == actor.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return int(result.rowcount or 0)


def purge_read(*, session: Session, older_than: timedelta = READ_RETENTION) -> int:
    """Delete every user's notifications read more than `older_than` ago; returns how many. Unread ones stay."""
    result = session.exec(delete(Notification).where(Notification.read_at < utcnow() - older_than))
    return int(result.rowcount or 0)
