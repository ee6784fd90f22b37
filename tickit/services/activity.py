"""The activity log: one entry per change to a ticket, written in the change's own transaction."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from tickit.models import ActivityEntry, Ticket
from tickit.services.actors import UserPublic


def record(
    session: Session,
    ticket: Ticket,
    actor: UserPublic,
    action: str,
    *,
    now: datetime,
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    """Add the entry for `actor`'s change to `ticket` to the caller's transaction."""
    session.add(
        ActivityEntry(
            ticket_id=ticket.id,
            actor_user_id=actor.id,
            action=action,
            before=before or {},
            after=after or {},
            created_at=now,
        )
    )
    session.flush()
