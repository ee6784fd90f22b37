"""Filing tickets from the web."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from tickit.models import (
    ActivityEntry,
    MemberRole,
    Project,
    Source,
    Ticket,
    TicketStatus,
    TicketType,
    utcnow,
)
from tickit.services import fields, notifications
from tickit.services.access import format_ticket_number
from tickit.services.actors import UserPublic
from tickit.services.errors import NotFound, ValidationFailed
from tickit.services.project_setup import allocate_ticket_number
from tickit.services.projects import project_ids_for

TITLE_MAX = 300
DESCRIPTION_MAX = 20_000


@dataclass(frozen=True)
class TypeChoice:
    key: str
    name: str


@dataclass(frozen=True)
class FilingTarget:
    """A project the actor may file in, with the ticket types its form offers."""

    project_key: str
    project_name: str
    types: tuple[TypeChoice, ...]


def filing_targets(*, session: Session, actor: UserPublic) -> list[FilingTarget]:
    """Projects the actor may file a ticket in (clients in their projects, staff in the ones they work)."""
    role = MemberRole.CLIENT if not actor.is_staff else MemberRole.AGENT
    ids = project_ids_for(session, actor, role)
    rows = session.exec(
        select(Project.key, Project.name, TicketType.key, TicketType.name)
        .join(TicketType, TicketType.project_id == Project.id)
        .where(Project.id.in_(ids), Project.archived_at.is_(None), TicketType.archived == False)  # noqa: E712
        .order_by(Project.name, Project.id, TicketType.sort_order, TicketType.id)
    ).all()
    targets: dict[str, FilingTarget] = {}
    for project_key, project_name, type_key, type_name in rows:
        target = targets.setdefault(project_key, FilingTarget(project_key, project_name, ()))
        targets[project_key] = FilingTarget(project_key, project_name, (*target.types, TypeChoice(type_key, type_name)))
    return list(targets.values())


def ticket_text_errors(title: str, description: str) -> dict[str, str]:
    """What is wrong with a new ticket's (stripped) title and description, keyed `title` and `description`."""
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "Give the ticket a title."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep the title under {TITLE_MAX} characters."
    elif reason := fields.unstorable_reason(title):
        errors["title"] = f"The title {reason}."
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = f"Keep the description under {DESCRIPTION_MAX:,} characters."
    elif reason := fields.unstorable_reason(description):
        errors["description"] = f"The description {reason}."
    return errors


def _filing_type(session: Session, actor: UserPublic, project_key: str, type_key: str) -> TicketType | None:
    """The active type `type_key` of a project the actor may file in, or None."""
    target = next((t for t in filing_targets(session=session, actor=actor) if t.project_key == project_key), None)
    if target is None or type_key not in {t.key for t in target.types}:
        return None
    return session.exec(
        select(TicketType).join(Project).where(Project.key == project_key, TicketType.key == type_key)
    ).one()


def form_rules(*, session: Session, actor: UserPublic, project_key: str, type_key: str) -> list[fields.FieldRule]:
    """The fields the new-ticket form shows for this project and type, in form order."""
    ticket_type = _filing_type(session, actor, project_key, type_key)
    if ticket_type is None:
        raise NotFound("Choose a project you may file in and one of its ticket types.")
    return fields.rules_for_type(session, ticket_type.id)


def create_web_ticket(
    *,
    session: Session,
    actor: UserPublic,
    project_key: str,
    type_key: str,
    title: str,
    description: str,
    field_values: Mapping[str, Any] | None = None,
) -> str:
    """File a ticket from the web form in the type's initial status; returns its number.

    Errors name the form field: title, description, project, type, or `fields.<key>` for a
    custom field (custom field keys are the type's own and could otherwise clash).
    """
    title, description = title.strip(), description.strip()
    errors = ticket_text_errors(title, description)
    ticket_type = _filing_type(session, actor, project_key, type_key)
    if ticket_type is None:
        errors["type"] = "Choose a project you may file tickets in and one of its ticket types."
    cleaned: dict[str, Any] = {}
    if ticket_type is not None:
        try:
            cleaned = fields.clean_field_values(fields.rules_for_type(session, ticket_type.id), field_values or {})
        except ValidationFailed as exc:
            errors.update({f"fields.{key}": message for key, message in exc.errors.items()})
    if errors:
        raise ValidationFailed(errors)
    project = session.get(Project, ticket_type.project_id)
    initial = session.exec(
        select(TicketStatus).where(TicketStatus.type_id == ticket_type.id, TicketStatus.is_initial == True)  # noqa: E712
    ).one()
    number = allocate_ticket_number(session=session, project_id=project.id)
    now = utcnow()
    ticket = Ticket(
        project_id=project.id,
        type_id=ticket_type.id,
        status_id=initial.id,
        number=number,
        title=title,
        description=description,
        reporter_id=actor.id,
        source=Source.WEB,
        fields=cleaned,
        board_rank=float(number),
        created_at=now,
        updated_at=now,
    )
    session.add(ticket)
    session.flush()
    session.add(
        ActivityEntry(
            ticket_id=ticket.id,
            actor_user_id=actor.id,
            action="created",
            after={
                "title": title,
                "status": initial.key,
                "type": ticket_type.key,
                "source": Source.WEB,
                "fields": cleaned,
            },
            created_at=now,
        )
    )
    notifications.stage_ticket_created(session, ticket_id=ticket.id, title=title)
    return format_ticket_number(project.key, number)
