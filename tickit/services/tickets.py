"""Filing tickets, from any source: the one place a ticket is created."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert
from sqlmodel import Session, select

from tickit.models import (
    ActivityEntry,
    MemberRole,
    Priority,
    Project,
    Source,
    Ticket,
    TicketStatus,
    TicketType,
    utcnow,
)
from tickit.services import assignment, fields, intake_policy, notifications, reporting, sla, tags, webhook_events
from tickit.services.access import format_ticket_number
from tickit.services.actors import UserPublic
from tickit.services.api_clients import ApiClientPublic
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


@dataclass(frozen=True)
class IdempotencyRecord:
    """What the integration API keeps with a ticket so that a retry of its request is not filed again."""

    key: str
    fingerprint: str
    expires_at: datetime


@dataclass(frozen=True)
class FiledTicket:
    """A ticket just filed, as its filer is told of it."""

    id: int
    project_key: str
    number: int
    type_key: str
    status_key: str
    title: str
    description: str
    priority: str
    fields: dict[str, Any]
    created_at: datetime
    assignee: assignment.Assignee | None = None  # given by the project's automatic assignment
    sla: sla.SlaStatus | None = None
    tags: tuple[str, ...] = ()

    @property
    def reference(self) -> str:
        """The number people use, `HH-42`."""
        return format_ticket_number(self.project_key, self.number)


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


def form_rules(*, session: Session, actor: UserPublic, project_key: str, type_key: str) -> list[fields.FieldRule]:
    """The fields the new-ticket form shows for this project and type, in form order."""
    where = _where_to_file(session, actor, project_key, type_key)
    if where is None:
        raise NotFound("Choose a project you may file in and one of its ticket types.")
    return fields.rules_for_type(session, where.type_id)


def file_ticket(
    *,
    session: Session,
    actor: UserPublic | ApiClientPublic,
    source: Source,
    project_key: str,
    type_key: str,
    title: str,
    description: str,
    reporter_id: int | None,
    field_values: Mapping[str, Any] | None = None,
    priority: str = Priority.NORMAL,
    metadata: Mapping[str, Any] | None = None,
    idempotency: IdempotencyRecord | None = None,
    refused: Mapping[str, str] | None = None,
    tag_names: Sequence[str] = (),
) -> FiledTicket:
    """File a ticket in its type's initial status: the one way a ticket is created, whatever its source.

    Checks the text, the type (one the actor may file in) and the custom fields, numbers the
    ticket, records its activity entry and stages the `ticket_created` event; then flushes. A
    user files in the projects `filing_targets` offers them, an API client in its own project.
    Raises ValidationFailed naming each field at fault: title, description, type, or
    `fields.<key>` (a type's own field keys could clash with the others), together with the
    caller's own `refused` errors, so the filer hears of every problem at once (`tags` for a name
    that cannot be a tag: `tags.normalise`); a priority other
    than normal from a client is refused unless the project lets clients set it. A requester past
    the project's hourly limit gets RateLimited (`intake_policy`).
    """
    title, description = title.strip(), description.strip()
    errors = {**(refused or {}), **_text_errors(title, description)}
    try:
        tag_list = sorted({tags.normalise(name) for name in tag_names})
    except ValidationFailed as exc:
        errors["tags"] = exc.errors["tag"]
    else:
        if len(tag_list) > tags.TAGS_PER_TICKET_MAX:
            errors["tags"] = f"A ticket carries at most {tags.TAGS_PER_TICKET_MAX} tags."
    where = _where_to_file(session, actor, project_key, type_key)
    cleaned: dict[str, Any] = {}
    if where is None:
        errors["type"] = _type_error(session, actor, type_key)
    else:
        try:
            rules = fields.rules_for_type(session, where.type_id)
            if source == Source.EMAIL:
                # A mail cannot answer the type's form: its required fields wait for the team to fill in.
                rules = [replace(rule, required=False) for rule in rules]
            cleaned = fields.clean_field_values(rules, field_values or {})
        except ValidationFailed as exc:
            errors.update({f"fields.{key}": message for key, message in exc.errors.items()})
        errors.update(intake_policy.priority_errors(session, actor, where.project_id, priority))
    if errors:
        raise ValidationFailed(errors)
    intake_policy.count_filing(session, actor, where.project_id)
    by_client = isinstance(actor, ApiClientPublic)
    now = utcnow()
    created_after = {
        "title": title,
        "status": where.status_key,
        "type": where.type_key,
        "source": source,
        **({"api_client": actor.name} if by_client else {}),
        "fields": cleaned,
        **({"tags": tag_list} if tag_list else {}),
    }
    # The project's numbering row stays locked from here to the commit, and every filing in the
    # project waits for it: what can be made ready is made ready before.
    number = allocate_ticket_number(session=session, project_id=where.project_id)
    # Rows written once and read back by nobody in this transaction: INSERTs on the session's
    # connection skip the ORM's unit of work, a large share of a filing's CPU time.
    connection = session.connection()
    # Values as execution parameters, not `.values(...)`: the statement is then the same on every
    # call, so it is compiled once, and nothing is turned into SQL expressions per filing.
    ticket_id = connection.execute(
        insert(Ticket).returning(Ticket.id),
        {
            "project_id": where.project_id,
            "type_id": where.type_id,
            "status_id": where.status_id,
            "number": number,
            "board_rank": float(number),
            "title": title,
            "description": description,
            "priority": priority,
            "reporter_id": reporter_id,
            "source": source,
            "api_client_id": actor.id if by_client else None,
            "idempotency_key": idempotency.key if idempotency else None,
            "request_fingerprint": idempotency.fingerprint if idempotency else None,
            "idempotency_expires_at": idempotency.expires_at if idempotency else None,
            "fields": cleaned,
            "metadata": dict(metadata or {}),
            "created_at": now,
            "updated_at": now,
            "public_updated_at": now,
        },
    ).scalar_one()
    connection.execute(
        insert(ActivityEntry),
        {
            "ticket_id": ticket_id,
            "actor_user_id": None if by_client else actor.id,
            "actor_api_client_id": actor.id if by_client else None,
            "action": "created",
            "after": created_after,
            "created_at": now,
        },
    )
    tags.tag_new_ticket(session, ticket_id=ticket_id, project_id=where.project_id, names=tag_list)
    notifications.stage_ticket_created(session, ticket_id=ticket_id, title=title)
    assignee = assignment.assign_on_filing(
        session=session,
        ticket_id=ticket_id,
        project_id=where.project_id,
        type_id=where.type_id,
        field_values=cleaned,
        now=now,
    )
    sla_status = sla.start_clock(session, ticket_id=ticket_id, now=now)
    webhook_events.publish(
        session, project_id=where.project_id, ticket_id=ticket_id, event=webhook_events.TICKET_CREATED
    )
    reporting.on_created(session, ticket_id)
    return FiledTicket(
        id=ticket_id,
        project_key=where.project_key,
        number=number,
        type_key=where.type_key,
        status_key=where.status_key,
        title=title,
        description=description,
        priority=priority,
        fields=cleaned,
        created_at=now,
        assignee=assignee,
        sla=sla_status,
        tags=tuple(tag_list),
    )


def _text_errors(title: str, description: str) -> dict[str, str]:
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


@dataclass(frozen=True)
class _Where:
    """Where a new ticket goes: its project, its type, and the type's initial status."""

    project_id: int
    project_key: str
    type_id: int
    type_key: str
    status_id: int
    status_key: str


# Every filing runs it. Built once, with parameters: compiled and cached once, where a statement
# built per call costs more CPU than the database takes to run it.
_TYPE_TO_FILE = (
    select(
        Project.id.label("project_id"),
        Project.key,
        TicketType.id,
        TicketType.key,
        TicketStatus.id,
        TicketStatus.key,
    )
    .join(TicketType, TicketType.project_id == Project.id)
    .join(TicketStatus, TicketStatus.type_id == TicketType.id)
    .where(
        Project.key == bindparam("project_key"),
        TicketType.key == bindparam("type_key"),
        TicketType.archived == False,  # noqa: E712
        TicketStatus.is_initial == True,  # noqa: E712
    )
    .order_by(TicketStatus.id)
)


def _where_to_file(
    session: Session, actor: UserPublic | ApiClientPublic, project_key: str, type_key: str
) -> _Where | None:
    """The active type `type_key` of a project the actor may file in, with its initial status; None if there is none."""
    type_key = type_key.strip()
    if not type_key or fields.unstorable_reason(type_key) is not None:
        return None
    if not isinstance(actor, ApiClientPublic):
        target = next((t for t in filing_targets(session=session, actor=actor) if t.project_key == project_key), None)
        if target is None or type_key not in {t.key for t in target.types}:
            return None
    row = session.connection().execute(_TYPE_TO_FILE, {"project_key": project_key, "type_key": type_key}).first()
    if row is None or (isinstance(actor, ApiClientPublic) and row.project_id != actor.project_id):
        return None
    return _Where(*row)


def _type_error(session: Session, actor: UserPublic | ApiClientPublic, type_key: str) -> str:
    """Why the type is not one to file under; an API client is told its project's types."""
    if not isinstance(actor, ApiClientPublic):
        return "Choose a project you may file tickets in and one of its ticket types."
    if not type_key.strip():
        return "Give the ticket type's key (GET /integrations/v1/ticket-types lists them)."
    known = session.exec(
        select(TicketType.key)
        .where(TicketType.project_id == actor.project_id, TicketType.archived == False)  # noqa: E712
        .order_by(TicketType.sort_order, TicketType.id)
    ).all()
    return f"There is no ticket type {type_key[:60]!r}; this project's types are: {', '.join(known)}."
