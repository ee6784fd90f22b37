"""The events a project's webhooks can send, and how a change stages one.

A service that changes a ticket calls `publish` in its own transaction. Nothing is staged unless
an enabled endpoint of the project wants the event; then one outbox row (channel
"webhook_event") records it, and delivering that row (`webhook_delivery.fan_out`, moments later
in a transaction of its own) builds the payload, with the ticket document the integration API
returns, and stages one signed delivery per endpoint. So a change costs one small read when
nobody listens, and one insert when someone does.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from tickit.models import Ticket, User, WebhookEndpoint, utcnow
from tickit.services import outbox

EVENT_CHANNEL = "webhook_event"

TICKET_CREATED = "ticket.created"
STATUS_CHANGED = "ticket.status_changed"
ASSIGNED = "ticket.assigned"
COMMENTED = "ticket.commented"  # a public comment, by staff or the requester
INTERNAL_NOTE_ADDED = "ticket.internal_note_added"
SLA_WARNING = "ticket.sla_warning"
SLA_BREACHED = "ticket.sla_breached"
SATISFACTION_RATED = "ticket.satisfaction_rated"
# For the ticket merged away, with `data={"merged_into": "HH-7"}` (`merges.merge`).
MERGED = "ticket.merged"
# Sent only by "Send test event"; no endpoint subscribes to it.
TEST = "webhook.test"

# Every event an endpoint can subscribe to, with the words the admin page uses for it.
EVENT_TYPES: dict[str, str] = {
    TICKET_CREATED: "Ticket created",
    STATUS_CHANGED: "Status changed",
    ASSIGNED: "Assigned",
    COMMENTED: "Public comment",
    INTERNAL_NOTE_ADDED: "Internal note",
    SLA_WARNING: "SLA warning",
    SLA_BREACHED: "SLA breached",
    SATISFACTION_RATED: "Satisfaction rated",
    MERGED: "Merged",
}


def publish(
    session: Session, *, project_id: int, ticket_id: int, event: str, data: dict[str, Any] | None = None
) -> None:
    """Stage `event` about a ticket in the caller's transaction, if an enabled endpoint of the project wants it.

    `data` is what the event adds to the ticket document (the status moved from, the comment);
    it is fixed now, while the document is read when the event is fanned out.
    """
    if event not in EVENT_TYPES:
        raise ValueError(f"Unknown webhook event {event!r}")
    wanted = session.exec(
        select(WebhookEndpoint.event_types).where(
            WebhookEndpoint.project_id == project_id,
            WebhookEndpoint.enabled == True,  # noqa: E712
        )
    ).all()
    if not any(event in types for types in wanted):
        return
    outbox.stage(
        session,
        event=event,
        channel=EVENT_CHANNEL,
        recipient_user_id=None,
        ticket_id=ticket_id,
        payload={"data": data or {}, "occurred_at": utcnow().isoformat()},
    )


def publish_assigned(session: Session, *, ticket: Ticket, previous_assignee_id: int | None) -> None:
    """Stage `ticket.assigned` for a ticket whose assignee just changed (to someone, or to nobody)."""
    previous = session.get(User, previous_assignee_id) if previous_assignee_id is not None else None
    publish(
        session,
        project_id=ticket.project_id,
        ticket_id=ticket.id,
        event=ASSIGNED,
        data={"previous_assignee": None if previous is None else {"email": previous.email, "name": previous.name}},
    )
