"""Ticket lists: the client's own tickets and the staff's project tickets."""

from __future__ import annotations

import dataclasses

import reflex as rx

from tickit.db import session_scope
from tickit.models import Role
from tickit.services import tickets
from tickit.state.formatting import PRIORITY_COLORS, ago
from tickit.state.session import SessionState

STATUS_CATEGORY_COLORS = {"todo": "gray", "in_progress": "blue", "done": "green"}


@dataclasses.dataclass
class TicketLine:
    number: str
    title: str
    project: str
    type_name: str
    status: str
    status_color: str
    priority: str
    priority_color: str
    reporter: str
    assignee: str
    updated: str
    created: str


def ticket_lines(rows: list[tickets.TicketRow]) -> list[TicketLine]:
    return [
        TicketLine(
            number=r.number,
            title=r.title,
            project=r.project_name,
            type_name=r.type_name,
            status=r.status_name,
            status_color=r.status_color
            if r.status_color != "gray"
            else STATUS_CATEGORY_COLORS.get(r.status_category, "gray"),
            priority=r.priority,
            priority_color=PRIORITY_COLORS.get(r.priority, "gray"),
            reporter=r.reporter_name,
            assignee=r.assignee_name,
            updated=ago(r.updated_at),
            created=ago(r.created_at),
        )
        for r in rows
    ]


class MyTicketsState(SessionState):
    """A client's portal home: the tickets they filed."""

    rows: list[TicketLine] = []

    @rx.event
    def load(self):
        actor = self.admit(Role.CLIENT)
        if actor is None:
            self.rows = []
            return self.refusal()
        with session_scope() as session:
            self.rows = ticket_lines(tickets.tickets_reported_by(session=session, actor=actor))
        return None


class StaffTicketsState(SessionState):
    """Agents' and admins' list of the tickets in the projects they work."""

    rows: list[TicketLine] = []

    @rx.event
    def load(self):
        actor = self.admit(Role.AGENT, Role.ADMIN)
        if actor is None:
            self.rows = []
            return self.refusal()
        with session_scope() as session:
            self.rows = ticket_lines(tickets.tickets_for_staff(session=session, actor=actor))
        return None
