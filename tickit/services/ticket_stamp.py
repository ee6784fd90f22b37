"""A ticket's change stamp: what an open ticket page polls to learn, cheaply, that it should reload.

Every change to a ticket writes an activity entry in its own transaction (status, assignee,
priority, fields, comments added, edited or deleted, files added or removed), and every one also
moves `updated_at` through `touch`; the newest entry's id together with `updated_at` therefore
changes whenever anything the page shows does. Two indexed lookups, no rows loaded beyond the
ticket. A client's stamp is `public_updated_at` alone, which internal changes do not move.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from tickit.models import ActivityEntry, Ticket
from tickit.services.access import can_work, ticket_for
from tickit.services.actors import UserPublic


def touch(ticket: Ticket, now: datetime, *, internal: bool = False) -> None:
    """Mark `ticket` changed at `now`; an `internal` change (a note, its files) leaves the time clients see alone."""
    ticket.updated_at = now
    if not internal:
        ticket.public_updated_at = now


def ticket_stamp(*, session: Session, actor: UserPublic, number: str) -> str:
    """The stamp of ticket `number` for an actor who may see it (NotFound otherwise)."""
    ticket = ticket_for(session, actor, number)
    if not can_work(session, actor, ticket.project_id):
        # Every change a client can see moves `public_updated_at`; the activity log's newest id
        # would also move for an internal note, and tell a watching client that one was written.
        return ticket.public_updated_at.isoformat()
    latest = session.exec(select(func.max(ActivityEntry.id)).where(ActivityEntry.ticket_id == ticket.id)).one()
    return f"{ticket.updated_at.isoformat() if ticket.updated_at else ''}:{latest or 0}"
