"""Tickets and ticket types as the integration API shows them to integrators.

The shapes here are the contract of PRODUCT.md ("Integration API v1"); integrators code against
them, so a change here is a change to a published API.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from tickit import routes
from tickit.config import get_settings
from tickit.labels import public_status_label
from tickit.models import Project, SlaPolicy, Ticket, TicketStatus, TicketType, TicketTypeField, User, utcnow
from tickit.services import merges, survey
from tickit.services.access import format_ticket_number, parse_ticket_number
from tickit.services.api_clients import ApiClientPublic
from tickit.services.errors import NotFound
from tickit.services.sla import SlaStatus, status_of
from tickit.services.tags import tags_of
from tickit.services.tickets import FiledTicket


class Reporter(Protocol):
    """Whom a ticket document names as its reporter (a user, or the person an API request named)."""

    @property
    def email(self) -> str: ...

    @property
    def name(self) -> str: ...


def ticket_document(
    *,
    ticket: Ticket | FiledTicket,
    project_key: str,
    type_key: str,
    status_key: str,
    reporter: Reporter | None,
    assignee: Reporter | None = None,
    sla: SlaStatus | None = None,
    tags: Sequence[str] = (),
) -> dict[str, Any]:
    """A ticket as JSON-ready data: `{id, number, project, type, status, title, ...}`."""
    number = format_ticket_number(project_key, ticket.number)
    return {
        "id": ticket.id,
        "number": number,
        "project": project_key,
        "type": type_key,
        "status": status_key,
        "title": ticket.title,
        "description": ticket.description,
        "priority": ticket.priority,
        "fields": ticket.fields,
        "reporter": None if reporter is None else {"email": reporter.email, "name": reporter.name},
        "assignee": None if assignee is None else {"email": assignee.email, "name": assignee.name},
        "created_at": iso_time(ticket.created_at),
        "url": get_settings().app_url + routes.ticket_page(number),
        "sla": sla_document(ticket.sla if isinstance(ticket, FiledTicket) else sla),
        "tags": list(ticket.tags if isinstance(ticket, FiledTicket) else tags),
    }


def sla_document(status: SlaStatus | None) -> dict[str, Any] | None:
    """The ticket JSON's `sla` object: policy, both due times, whether each is breached, whether paused."""
    if status is None:
        return None
    return {
        "policy": status.policy,
        "first_response_due_at": iso_time(status.first_response_due_at) if status.first_response_due_at else None,
        "resolution_due_at": iso_time(status.resolution_due_at) if status.resolution_due_at else None,
        "first_response_breached": status.first_response_breached,
        "resolution_breached": status.resolution_breached,
        "paused": status.paused,
    }


def render(document: Any) -> str:
    """The JSON text of a document, the same every time for the same data."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def iso_time(moment: datetime) -> str:
    """`2026-11-22T07:30:00.123Z`: UTC, milliseconds, the form JavaScript's Date prints."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def read_ticket(*, session: Session, client: ApiClientPublic, number: str) -> dict[str, Any]:
    """The ticket `number` as it is now, if the client may read it; otherwise NotFound.

    A client reads the tickets it filed (and those they were merged into); one an admin let read all
    (`may_read_all`), every ticket of its project. The number of a merged ticket leads to its target.
    """
    project_key, n = parse_ticket_number(merges.forwarded_number(session, number))
    query = _documents_query().where(
        Project.key == project_key, Ticket.number == n, Ticket.project_id == client.project_id
    )
    if not client.may_read_all:
        merged = aliased(Ticket)
        merged_from_own = select(merged.merged_into_id).where(merged.api_client_id == client.id)
        query = query.where((Ticket.api_client_id == client.id) | Ticket.id.in_(merged_from_own))
    row = session.exec(query).first()
    if row is None:
        # The same answer for a ticket that does not exist and one the client may not read.
        raise NotFound(f"No ticket {format_ticket_number(project_key, n)} that this client may read.")
    return _full_document(session, row)


def current_document(session: Session, ticket_id: int) -> dict[str, Any] | None:
    """The ticket as `read_ticket` shows it, by id and for nobody in particular (a webhook's payload)."""
    row = session.exec(_documents_query().where(Ticket.id == ticket_id)).first()
    return None if row is None else _full_document(session, row)


def _documents_query():
    assignee = aliased(User)
    return (
        select(Ticket, Project.key, TicketType.key, TicketStatus, User, assignee, SlaPolicy.name)
        .join(Project, Project.id == Ticket.project_id)
        .join(TicketType, TicketType.id == Ticket.type_id)
        .join(TicketStatus, TicketStatus.id == Ticket.status_id)
        .outerjoin(User, User.id == Ticket.reporter_id)
        .outerjoin(assignee, assignee.id == Ticket.assignee_id)
        .outerjoin(SlaPolicy, SlaPolicy.id == Ticket.sla_policy_id)
    )


def _full_document(session: Session, row: Any) -> dict[str, Any]:
    ticket, key, type_key, status, reporter, assigned_to, policy_name = row
    document = ticket_document(
        ticket=ticket,
        project_key=key,
        type_key=type_key,
        status_key=status.key,
        reporter=reporter,
        assignee=assigned_to,
        sla=status_of(ticket, policy_name, utcnow()),
        tags=tags_of(session, ticket.id),
    )
    return {**document, **lifecycle_document(session, ticket, status)}


def lifecycle_document(session: Session, ticket: Ticket, status: TicketStatus) -> dict[str, Any]:
    """What a read adds to the ticket: the status as the requester reads it, resolution, closure, rating."""
    rated = survey.satisfaction(session, ticket.id)
    return {
        "status_label": public_status_label(status.public_label, status.category, status.closes),
        "resolved_at": iso_time(ticket.resolved_at) if ticket.resolved_at else None,
        "closed_at": iso_time(ticket.closed_at) if ticket.closed_at else None,
        "satisfaction": None
        if rated is None
        else {"rating": rated.rating, "comment": rated.comment, "rated_at": iso_time(rated.rated_at)},
    }


def ticket_types(*, session: Session, client: ApiClientPublic) -> list[dict[str, Any]]:
    """The client's project's active ticket types, each with its statuses and form fields, in order."""
    types = session.exec(
        select(TicketType)
        .where(TicketType.project_id == client.project_id, TicketType.archived == False)  # noqa: E712
        .order_by(TicketType.sort_order, TicketType.id)
    ).all()
    type_ids = [t.id for t in types]
    statuses = session.exec(
        select(TicketStatus)
        .where(TicketStatus.type_id.in_(type_ids))
        .order_by(TicketStatus.sort_order, TicketStatus.id)
    ).all()
    fields = session.exec(
        select(TicketTypeField)
        .where(TicketTypeField.type_id.in_(type_ids), TicketTypeField.archived == False)  # noqa: E712
        .order_by(TicketTypeField.sort_order, TicketTypeField.id)
    ).all()
    return [
        {
            "key": t.key,
            "name": t.name,
            "statuses": [
                {"key": s.key, "name": s.name, "category": s.category, "initial": s.is_initial}
                for s in statuses
                if s.type_id == t.id
            ],
            "fields": [
                {
                    "key": f.key,
                    "label": f.label,
                    "type": f.field_type,
                    "required": f.required,
                    "options": [{"key": o["key"], "label": o["label"]} for o in f.options],
                }
                for f in fields
                if f.type_id == t.id
            ],
        }
        for t in types
    ]
