"""Helpers for the workflow editor's tests: reading HH's types, editing them at their current version."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from tickit.models import ActivityEntry, Ticket, TicketStatus, TicketType
from tickit.services import workflow_admin
from tickit.services.access import get_project
from tickit.services.actors import SYSTEM
from tickit.services.errors import ValidationFailed
from tickit.services.project_setup import allocate_ticket_number

THREAD_TIMEOUT = 30  # seconds; a hung lock fails the test instead of hanging the run
BUG_STATUSES = ["new", "triaged", "in_progress", "waiting_on_reporter", "fixed", "wont_fix"]


def detail(session: Session, type_key: str = "bug") -> workflow_admin.TypeDetail:
    return workflow_admin.type_detail(session=session, actor=SYSTEM, project_key="HH", type_key=type_key)


def edit(session: Session, actor, operation: str, *, type_key: str = "bug", version: int | None = None, **kwargs):
    """Call `workflow_admin.<operation>` on HH's type, at its current version unless told otherwise."""
    if version is None:
        version = detail(session, type_key).version
    return getattr(workflow_admin, operation)(
        session=session, actor=actor, project_key="HH", type_key=type_key, expected_version=version, **kwargs
    )


def insert_ticket(session: Session, status_key: str = "new", *, type_key: str = "bug", fields=None) -> Ticket:
    project = get_project(session, "HH")
    ticket_type = session.exec(
        select(TicketType).where(TicketType.project_id == project.id, TicketType.key == type_key)
    ).one()
    status = session.exec(
        select(TicketStatus).where(TicketStatus.type_id == ticket_type.id, TicketStatus.key == status_key)
    ).one()
    number = allocate_ticket_number(session=session, project_id=project.id)
    ticket = Ticket(
        project_id=project.id,
        type_id=ticket_type.id,
        status_id=status.id,
        number=number,
        title=f"Ticket {number}",
        fields=fields or {},
        board_rank=float(number),
    )
    session.add(ticket)
    session.flush()
    return ticket


def status_key_of(session: Session, ticket: Ticket) -> str:
    session.refresh(ticket)
    return session.get(TicketStatus, ticket.status_id).key


def status_changes(session: Session) -> list[ActivityEntry]:
    return list(
        session.exec(
            select(ActivityEntry).where(ActivityEntry.action == "status_changed").order_by(ActivityEntry.ticket_id)
        ).all()
    )


def refusal(call) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        call()
    return caught.value.errors
