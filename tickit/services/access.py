"""Who may see and work which ticket, and who may configure which project: the one place that decides, per object.

A ticket the actor may not see is reported exactly like one that does not exist, so nobody
learns which numbers are taken in projects they do not belong to.
"""

from __future__ import annotations

import re

from sqlmodel import Session, select

from tickit.models import (
    WORKING_ROLES,
    MemberRole,
    Organisation,
    OrganisationMember,
    Project,
    ProjectMember,
    Ticket,
    TicketCc,
)
from tickit.services.actors import SYSTEM, Actor
from tickit.services.errors import NotFound, PermissionDenied

NOT_PROJECT_ADMIN = "Only an admin or an admin of this project may do this."

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

    A requester sees their own tickets, their organisation's as `shared_reporter_ids` allows, and
    the tickets their address is in copy of (`ticket_cc`), as their requester does; agents see every
    ticket of the projects where they are an agent member; admins (and the system) see all. With
    `for_update` the row is locked until the
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
        visible = (Ticket.reporter_id == actor.id) | Ticket.id.in_(copied_ticket_ids(actor))
        if actor.is_staff:
            visible = visible | Ticket.project_id.in_(_agent_project_ids(actor.id))
        elif (colleagues := shared_reporter_ids(session, actor)) is not None:
            # Reading colleagues' tickets is a requester's view, as in the list (`ticket_list`).
            visible = visible | Ticket.reporter_id.in_(colleagues)
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
    """Whether the actor works this project's tickets: admins, the system, and its agents and project admins."""
    return _holds(session, actor, project_id, WORKING_ROLES)


def _holds(session: Session, actor: Actor, project_id: int, roles: tuple[str, ...]) -> bool:
    """Admins and the system hold every role in every project; staff the one of their membership."""
    if actor is SYSTEM or actor.is_admin:
        return True
    if not actor.is_staff or not actor.is_active:
        return False
    member = session.get(ProjectMember, (project_id, actor.id))
    return member is not None and member.role in roles


def copied_ticket_ids(actor: Actor):
    """A subquery of the ids of the tickets whose copy (`ticket_cc`) holds the actor's address."""
    return select(TicketCc.ticket_id).where(TicketCc.email == actor.email)


def shared_reporter_ids(session: Session, actor: Actor):
    """A query of the users whose tickets the actor reads as a colleague; None when there are none.

    An organisation's managers read all its members' tickets; its members read each other's only
    when the organisation shares tickets. Nobody reads another organisation's, and a user in no
    organisation reads only their own.
    """
    if actor is SYSTEM:
        return None
    found = session.exec(
        select(OrganisationMember.organisation_id)
        .join(Organisation, Organisation.id == OrganisationMember.organisation_id)
        .where(
            OrganisationMember.user_id == actor.id,
            OrganisationMember.is_manager | Organisation.shares_tickets,
        )
    ).first()
    if found is None:
        return None
    return select(OrganisationMember.user_id).where(OrganisationMember.organisation_id == found)


def get_project(session: Session, key: str) -> Project:
    """The project with this key (any case); NotFound when there is none. Checks no access: callers do."""
    project = session.exec(select(Project).where(Project.key == key.strip().upper())).first()
    if project is None:
        raise NotFound(f"No project with key {key.strip().upper()}.")
    return project


def may_configure(session: Session, actor: Actor, project_id: int) -> bool:
    """Whether the actor configures this project: admins, the system, and the project's own admins."""
    return _holds(session, actor, project_id, (MemberRole.ADMIN,))


def project_to_configure(session: Session, actor: Actor | None, project_key: str) -> Project:
    """The project `project_key`, if the actor may configure it (see `may_configure`); else PermissionDenied.

    Its workflow, SLA, assignment, lifecycle, intake, mailboxes, API clients and members are what a
    project admin configures; nothing global. Someone who configures no project at all is refused
    before the key is looked up, so they learn nothing of which keys exist.
    """
    if actor is None:
        raise PermissionDenied(NOT_PROJECT_ADMIN)
    if actor is not SYSTEM and not actor.is_admin and not configured_projects(session, actor):
        raise PermissionDenied(NOT_PROJECT_ADMIN)
    project = get_project(session, project_key)
    if not may_configure(session, actor, project.id):
        raise PermissionDenied(NOT_PROJECT_ADMIN)
    return project


def configured_projects(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """(key, name) of the projects the actor administers as a project admin (not as a global admin), by name."""
    if actor is SYSTEM or not actor.is_staff or not actor.is_active:
        return []
    return [
        (key, name)
        for key, name in session.exec(
            select(Project.key, Project.name)
            .join(ProjectMember, ProjectMember.project_id == Project.id)
            .where(ProjectMember.user_id == actor.id, ProjectMember.role == MemberRole.ADMIN)
            .order_by(Project.name)
        ).all()
    ]


def reads_colleagues_tickets(session: Session, actor: Actor) -> bool:
    """Whether the actor reads tickets of others in their organisation (see `shared_reporter_ids`)."""
    return shared_reporter_ids(session, actor) is not None


def _agent_project_ids(user_id: int):
    return select(ProjectMember.project_id).where(
        ProjectMember.user_id == user_id, ProjectMember.role.in_(WORKING_ROLES)
    )


def _shown(text: object) -> str:
    shown = str(text).strip() or "(none)"
    return shown if len(shown) <= _SHOWN_MAX else shown[: _SHOWN_MAX - 1] + "…"
