"""Creating projects from workflow documents, and numbering their tickets."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import bindparam, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from tickit.models import Project, SavedView, TicketStatus, TicketTransition, TicketType, TicketTypeField
from tickit.services import intake_policy, sla_config
from tickit.services.actors import Actor, require_admin
from tickit.services.errors import NotFound, ValidationFailed
from tickit.services.templates import WorkflowDocument
from tickit.services.templates.assignment import create_assignment_rows, create_type_skills_rows
from tickit.services.workflow_specs import TypeSpec

PROJECT_KEY_PATTERN = re.compile(r"[A-Z][A-Z0-9]{1,9}")
PROJECT_KEY_RULE = "must be 2 to 10 letters or digits, starting with a letter (like HH or OPS2)"
NAME_MAX_LENGTH: int = Project.__table__.c.name.type.length
DESCRIPTION_MAX_LENGTH: int = Project.__table__.c.description.type.length


@dataclass(frozen=True)
class ProjectSummary:
    id: int
    key: str
    name: str
    description: str
    type_names: tuple[str, ...]


def normalize_project_key(raw: str) -> str:
    """The key as stored: surrounding space dropped and upper-cased, so `hh` and `HH` are one key."""
    return raw.strip().upper()


def create_project(
    *,
    session: Session,
    actor: Actor,
    key: str,
    name: str,
    workflow: WorkflowDocument,
    description: str | None = None,
) -> ProjectSummary:
    """Create a project with the workflow's types, statuses, transitions and fields; caller commits."""
    require_admin(actor)
    key = normalize_project_key(key)
    name = name.strip()
    description = (workflow.description if description is None else description).strip()

    errors: dict[str, str] = {}
    if not PROJECT_KEY_PATTERN.fullmatch(key):
        errors["key"] = PROJECT_KEY_RULE
    elif _key_taken(session, key):
        errors["key"] = f"{key} is already the key of another project"
    if not name:
        errors["name"] = "is required"
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = f"must be at most {NAME_MAX_LENGTH} characters"
    if len(description) > DESCRIPTION_MAX_LENGTH:
        errors["description"] = f"must be at most {DESCRIPTION_MAX_LENGTH} characters"
    if errors:
        raise ValidationFailed(errors)

    project = Project(key=key, name=name, description=description, last_ticket_number=0)
    if workflow.lifecycle is not None:
        project.sqlmodel_update(workflow.lifecycle.__dict__)
    try:
        # The unique index decides when two admins pick the same key at once; the savepoint
        # keeps the caller's transaction usable after the loser's INSERT fails.
        with session.begin_nested():
            session.add(project)
            session.flush()
    except IntegrityError:
        raise ValidationFailed({"key": f"{key} is already the key of another project"}) from None

    for position, spec in enumerate(workflow.types):
        create_type_rows(session, project.id, position, spec)
    create_assignment_rows(session, project.id, workflow.assignment)
    if workflow.sla is not None:
        sla_config.replace_config(session, project, workflow.sla)
    if workflow.intake:
        intake_policy.update_intake(session=session, actor=actor, project_key=key, changes=workflow.intake)
    for position, (view_name, query) in enumerate(workflow.views, start=1):
        session.add(SavedView(project_id=project.id, name=view_name, query=query, position=position))
    session.flush()
    return ProjectSummary(
        id=project.id,
        key=project.key,
        name=project.name,
        description=project.description,
        type_names=tuple(spec.name for spec in workflow.types),
    )


def _key_taken(session: Session, key: str) -> bool:
    return session.exec(select(Project.id).where(func.upper(Project.key) == key)).first() is not None


def create_type_rows(session: Session, project_id: int, position: int, spec: TypeSpec) -> None:
    """Insert a ticket type with its statuses, transitions and fields as `spec` describes them."""
    ticket_type = TicketType(
        project_id=project_id,
        key=spec.key,
        name=spec.name,
        color=spec.color,
        icon=spec.icon,
        sort_order=position,
        staff_reply_status=spec.staff_reply_status,
        requester_reply_status=spec.requester_reply_status,
    )
    session.add(ticket_type)
    session.flush()

    statuses = {
        status.key: TicketStatus(
            type_id=ticket_type.id,
            key=status.key,
            name=status.name,
            color=status.color,
            sort_order=index,
            category=status.category,
            is_initial=status.initial,
            pauses_sla=status.pauses_sla,
            public_label=status.public_label.strip(),
            closes=status.closed,
        )
        for index, status in enumerate(spec.statuses)
    }
    session.add_all(statuses.values())
    session.flush()
    create_type_skills_rows(session, ticket_type.id, spec)

    session.add_all(
        TicketTransition(
            type_id=ticket_type.id,
            from_status_id=statuses[source].id,
            to_status_id=statuses[target].id,
            required_role=spec.transition_roles.get(source, {}).get(target),
        )
        for source, targets in spec.transitions.items()
        for target in targets
    )
    session.add_all(
        TicketTypeField(
            type_id=ticket_type.id,
            key=field_spec.key,
            label=field_spec.label,
            field_type=field_spec.type,
            options=[{"key": option["key"], "label": option["label"]} for option in field_spec.options],
            required=field_spec.required,
            decimal_places=field_spec.decimal_places,
            visible_to_requester=field_spec.visible_to_requester,
            sort_order=index,
        )
        for index, field_spec in enumerate(spec.fields)
    )


# Built once and run on the session's connection: every filing runs it, and neither building the
# statement anew nor the ORM's search for loaded projects to update is worth its CPU there.
_NEXT_TICKET_NUMBER = (
    update(Project)
    .where(Project.id == bindparam("project_id"))
    .values(last_ticket_number=Project.last_ticket_number + 1)
    .returning(Project.last_ticket_number)
)


def allocate_ticket_number(*, session: Session, project_id: int) -> int:
    """The project's next ticket number, race-free: the row lock of one UPDATE serialises callers."""
    number = session.connection().execute(_NEXT_TICKET_NUMBER, {"project_id": project_id}).scalar_one_or_none()
    if number is None:
        raise NotFound(f"no project with id {project_id}")
    return number
