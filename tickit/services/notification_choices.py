"""What each person chooses to hear about: what concerns them, and each project's new tickets.

Two separate questions, as the profile asks them. What concerns a user (a ticket assigned to
them, a mention, a reply on a ticket they have) holds on every project and starts on. What an
agent hears about a project's new tickets is chosen per project: all of them, only those still
unassigned when the news goes out (the default, so a ticket someone took at once is no news), or
none. `notifications` reads both when it fans an event out; the bell, mail and push all follow.
Where the news goes (mail, push) stays in `users.notification_choices`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from tickit.models import (
    WORKING_ROLES,
    NewTicketsChoice,
    Project,
    ProjectMember,
    ProjectNotificationChoice,
    User,
)
from tickit.services.actors import UserPublic
from tickit.services.errors import NotFound, ValidationFailed

NEW_TICKETS_LABELS: dict[str, str] = {
    NewTicketsChoice.ALL.value: "All new tickets",
    NewTicketsChoice.UNASSIGNED.value: "Unassigned only",
    NewTicketsChoice.NONE.value: "None",
}
DEFAULT_NEW_TICKETS = NewTicketsChoice.UNASSIGNED.value


@dataclass(frozen=True)
class ProjectChoice:
    project_key: str
    project_name: str
    new_tickets: str  # a NewTicketsChoice value


@dataclass(frozen=True)
class ConcernChoices:
    """What concerns the user, and (for agents) each of their projects' new tickets, by project name."""

    assigned: bool
    mentions: bool
    replies: bool
    projects: tuple[ProjectChoice, ...]


def choices(*, session: Session, actor: UserPublic) -> ConcernChoices:
    """The signed-in user's own choices; `projects` lists the projects they work as an agent."""
    user = _user(session, actor)
    rows = session.exec(
        select(Project.key, Project.name, ProjectNotificationChoice.new_tickets)
        .join(ProjectMember, ProjectMember.project_id == Project.id)
        .outerjoin(
            ProjectNotificationChoice,
            (ProjectNotificationChoice.project_id == Project.id) & (ProjectNotificationChoice.user_id == user.id),
        )
        .where(ProjectMember.user_id == user.id, ProjectMember.role.in_(WORKING_ROLES))
        .order_by(Project.name, Project.key)
    ).all()
    return ConcernChoices(
        assigned=user.notify_assigned,
        mentions=user.notify_mentions,
        replies=user.notify_replies,
        projects=tuple(ProjectChoice(key, name, chosen or DEFAULT_NEW_TICKETS) for key, name, chosen in rows),
    )


def set_concerns(
    *,
    session: Session,
    actor: UserPublic,
    assigned: bool | None = None,
    mentions: bool | None = None,
    replies: bool | None = None,
) -> ConcernChoices:
    """Switch what concerns the signed-in user on or off; a choice left None stays as it is."""
    user = _user(session, actor)
    wanted = {"assigned": assigned, "mentions": mentions, "replies": replies}
    errors = {
        name: "Choose on or off." for name, value in wanted.items() if value is not None and not isinstance(value, bool)
    }
    if errors:
        raise ValidationFailed(errors)
    for name, value in wanted.items():
        if value is not None:
            setattr(user, f"notify_{name}", value)
    session.add(user)
    session.flush()
    return choices(session=session, actor=actor)


def set_new_tickets(*, session: Session, actor: UserPublic, project_key: str, new_tickets: str) -> ConcernChoices:
    """Choose what the signed-in agent hears about `project_key`'s new tickets (all, unassigned, none)."""
    if new_tickets not in NEW_TICKETS_LABELS:
        raise ValidationFailed({"new_tickets": f"Choose one of {', '.join(NEW_TICKETS_LABELS)}."})
    user = _user(session, actor)
    project_id = session.exec(
        select(Project.id)
        .join(ProjectMember, ProjectMember.project_id == Project.id)
        .where(Project.key == project_key, ProjectMember.user_id == user.id, ProjectMember.role.in_(WORKING_ROLES))
    ).first()
    if project_id is None:
        raise NotFound(f"You do not work project {project_key}.")
    row = session.exec(
        select(ProjectNotificationChoice).where(
            ProjectNotificationChoice.user_id == user.id, ProjectNotificationChoice.project_id == project_id
        )
    ).first()
    row = row or ProjectNotificationChoice(user_id=user.id, project_id=project_id)
    row.new_tickets = new_tickets
    session.add(row)
    session.flush()
    return choices(session=session, actor=actor)


def hears_of_new_ticket(session: Session, user: User, project_id: int, *, assigned: bool) -> bool:
    """Whether `user`'s choice for the project lets them hear of a new ticket (assigned by now or not)."""
    chosen = session.exec(
        select(ProjectNotificationChoice.new_tickets).where(
            ProjectNotificationChoice.user_id == user.id, ProjectNotificationChoice.project_id == project_id
        )
    ).first()
    chosen = chosen or DEFAULT_NEW_TICKETS
    return chosen == NewTicketsChoice.ALL or (chosen == NewTicketsChoice.UNASSIGNED and not assigned)


def _user(session: Session, actor: UserPublic) -> User:
    user = session.get(User, actor.id)
    if user is None:
        raise NotFound("No such user.")
    return user
