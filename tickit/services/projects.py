"""Reading projects and managing who belongs to them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from tickit.models import WORKING_ROLES, MemberRole, Project, ProjectMember, Role, Ticket, TicketType, User
from tickit.services import audit
from tickit.services.access import NOT_PROJECT_ADMIN, configured_projects, project_to_configure
from tickit.services.actors import SYSTEM, Actor, UserPublic
from tickit.services.errors import NotFound, PermissionDenied, ValidationFailed
from tickit.services.users import find_by_email


@dataclass(frozen=True)
class ProjectRow:
    id: int
    key: str
    name: str
    description: str
    type_names: list[str]
    agent_count: int
    client_count: int
    ticket_count: int


@dataclass(frozen=True)
class MemberRow:
    user_id: int
    name: str
    email: str
    account_role: str
    project_role: str


def list_projects(*, session: Session, actor: Actor) -> list[ProjectRow]:
    """The projects the actor configures (admins: every one) with their types and head counts."""
    if actor is SYSTEM or actor.is_admin:
        projects = session.exec(select(Project).order_by(Project.name)).all()
    else:
        keys = [key for key, _name in configured_projects(session, actor)]
        if not keys:
            raise PermissionDenied(NOT_PROJECT_ADMIN)
        projects = session.exec(select(Project).where(Project.key.in_(keys)).order_by(Project.name)).all()
    types = session.exec(
        select(TicketType.project_id, TicketType.name)
        .where(TicketType.archived == False)  # noqa: E712
        .order_by(TicketType.sort_order)
    ).all()
    members = session.exec(
        select(ProjectMember.project_id, ProjectMember.role, func.count()).group_by(
            ProjectMember.project_id, ProjectMember.role
        )
    ).all()
    tickets = dict(session.exec(select(Ticket.project_id, func.count()).group_by(Ticket.project_id)).all())
    head_counts = {(project_id, role): n for project_id, role, n in members}
    return [
        ProjectRow(
            id=p.id,
            key=p.key,
            name=p.name,
            description=p.description,
            type_names=[name for project_id, name in types if project_id == p.id],
            agent_count=sum(head_counts.get((p.id, role), 0) for role in WORKING_ROLES),
            client_count=head_counts.get((p.id, MemberRole.CLIENT), 0),
            ticket_count=tickets.get(p.id, 0),
        )
        for p in projects
    ]


def list_members(*, session: Session, actor: Actor, project_key: str) -> list[MemberRow]:
    """The project's agents first, then its clients, each by name."""
    project = project_to_configure(session, actor, project_key)
    rows = session.exec(
        select(ProjectMember, User)
        .join(User)
        .where(ProjectMember.project_id == project.id)
        .order_by(ProjectMember.role, User.name)
    ).all()
    return [
        MemberRow(user_id=u.id, name=u.name, email=u.email, account_role=u.role, project_role=m.role) for m, u in rows
    ]


def add_member(*, session: Session, actor: Actor, project_key: str, email: str, project_role: str) -> MemberRow:
    """Add a user to a project (or change their role in it)."""
    project = project_to_configure(session, actor, project_key)
    if project_role not in tuple(MemberRole):
        raise ValidationFailed({"project_role": "Project role must be client, agent or admin."})
    user = find_by_email(session, email) if email.strip() else None
    if user is None:
        raise ValidationFailed({"email": f"No user with email {email.strip().lower() or '(empty)'}."})
    if project_role in WORKING_ROLES and user.role == Role.CLIENT:
        raise ValidationFailed(
            {"project_role": f"{user.name} is a client; make them an agent before adding them as {project_role}."}
        )
    existing = session.get(ProjectMember, (project.id, user.id))
    member = existing or ProjectMember(project_id=project.id, user_id=user.id, role=project_role)
    if existing is None or existing.role != project_role:
        audit.record(
            session,
            actor=actor,
            action=audit.MEMBER_ADDED,
            target=f"{project.key} · {user.email}",
            before={"project_role": existing.role} if existing else {},
            after={"project_role": project_role},
        )
    member.role = project_role
    session.add(member)
    session.flush()
    return MemberRow(
        user_id=user.id, name=user.name, email=user.email, account_role=user.role, project_role=project_role
    )


def remove_member(*, session: Session, actor: Actor, project_key: str, user_id: int) -> None:
    """Take a user out of a project; their tickets stay."""
    project = project_to_configure(session, actor, project_key)
    member = session.get(ProjectMember, (project.id, user_id))
    if member is None:
        raise NotFound("That user is not a member of this project.")
    user = session.get(User, user_id)
    audit.record(
        session,
        actor=actor,
        action=audit.MEMBER_REMOVED,
        target=f"{project.key} · {user.email if user else user_id}",
        before={"project_role": member.role},
    )
    session.delete(member)
    session.flush()


def project_ids_for(session: Session, actor: UserPublic, project_role: str) -> list[int]:
    """Projects where the actor holds `project_role` (agent includes project admins); admins work every project."""
    if actor.is_admin:
        return list(session.exec(select(Project.id)).all())
    return list(
        session.exec(
            select(ProjectMember.project_id).where(
                ProjectMember.user_id == actor.id,
                ProjectMember.role.in_(WORKING_ROLES if project_role == MemberRole.AGENT else (project_role,)),
            )
        ).all()
    )


def worked_projects(session: Session, actor: UserPublic) -> list[tuple[int, str, str]]:
    """(id, key, name) of the live projects the actor works (every one for admins), by name."""
    query = select(Project.id, Project.key, Project.name).where(Project.archived_at.is_(None))
    if not actor.is_admin:
        query = query.join(ProjectMember, ProjectMember.project_id == Project.id).where(
            ProjectMember.user_id == actor.id, ProjectMember.role.in_(WORKING_ROLES)
        )
    return [tuple(row) for row in session.exec(query.order_by(Project.name, Project.id)).all()]
