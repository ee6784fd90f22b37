"""Who may see and work which ticket: the one place that decides, per object.

A ticket the actor may not see is reported exactly like one that does not exist, so nobody
learns which numbers are taken in projects they do not belong to.
"""

from __future__ import annotations

import re

from sqlmodel import Session, select

from tickit.models import MemberRole, Project, ProjectMember, Ticket, TicketCc
from tickit.services.actors import SYSTEM, Actor
from tickit.services.errors import NotFound

# Project keys are 2-10 letters/digits starting with a letter; numbers start at 1 without
# leading zeros and fit the INTEGER column (a larger one would be a database error, not a 404).
_TICKET_NUMBER = re.compile(r"([A-Za-z][A-Za-z0-9]{1,9})-([1-9][0-9]{0,9})")
_MAX_TICKET_NUMBER = 2**31 - 1
_SHOWN_MAX = 40  # how much of an unparseable number the NotFound message repeats


def format_ticket_number(project_key: str, number: int) -> str:
    """The number people read and type: `HH-42`."""
    return f"{project_key}-{number}"


def parse_ticket_number(text: str) -> tuple[str, int]:
    """Split `hh-42` into `("HH", 42)`; anything that is not a ticket number is NotFound."""
    match = _TICKET_NUMBER.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None or int(match.group(2)) > _MAX_TICKET_NUMBER:
        raise NotFound(f"No ticket {_shown(text)}.")
    return match.group(1).upper(), int(match.group(2))


def ticket_for(session: Session, actor: Actor, number: str, *, for_update: bool = False) -> Ticket:
    """The ticket `number` if the actor may see it, else NotFound (the same whether it exists or not).

    A reporter sees their own tickets, and an address in copy (`ticket_cc`) the tickets it is in
    copy of, as their requester does; agents see every ticket of the projects where they are an
    agent member; admins (and the system) see all. With `for_update` the row is locked until the
    caller's transaction ends (PostgreSQL; SQLite already serialises writers), and re-read, so a
    concurrent change that committed first is what the caller sees.
    """
    project_key, n = parse_ticket_number(number)
    query = (
        select(Ticket)
        .join(Project, Project.id == Ticket.project_id)
        .where(Project.key == project_key, Ticket.number == n)
    )
    if actor is not SYSTEM and not actor.is_admin:
        if not actor.is_active:
            raise NotFound(f"No ticket {format_ticket_number(project_key, n)}.")
        visible = (Ticket.reporter_id == actor.id) | Ticket.id.in_(
            select(TicketCc.ticket_id).where(TicketCc.email == actor.email)
        )
        if actor.is_staff:
            visible = visible | Ticket.project_id.in_(_agent_project_ids(actor.id))
        query = query.where(visible)
    if for_update:
        # Lock the ticket only: locking the joined project row would serialise every move in the
        # project with ticket-number allocation.
        query = query.with_for_update(of=Ticket).execution_options(populate_existing=True)
    ticket = session.exec(query).first()
    if ticket is None:
        raise NotFound(f"No ticket {format_ticket_number(project_key, n)}.")
    return ticket


def can_work(session: Session, actor: Actor, project_id: int) -> bool:
    """Whether the actor works this project's tickets: admins, the system, and its agent members."""
    if actor is SYSTEM or actor.is_admin:
        return True
    if not actor.is_staff or not actor.is_active:
        return False
    return session.exec(_agent_project_ids(actor.id).where(ProjectMember.project_id == project_id)).first() is not None


def _agent_project_ids(user_id: int):
    return select(ProjectMember.project_id).where(
        ProjectMember.user_id == user_id, ProjectMember.role == MemberRole.AGENT
    )


def _shown(text: object) -> str:
    shown = str(text).strip() or "(none)"
    return shown if len(shown) <= _SHOWN_MAX else shown[: _SHOWN_MAX - 1] + "…"
