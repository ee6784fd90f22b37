"""Statuses of a ticket type: adding one, changing its attributes, ordering and removing them.

Tickets already in a status keep their resolved and closed times when its category changes: the
category governs the moves made from now on, and rewriting history would invent resolution times.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import PlainValidator
from pydantic_core import PydanticCustomError
from sqlalchemy import delete, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from tickit.models import StatusCategory, Ticket, TicketStatus, TicketTransition, utcnow
from tickit.services import workflow
from tickit.services.actors import Actor
from tickit.services.errors import Conflict, ValidationFailed
from tickit.services.workflow_admin.details import TypeDetail, detail
from tickit.services.workflow_admin.editing import (
    Changes,
    count,
    editing,
    require_permutation,
    status_in,
    statuses_of,
    validated,
    validated_new,
)
from tickit.services.workflow_specs import (
    DEFAULT_STATUS_COLOR,
    PUBLIC_LABEL_MAX,
    STATUS_NAME_MAX,
    StatusSpec,
    check_category,
    check_color,
    check_flag,
    text_rule,
)


def _check_made_initial(value: Any) -> bool:
    # A type always has one initial status: it stops being one only when another becomes it.
    if value is not True:
        raise PydanticCustomError("initial", "make another status initial instead")
    return value


class StatusChanges(Changes):
    name: Annotated[str | None, PlainValidator(text_rule(STATUS_NAME_MAX))] = None
    color: Annotated[str | None, PlainValidator(check_color)] = None
    category: Annotated[str | None, PlainValidator(check_category)] = None
    pauses_sla: Annotated[bool | None, PlainValidator(check_flag)] = None
    initial: Annotated[bool | None, PlainValidator(_check_made_initial)] = None
    public_label: Annotated[str | None, PlainValidator(text_rule(PUBLIC_LABEL_MAX, blank_ok=True))] = None
    closes: Annotated[bool | None, PlainValidator(check_flag)] = None


def add_status(
    *,
    session: Session,
    actor: Actor,
    project_key: str,
    type_key: str,
    expected_version: int,
    key: str,
    name: str,
    category: str,
    color: str | None = None,
) -> TypeDetail:
    """A new status at the end of the board; no transitions lead to or from it until the grid says so."""
    with editing(session, actor, project_key, type_key, expected_version, change="add_status") as ticket_type:
        statuses = statuses_of(session, ticket_type.id)
        wanted = {"key": key, "name": name, "category": category}
        wanted["color"] = DEFAULT_STATUS_COLOR if color is None else color
        spec = validated_new(
            StatusSpec,
            wanted,
            noun="status",
            key_taken=lambda key: (
                f"{ticket_type.name} already has a status with key {key} ({statuses[key].name})."
                if key in statuses
                else None
            ),
        )
        last = max((status.sort_order for status in statuses.values()), default=-1)
        session.add(
            TicketStatus(
                type_id=ticket_type.id,
                key=spec.key,
                name=spec.name,
                color=spec.color,
                category=spec.category,
                sort_order=last + 1,
            )
        )
    return detail(session, ticket_type)


def update_status(
    *,
    session: Session,
    actor: Actor,
    project_key: str,
    type_key: str,
    expected_version: int,
    status_key: str,
    changes: Mapping[str, Any],
) -> TypeDetail:
    """Change a status's `name`, `color`, `category`, `pauses_sla`, `public_label` or `closes`
    (done statuses only), or make it the `initial`
    status (the previous one stops being it), only those sent; its key stays, so tickets,
    transitions and integrations are untouched."""
    with editing(session, actor, project_key, type_key, expected_version, change="update_status") as ticket_type:
        statuses = statuses_of(session, ticket_type.id)
        status = status_in(statuses, status_key, ticket_type)
        wanted = validated(StatusChanges, changes, noun="status").model_dump(exclude_unset=True)
        if wanted.pop("initial", False):
            # One flush inside the claimed type: nobody ever sees none or two initial statuses.
            for other in statuses.values():
                if other.is_initial != (other is status):
                    other.is_initial = other is status
                    session.add(other)
        if "public_label" in wanted:
            wanted["public_label"] = wanted["public_label"].strip()
        status.sqlmodel_update(wanted)
        if status.category != StatusCategory.DONE:
            if wanted.get("closes"):
                raise ValidationFailed({"closes": "Only a done status can close a ticket."})
            status.closes = False  # a status leaving the done category no longer closes anything
        session.add(status)
    return detail(session, ticket_type)


def reorder_statuses(
    *,
    session: Session,
    actor: Actor,
    project_key: str,
    type_key: str,
    expected_version: int,
    ordered_keys: list[str],
) -> TypeDetail:
    """Put the statuses in this board order; `ordered_keys` must name every status once."""
    with editing(session, actor, project_key, type_key, expected_version, change="reorder_statuses") as ticket_type:
        statuses = statuses_of(session, ticket_type.id)
        require_permutation(ordered_keys, list(statuses), "status")
        for position, key in enumerate(ordered_keys):
            statuses[key].sort_order = position
            session.add(statuses[key])
    return detail(session, ticket_type)


def remove_status(
    *,
    session: Session,
    actor: Actor,
    project_key: str,
    type_key: str,
    expected_version: int,
    status_key: str,
    move_tickets_to: str | None = None,
) -> TypeDetail:
    """Delete a status and its transitions, first moving every ticket it holds to `move_tickets_to`.

    All in one transaction, one activity entry per moved ticket: if anything is refused, no ticket
    has moved.
    """
    with editing(session, actor, project_key, type_key, expected_version, change="remove_status") as ticket_type:
        statuses = statuses_of(session, ticket_type.id)
        status = status_in(statuses, status_key, ticket_type)
        status_name = status.name
        if len(statuses) == 1:
            raise ValidationFailed(
                {"status": f"{status.name} is the only status of {ticket_type.name}; a type needs at least one."}
            )
        if status.is_initial:
            raise ValidationFailed(
                {"status": f"New tickets start in {status.name}; make another status initial before removing it."}
            )
        destination = None
        if move_tickets_to is not None:
            destination = statuses.get(move_tickets_to)
            if destination is None or destination is status:
                others = ", ".join(s.name for s in statuses.values() if s is not status)
                raise ValidationFailed({"move_tickets_to": f"Choose one of the other statuses: {others}."})
        # Locked, so a move of one of these tickets racing this removal waits for it, then fails
        # cleanly on the missing status rather than resurrecting it.
        held = session.exec(
            select(Ticket)
            .where(Ticket.status_id == status.id)
            .order_by(Ticket.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
        if held and destination is None:
            raise ValidationFailed(
                {
                    "move_tickets_to": f"{status.name} holds {count(len(held), 'ticket')}; "
                    "choose the status they move to."
                }
            )
        now = utcnow()
        for ticket in held:
            # Not `workflow.move`: that asks whether the workflow allows this move for the actor,
            # and the grid may well have no path from the status being removed to the one its
            # tickets go to. This is the admin reshaping the workflow itself; refusing would leave
            # the tickets stranded in a status that is about to disappear.
            workflow.apply_status_change(
                session=session,
                actor=actor,
                ticket=ticket,
                current=status,
                target=destination,
                now=now,
                reason="status removed",
            )
        session.flush()
        session.exec(
            delete(TicketTransition).where(
                or_(TicketTransition.from_status_id == status.id, TicketTransition.to_status_id == status.id)
            )
        )
        session.delete(status)
        # A reply rule leading to a removed status leads nowhere: it is dropped with it.
        for rule in ("staff_reply_status", "requester_reply_status"):
            if getattr(ticket_type, rule) == status.key:
                setattr(ticket_type, rule, None)
                session.add(ticket_type)
        try:
            session.flush()
        except IntegrityError:
            # A ticket moved into the status after we locked its tickets; its foreign key keeps
            # the row (nothing is lost) and the admin tries again.
            raise Conflict(f"A ticket moved into {status_name} while it was being removed; try again.") from None
    return detail(session, ticket_type)
