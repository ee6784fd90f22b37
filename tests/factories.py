"""Test data: users of each role, projects from templates, memberships, tickets."""

from __future__ import annotations

import itertools

from sqlmodel import Session

from tickit.models import ProjectMember
from tickit.services import project_setup, templates, tickets, users
from tickit.services.actors import SYSTEM, UserPublic

_sequence = itertools.count(1)
PASSWORD = "correct horse battery"


def make_user(
    session: Session,
    role: str = "client",
    *,
    email: str | None = None,
    name: str | None = None,
    password: str = PASSWORD,
) -> UserPublic:
    n = next(_sequence)
    created = users.create_user(
        session=session,
        actor=SYSTEM,
        email=email or f"{role}{n}@example.com",
        name=name or f"{role.title()} {n}",
        role=role,
        password=password,
        send_welcome=False,
    )
    session.flush()
    return created.user


def make_project(session: Session, key: str = "HH", *, template: str = "software-feedback", name: str | None = None):
    summary = project_setup.create_project(
        session=session,
        actor=SYSTEM,
        key=key,
        name=name or f"Project {key}",
        workflow=templates.load_template(template),
    )
    session.flush()
    return summary


def add_member(session: Session, project_id: int, user: UserPublic, role: str) -> None:
    session.add(ProjectMember(project_id=project_id, user_id=user.id, role=role))
    session.flush()


def file_ticket(session: Session, reporter: UserPublic, project_key: str = "HH", title: str = "Export fails") -> str:
    number = tickets.create_web_ticket(
        session=session, actor=reporter, project_key=project_key, title=title, description="Steps to reproduce…"
    )
    session.flush()
    return number
