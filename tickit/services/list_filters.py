"""What the staff ticket list's filter bar offers: the projects, types, statuses and agents the actor works with."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from tickit.models import WORKING_ROLES, MemberRole, Project, ProjectMember, TicketStatus, TicketType, User
from tickit.services import organisations
from tickit.services.actors import UserPublic, require_staff
from tickit.services.projects import project_ids_for


@dataclass(frozen=True)
class TypeChoice:
    project_key: str
    key: str
    name: str


@dataclass(frozen=True)
class StatusChoice:
    project_key: str
    type_key: str
    key: str
    name: str
    category: str  # todo | in_progress | done: the filter groups statuses by it


@dataclass(frozen=True)
class AgentChoice:
    project_key: str
    id: int
    name: str


@dataclass(frozen=True)
class FilterChoices:
    projects: list[tuple[str, str]]  # (key, name), by name
    types: list[TypeChoice]  # in project, then board order
    statuses: list[StatusChoice]  # in project, type, then board order
    agents: list[AgentChoice]  # active agent members, in project order, then by name
    organisations: list[tuple[int, str]]  # (id, name) of every customer organisation, by name


def filter_choices(*, session: Session, actor: UserPublic) -> FilterChoices:
    """The projects the actor works (admins: all), with their types, statuses and agents; archived ones left out."""
    require_staff(actor)
    ids = project_ids_for(session, actor, MemberRole.AGENT)
    if not ids:
        return FilterChoices(projects=[], types=[], statuses=[], agents=[], organisations=[])
    projects = session.exec(
        select(Project.key, Project.name)
        .where(Project.id.in_(ids), Project.archived_at.is_(None))
        .order_by(Project.name, Project.id)
    ).all()
    types = session.exec(
        select(Project.key, TicketType.key, TicketType.name)
        .join(TicketType, TicketType.project_id == Project.id)
        .where(Project.id.in_(ids), Project.archived_at.is_(None), TicketType.archived == False)  # noqa: E712
        .order_by(Project.name, Project.id, TicketType.sort_order, TicketType.id)
    ).all()
    statuses = session.exec(
        select(Project.key, TicketType.key, TicketStatus.key, TicketStatus.name, TicketStatus.category)
        .join(TicketType, TicketType.project_id == Project.id)
        .join(TicketStatus, TicketStatus.type_id == TicketType.id)
        .where(Project.id.in_(ids), Project.archived_at.is_(None), TicketType.archived == False)  # noqa: E712
        .order_by(Project.name, Project.id, TicketType.sort_order, TicketType.id, TicketStatus.sort_order)
    ).all()
    agents = session.exec(
        select(Project.key, User.id, User.name)
        .join(ProjectMember, ProjectMember.project_id == Project.id)
        .join(User, User.id == ProjectMember.user_id)
        .where(
            Project.id.in_(ids),
            Project.archived_at.is_(None),
            ProjectMember.role.in_(WORKING_ROLES),
            User.is_active == True,  # noqa: E712
        )
        .order_by(Project.name, Project.id, User.name, User.id)
    ).all()
    return FilterChoices(
        projects=[(key, name) for key, name in projects],
        types=[TypeChoice(*row) for row in types],
        statuses=[StatusChoice(*row) for row in statuses],
        agents=[AgentChoice(*row) for row in agents],
        organisations=organisations.organisation_names(session),
    )
