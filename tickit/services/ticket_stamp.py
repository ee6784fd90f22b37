"""A ticket's change stamp: what an open ticket page polls to learn, cheaply, that it should reload.

Every change to a ticket writes an activity entry in its own transaction (status, assignee,
priority, fields, comments added, edited or deleted, files added or removed), and most also move
`updated_at`; the newest entry's id together with `updated_at` therefore changes whenever anything
the page shows does. Two indexed lookups, no rows loaded beyond the ticket.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from tickit.models import ActivityEntry
from tickit.services.access import ticket_for
from tickit.services.actors import UserPublic


def ticket_stamp(*, session: Session, actor: UserPublic, number: str) -> str:
    """The stamp of ticket `number` for an actor who may see it (NotFound otherwise)."""
    ticket = ticket_for(session, actor, number)
    latest = session.exec(select(func.max(ActivityEntry.id)).where(ActivityEntry.ticket_id == ticket.id)).one()
    return f"{ticket.updated_at.isoformat() if ticket.updated_at else ''}:{latest or 0}"
