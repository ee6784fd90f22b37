"""Who hears about what: events staged with the change that caused them, fanned out on delivery.

The change's transaction stages one event row; delivering that row (in a transaction of its own,
by Huey) stages one message per recipient and channel. Working out recipients later keeps the
request that made the change short, and the event row being marked delivered in the same
transaction that stages its messages means a retried fan-out never stages them twice.
"""

from __future__ import annotations

from sqlmodel import Session, select

from tickit.models import MemberRole, OutboxMessage, Project, ProjectMember, Ticket, User
from tickit.services import outbox
from tickit.services.access import format_ticket_number

EVENT_CHANNEL = "event"
TICKET_CREATED = "ticket_created"


def stage_ticket_created(session: Session, *, ticket_id: int, title: str) -> None:
    """Record, in the caller's transaction, that a ticket was filed (from any source).

    The ticket's number is looked up when the event is fanned out: an API filing takes its
    number last, after staging this.
    """
    outbox.stage(
        session,
        event=TICKET_CREATED,
        channel=EVENT_CHANNEL,
        recipient_user_id=None,
        ticket_id=ticket_id,
        payload={"title": title},
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
    if not recipients:
        return 0
    project_key, number = session.exec(
        select(Project.key, Ticket.number)
        .join(Project, Project.id == Ticket.project_id)
        .where(Ticket.id == event.ticket_id)
    ).one()
    for user in recipients:
        outbox.stage(
            session,
            event=event.event,
            channel="mail",
            recipient_user_id=user.id,
            ticket_id=event.ticket_id,
            payload={
                **event.payload,
                "number": format_ticket_number(project_key, number),
                "email": user.email,
                "name": user.name,
            },
        )
    return len(recipients)
