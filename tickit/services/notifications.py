"""Who hears about what: events staged with the change that caused them, fanned out on delivery.

The change's transaction stages one event row; delivering that row (in a transaction of its own,
by Huey) stages one message per recipient and channel. Working out recipients later keeps the
request that made the change short, and the event row being marked delivered in the same
transaction that stages its messages means a retried fan-out never stages them twice.
"""

from __future__ import annotations

from sqlmodel import Session, select

from tickit.models import MemberRole, OutboxMessage, ProjectMember, Ticket, User
from tickit.services import outbox

EVENT_CHANNEL = "event"
TICKET_CREATED = "ticket_created"


def stage_ticket_created(session: Session, *, ticket_id: int, number: str, title: str) -> None:
    """Record, in the caller's transaction, that a ticket was filed (from any source)."""
    outbox.stage(
        session,
        event=TICKET_CREATED,
        channel=EVENT_CHANNEL,
        recipient_user_id=None,
        ticket_id=ticket_id,
        payload={"number": number, "title": title},
    )


def fan_out(session: Session, event: OutboxMessage) -> int:
    """Stage the messages an event row stands for; returns how many."""
    if event.event != TICKET_CREATED:
        raise ValueError(f"Notification event {event.event!r} has no recipients rule")
    recipients = session.exec(
        select(User)
        .join(ProjectMember, ProjectMember.user_id == User.id)
        .join(Ticket, Ticket.project_id == ProjectMember.project_id)
        .where(Ticket.id == event.ticket_id, ProjectMember.role == MemberRole.AGENT, User.is_active)
        .order_by(User.id)
    ).all()
    for user in recipients:
        outbox.stage(
            session,
            event=event.event,
            channel="mail",
            recipient_user_id=user.id,
            ticket_id=event.ticket_id,
            payload={**event.payload, "email": user.email, "name": user.name},
        )
    return len(recipients)
