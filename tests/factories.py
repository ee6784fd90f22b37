"""Test data: users of each role, projects from templates, memberships, tickets."""

from __future__ import annotations

import itertools
from typing import Any

from sqlmodel import Session

from tickit.models import FieldType, ProjectMember, Source
from tickit.services import api_clients, fields, intake_policy, project_setup, templates, tickets, users
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


def make_project(
    session: Session,
    key: str = "HH",
    *,
    template: str = "software-feedback",
    name: str | None = None,
    limit_filing: bool = False,
):
    """A project from a template; clients file in it without the hourly limit unless `limit_filing`."""
    summary = project_setup.create_project(
        session=session,
        actor=SYSTEM,
        key=key,
        name=name or f"Project {key}",
        workflow=templates.load_template(template),
    )
    if not limit_filing:
        intake_policy.update_intake(session=session, actor=SYSTEM, project_key=key, changes={"tickets_per_hour": 0})
    session.flush()
    return summary


def add_member(session: Session, project_id: int, user: UserPublic, role: str) -> None:
    session.add(ProjectMember(project_id=project_id, user_id=user.id, role=role))
    session.flush()


def valid_field_values(rules: list[fields.FieldRule]) -> dict[str, Any]:
    """A value that passes the validator for every required field (optional ones left empty)."""
    samples = {
        FieldType.TEXT: "sample",
        FieldType.LONG_TEXT: "A longer sample.",
        FieldType.NUMBER: 1,
        FieldType.DATE: "2026-11-22",
        FieldType.CHECKBOX: True,
        FieldType.URL: "https://example.com",
        FieldType.EMAIL: "someone@example.com",
    }
    values: dict[str, Any] = {}
    for rule in rules:
        if not rule.required:
            continue
        if rule.field_type == FieldType.SELECT:
            values[rule.key] = rule.options[0][0]
        elif rule.field_type == FieldType.MULTI_SELECT:
            values[rule.key] = [rule.options[0][0]]
        else:
            values[rule.key] = samples[rule.field_type]
    return values


def file_ticket(
    session: Session,
    reporter: UserPublic,
    project_key: str = "HH",
    title: str = "Export fails",
    *,
    type_key: str | None = None,
    field_values: dict[str, Any] | None = None,
) -> str:
    """File a ticket through the web service, in the project's first type unless told otherwise."""
    target = next(t for t in tickets.filing_targets(session=session, actor=reporter) if t.project_key == project_key)
    type_key = type_key or target.types[0].key
    if field_values is None:
        rules = tickets.form_rules(session=session, actor=reporter, project_key=project_key, type_key=type_key)
        field_values = valid_field_values(rules)
    filed = tickets.file_ticket(
        session=session,
        actor=reporter,
        source=Source.WEB,
        project_key=project_key,
        type_key=type_key,
        title=title,
        description="Steps to reproduce…",
        reporter_id=reporter.id,
        field_values=field_values,
    )
    session.flush()
    return filed.reference


def make_api_client(session: Session, project_key: str = "HH", name: str = "Shop") -> api_clients.CreatedApiClient:
    """An API client of the project, with its token."""
    created = api_clients.create_api_client(session=session, actor=SYSTEM, project_key=project_key, name=name)
    session.flush()
    return created
