"""Who holds how much work: the workload view, moving an agent's open tickets, and what deactivation frees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func
from sqlmodel import Session, select

from tickit.models import (
    WORKING_ROLES,
    AgentAvailability,
    Project,
    ProjectMember,
    StatusCategory,
    Ticket,
    TicketStatus,
    User,
    utcnow,
)
from tickit.services import assignment
from tickit.services.access import can_work, format_ticket_number
from tickit.services.actors import Actor, UserPublic, require_admin, require_staff
from tickit.services.errors import NotFound, ValidationFailed
from tickit.services.projects import worked_projects


@dataclass(frozen=True)
class OldestTicket:
    number: str
    title: str
    created_at: datetime


@dataclass(frozen=True)
class AgentLoad:
    """One agent's open work in a project."""

    user_id: int
    name: str
    available: bool
    capacity: int | None
    todo: int
    in_progress: int
    oldest: OldestTicket | None

    @property
    def open(self) -> int:
        return self.todo + self.in_progress


@dataclass(frozen=True)
class Workload:
    project_key: str
    project_name: str
    projects: tuple[tuple[str, str], ...]  # (key, name) of every project the viewer works, by name
    agents: tuple[AgentLoad, ...]  # by name
    unassigned: int  # open tickets waiting in the queue
    can_transfer: bool  # the viewer may move an agent's tickets (admins)


def workload(*, session: Session, actor: UserPublic, project_key: str | None = None) -> Workload:
    """The open work of each agent of a project the actor works (the first by name when none is given)."""
    require_staff(actor)
    projects = worked_projects(session, actor)
    if not projects:
        raise NotFound("You work no project yet, so there is no workload to show.")
    wanted = (project_key or "").strip().upper()
    project_id, key, name = next((p for p in projects if p[1] == wanted), projects[0])
    counts = {
        user_id: (int(todo or 0), int(doing or 0))
        for user_id, todo, doing in session.exec(
            select(
                Ticket.assignee_id,
                func.sum(case((TicketStatus.category == StatusCategory.TODO, 1), else_=0)),
                func.sum(case((TicketStatus.category == StatusCategory.IN_PROGRESS, 1), else_=0)),
            )
            .join(TicketStatus, TicketStatus.id == Ticket.status_id)
            .where(Ticket.project_id == project_id, TicketStatus.category != StatusCategory.DONE)
            .group_by(Ticket.assignee_id)
        ).all()
    }
    agents = session.exec(
        select(User.id, User.name, AgentAvailability.available, AgentAvailability.capacity)
        .join(ProjectMember, ProjectMember.user_id == User.id)
        .outerjoin(
            AgentAvailability,
            (AgentAvailability.project_id == ProjectMember.project_id) & (AgentAvailability.user_id == User.id),
        )
        .where(ProjectMember.project_id == project_id, ProjectMember.role.in_(WORKING_ROLES), User.is_active)
        .order_by(User.name, User.id)
    ).all()
    oldest = _oldest_open(session, project_id, key)
    return Workload(
        project_key=key,
        project_name=name,
        projects=tuple((k, n) for _, k, n in projects),
        agents=tuple(
            AgentLoad(
                user_id=user_id,
                name=agent_name,
                available=available is not False,
                capacity=capacity,
                todo=counts.get(user_id, (0, 0))[0],
                in_progress=counts.get(user_id, (0, 0))[1],
                oldest=oldest.get(user_id),
            )
            for user_id, agent_name, available, capacity in agents
        ),
        unassigned=sum(counts.get(None, (0, 0))),
        can_transfer=actor.is_admin,
    )


def _oldest_open(session: Session, project_id: int, project_key: str) -> dict[int, OldestTicket]:
    """Each agent's oldest open ticket in the project."""
    ranked = (
        select(
            Ticket.assignee_id,
            Ticket.number,
            Ticket.title,
            Ticket.created_at,
            func.row_number()
            .over(partition_by=Ticket.assignee_id, order_by=(Ticket.created_at, Ticket.id))
            .label("rank"),
        )
        .join(TicketStatus, TicketStatus.id == Ticket.status_id)
        .where(
            Ticket.project_id == project_id,
            Ticket.assignee_id.is_not(None),
            TicketStatus.category != StatusCategory.DONE,
        )
        .subquery()
    )
    rows = session.exec(
        select(ranked.c.assignee_id, ranked.c.number, ranked.c.title, ranked.c.created_at).where(ranked.c.rank == 1)
    ).all()
    return {
        user_id: OldestTicket(format_ticket_number(project_key, number), title, created_at)
        for user_id, number, title, created_at in rows
    }


def transfer_open_tickets(
    *, session: Session, actor: Actor, project_key: str, from_user_id: int, to_user_id: int | None
) -> int:
    """Give every open ticket an agent holds in the project to another agent, or back to the queue (None).

    Admins only; each ticket's history records the move. Returns how many tickets moved.
    """
    require_admin(actor)
    project = session.exec(select(Project).where(Project.key == project_key.strip().upper())).first()
    if project is None:
        raise NotFound(f"No project with key {project_key.strip().upper()}.")
    if to_user_id == from_user_id:
        raise ValidationFailed({"to": "Choose another agent, or the queue."})
    source = session.get(User, from_user_id)
    if source is None:
        raise NotFound(f"No user with id {from_user_id}.")
    if to_user_id is not None and not _works_project(session, to_user_id, project.id):
        raise ValidationFailed({"to": "Give the tickets to an active agent of the project, or to the queue."})
    why = f"moved from {source.name}" if to_user_id is not None else f"{source.name}'s tickets back to the queue"
    return _move_open(session, actor, from_user_id, to_user_id, project_ids=[project.id], reason=why)


def release_open_tickets(*, session: Session, actor: Actor, user_id: int, to_user_id: int | None = None) -> int:
    """Hand back every open ticket of a user being deactivated; how many tickets moved.

    They go to `to_user_id` in the projects that person works, else back to the queue; each
    ticket's history records it.
    """
    require_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}.")
    if to_user_id == user_id:
        raise ValidationFailed({"to": "Choose another agent, or the queue."})
    project_ids = session.exec(
        select(Ticket.project_id)
        .join(TicketStatus, TicketStatus.id == Ticket.status_id)
        .where(Ticket.assignee_id == user_id, TicketStatus.category != StatusCategory.DONE)
        .distinct()
    ).all()
    moved = 0
    for project_id in project_ids:
        heir = to_user_id if to_user_id is not None and _works_project(session, to_user_id, project_id) else None
        why = f"{user.name} was deactivated"
        moved += _move_open(session, actor, user_id, heir, project_ids=[project_id], reason=why)
    return moved


def _move_open(
    session: Session, actor: Actor, from_user_id: int, to_user_id: int | None, *, project_ids: list[int], reason: str
) -> int:
    tickets = session.exec(
        select(Ticket)
        .join(TicketStatus, TicketStatus.id == Ticket.status_id)
        .where(
            Ticket.project_id.in_(project_ids),
            Ticket.assignee_id == from_user_id,
            TicketStatus.category != StatusCategory.DONE,
        )
        .order_by(Ticket.id)
        .with_for_update(of=Ticket)
        .execution_options(populate_existing=True)
    ).all()
    now = utcnow()
    for ticket in tickets:
        assignment.record_assignment(session, ticket, actor, to_user_id, now=now, reason=reason)
    return len(tickets)


def _works_project(session: Session, user_id: int, project_id: int) -> bool:
    user = session.get(User, user_id)
    return user is not None and user.is_active and can_work(session, UserPublic.of(user), project_id)
