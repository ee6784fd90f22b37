"""Ticket types: reading them for the editor, adding one, changing its attributes, archiving it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import PlainValidator
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from tickit.models import TicketType
from tickit.services import audit
from tickit.services.access import project_to_configure
from tickit.services.actors import Actor
from tickit.services.errors import ValidationFailed
from tickit.services.project_setup import create_type_rows
from tickit.services.workflow_admin.details import TypeDetail, detail, details
from tickit.services.workflow_admin.editing import Changes, editing, find_type, statuses_of, validated, validated_new
from tickit.services.workflow_specs import (
    DEFAULT_TYPE_COLOR,
    DEFAULT_TYPE_ICON,
    FIRST_STATUS,
    TYPE_NAME_MAX,
    TypeSpec,
    check_color,
    check_key,
    text_rule,
)


def _reply_rule(value: Any) -> str:
    return "" if value in (None, "") else check_key(value)


class TypeChanges(Changes):
    name: Annotated[str | None, PlainValidator(text_rule(TYPE_NAME_MAX))] = None
    color: Annotated[str | None, PlainValidator(check_color)] = None
    icon: Annotated[str | None, PlainValidator(check_key)] = None
    # A status key of the type, or "" for no rule.
    staff_reply_status: Annotated[str | None, PlainValidator(_reply_rule)] = None
    requester_reply_status: Annotated[str | None, PlainValidator(_reply_rule)] = None


def list_types(*, session: Session, actor: Actor, project_key: str) -> list[TypeDetail]:
    """Every type of the project, archived ones included, in their order."""
    project = project_to_configure(session, actor, project_key)
    rows = session.exec(
        select(TicketType).where(TicketType.project_id == project.id).order_by(TicketType.sort_order, TicketType.id)
    ).all()
    return details(session, list(rows))


def type_detail(*, session: Session, actor: Actor, project_key: str, type_key: str) -> TypeDetail:
    """One type with its statuses (and how many tickets each holds), transitions and fields."""
    project = project_to_configure(session, actor, project_key)
    return detail(session, find_type(session, project, type_key))


def add_type(
    *,
    session: Session,
    actor: Actor,
    project_key: str,
    key: str,
    name: str,
    color: str | None = None,
    icon: str | None = None,
) -> TypeDetail:
    """A new type, last in the project, with one initial status "New" so tickets can be filed at once."""
    project = project_to_configure(session, actor, project_key)
    wanted = {
        "key": key,
        "name": name,
        "color": DEFAULT_TYPE_COLOR if color is None else color,
        "icon": DEFAULT_TYPE_ICON if icon is None else icon,
        "statuses": [FIRST_STATUS],
    }
    taken = f"{project.key} already has a type with key {{}}."
    spec = validated_new(
        TypeSpec,
        wanted,
        noun="type",
        key_taken=lambda key: taken.format(key) if _type_key_taken(session, project.id, key) else None,
    )
    position = session.exec(select(func.max(TicketType.sort_order)).where(TicketType.project_id == project.id)).one()
    try:
        # The unique (project, key) index settles two admins adding the same key at once; the
        # savepoint keeps the caller's transaction usable for the loser.
        with session.begin_nested():
            create_type_rows(session, project.id, 0 if position is None else position + 1, spec)
            session.flush()
    except IntegrityError:
        raise ValidationFailed({"key": taken.format(spec.key)}) from None
    audit.record(
        session,
        actor=actor,
        action=audit.WORKFLOW_EDITED,
        target=f"{project.key} · {spec.name}",
        after={"change": "add_type", "key": spec.key},
    )
    return detail(session, find_type(session, project, spec.key))


def update_type(
    *,
    session: Session,
    actor: Actor,
    project_key: str,
    type_key: str,
    expected_version: int,
    changes: Mapping[str, Any],
) -> TypeDetail:
    """Change the type's `name`, `color`, `icon` or reply rules (`staff_reply_status`,
    `requester_reply_status`: a status key, or "" for none), only those sent; its key, and so
    every ticket and integration using it, stays."""
    with editing(session, actor, project_key, type_key, expected_version, change="update_type") as ticket_type:
        wanted = validated(TypeChanges, changes, noun="type").model_dump(exclude_unset=True)
        statuses = statuses_of(session, ticket_type.id)
        for rule in ("staff_reply_status", "requester_reply_status"):
            if rule not in wanted:
                continue
            if wanted[rule] and wanted[rule] not in statuses:
                raise ValidationFailed({rule: f"{ticket_type.name} has no status with key {wanted[rule]}."})
            wanted[rule] = wanted[rule] or None
        ticket_type.sqlmodel_update(wanted)
        session.add(ticket_type)
    return detail(session, ticket_type)


def archive_type(
    *, session: Session, actor: Actor, project_key: str, type_key: str, expected_version: int
) -> TypeDetail:
    """Take the type off new-ticket forms; its existing tickets keep working as before."""
    with editing(session, actor, project_key, type_key, expected_version, change="archive_type") as ticket_type:
        if not ticket_type.archived:
            others = session.exec(
                select(func.count()).where(
                    TicketType.project_id == ticket_type.project_id,
                    TicketType.id != ticket_type.id,
                    TicketType.archived == False,  # noqa: E712
                )
            ).one()
            if not others:
                raise ValidationFailed(
                    {"archived": f"{ticket_type.name} is the project's only active type; add another one first."}
                )
        ticket_type.archived = True
        session.add(ticket_type)
    return detail(session, ticket_type)


def unarchive_type(
    *, session: Session, actor: Actor, project_key: str, type_key: str, expected_version: int
) -> TypeDetail:
    """Offer the type on new-ticket forms again."""
    with editing(session, actor, project_key, type_key, expected_version, change="unarchive_type") as ticket_type:
        ticket_type.archived = False
        session.add(ticket_type)
    return detail(session, ticket_type)


def _type_key_taken(session: Session, project_id: int, key: str) -> bool:
    query = select(TicketType.id).where(TicketType.project_id == project_id, TicketType.key == key)
    return session.exec(query).first() is not None
