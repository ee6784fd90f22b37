"""Editing a project's workflow in place: ticket types, their statuses, transitions and fields.

Admin-only. Every change to an existing type first claims the type's `version` with one
conditional UPDATE, so of two admins saving the same stale copy exactly one wins and the other
gets a Conflict, on SQLite and PostgreSQL alike. Each operation runs in a savepoint inside the
caller's transaction and flushes without committing: when it refuses, nothing it touched stays
changed and the caller's transaction is still usable.

Changes never lose data: a status that holds tickets is removed only by moving them elsewhere
(each move logged), a field is archived rather than deleted, an option that tickets use cannot be
removed, and relabelling keeps every key.

The rules for keys, names, colours, categories, field types and options are the ones workflow
documents follow (`tickit.services.templates`), so whatever the editor saves exports to a document
that imports again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, exists, func, or_, type_coerce, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from tickit.models import (
    FieldType,
    Project,
    StatusCategory,
    Ticket,
    TicketStatus,
    TicketTransition,
    TicketType,
    TicketTypeField,
    utcnow,
)
from tickit.services import workflow
from tickit.services.actors import Actor, require_admin
from tickit.services.errors import Conflict, NotFound, ValidationFailed
from tickit.services.project_setup import create_type_rows
from tickit.services.projects import get_project
from tickit.services.templates import (
    COLORS,
    DEFAULT_STATUS_COLOR,
    DEFAULT_TYPE_COLOR,
    DEFAULT_TYPE_ICON,
    KEY_PATTERN,
    OPTION_MAX_LENGTH,
    SELECT_TYPES,
    StatusSpec,
    TypeSpec,
    column_length,
)

# The status every new type starts with, so it can take tickets the moment it exists.
FIRST_STATUS = StatusSpec(key="new", name="New", category=StatusCategory.TODO, initial=True)

KEY_RULE = "Use a lowercase letter, then lowercase letters, digits or _ (at most 40 characters)."
COLOR_RULE = "Choose a colour such as gray, blue, amber, green, red or violet."
CATEGORIES = tuple(category.value for category in StatusCategory)
FIELD_TYPES = tuple(field_type.value for field_type in FieldType)

TYPE_NAME_MAX: int = column_length(TicketType, "name")
STATUS_NAME_MAX: int = column_length(TicketStatus, "name")
FIELD_LABEL_MAX: int = column_length(TicketTypeField, "label")


# --- what callers get back -----------------------------------------------------------------


@dataclass(frozen=True)
class StatusDetail:
    key: str
    name: str
    color: str
    category: str
    is_initial: bool
    pauses_sla: bool
    sort_order: int
    ticket_count: int


@dataclass(frozen=True)
class FieldDetail:
    key: str
    label: str
    field_type: str
    options: list[dict[str, str]]  # each {"key", "label"}, in the order the form shows them
    required: bool
    archived: bool
    sort_order: int


@dataclass(frozen=True)
class TypeDetail:
    """A ticket type as the editor shows it; `version` goes back with the next save."""

    id: int
    key: str
    name: str
    color: str
    icon: str
    archived: bool
    sort_order: int
    version: int
    statuses: list[StatusDetail]  # board order
    transitions: dict[str, list[str]]  # every status key -> the keys it may move to, board order
    transition_roles: dict[str, dict[str, str]]  # from key -> to key -> the role a move is limited to
    fields: list[FieldDetail]  # form order: active fields first, then archived ones

    @property
    def ticket_count(self) -> int:
        return sum(status.ticket_count for status in self.statuses)


# --- reading -------------------------------------------------------------------------------


def list_types(*, session: Session, actor: Actor, project_key: str) -> list[TypeDetail]:
    """Every type of the project, archived ones included, in their order."""
    require_admin(actor)
    project = get_project(session, project_key)
    rows = session.exec(
        select(TicketType).where(TicketType.project_id == project.id).order_by(TicketType.sort_order, TicketType.id)
    ).all()
    return _details(session, list(rows))


def type_detail(*, session: Session, actor: Actor, project_key: str, type_key: str) -> TypeDetail:
    """One type with its statuses (and how many tickets each holds), transitions and fields."""
    require_admin(actor)
    project = get_project(session, project_key)
    return _detail(session, _find_type(session, project, type_key))


# --- ticket types --------------------------------------------------------------------------


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
    require_admin(actor)
    project = get_project(session, project_key)
    errors: dict[str, str] = {}
    key = _checked_key(errors, "key", key)
    name = _checked_text(errors, "name", name, TYPE_NAME_MAX, "Give the type a name.")
    color = _checked_color(errors, "color", DEFAULT_TYPE_COLOR if color is None else color)
    icon = DEFAULT_TYPE_ICON if icon is None else icon
    if not isinstance(icon, str) or not KEY_PATTERN.fullmatch(icon):
        errors["icon"] = "Use an icon name such as bug, lightbulb or circle_help."
    if "key" not in errors and _type_key_taken(session, project.id, key):
        errors["key"] = f"{project.key} already has a type with key {key}."
    if errors:
        raise ValidationFailed(errors)

    spec = TypeSpec(key=key, name=name, color=color, icon=icon, statuses=[FIRST_STATUS])
    position = session.exec(select(func.max(TicketType.sort_order)).where(TicketType.project_id == project.id)).one()
    try:
        # The unique (project, key) index settles two admins adding the same key at once; the
        # savepoint keeps the caller's transaction usable for the loser.
        with session.begin_nested():
            create_type_rows(session, project.id, 0 if position is None else position + 1, spec)
            session.flush()
    except IntegrityError:
        raise ValidationFailed({"key": f"{project.key} already has a type with key {key}."}) from None
    return _detail(session, _find_type(session, project, key))


def rename_type(
    *, session: Session, actor: Actor, project_key: str, type_key: str, expected_version: int, name: str
) -> TypeDetail:
    """Give the type a new name; its key, and so every ticket and integration using it, stay."""
    with _editing(session, actor, project_key, type_key, expected_version) as ticket_type:
        errors: dict[str, str] = {}
        ticket_type.name = _checked_text(errors, "name", name, TYPE_NAME_MAX, "Give the type a name.")
        _raise_if(errors)
        session.add(ticket_type)
    return _detail(session, ticket_type)


def recolour_type(
    *, session: Session, actor: Actor, project_key: str, type_key: str, expected_version: int, color: str
) -> TypeDetail:
    """Paint the type's badge in another colour."""
    with _editing(session, actor, project_key, type_key, expected_version) as ticket_type:
        errors: dict[str, str] = {}
        ticket_type.color = _checked_color(errors, "color", color)
        _raise_if(errors)
        session.add(ticket_type)
    return _detail(session, ticket_type)


def archive_type(
    *, session: Session, actor: Actor, project_key: str, type_key: str, expected_version: int
) -> TypeDetail:
    """Take the type off new-ticket forms; its existing tickets keep working as before."""
    with _editing(session, actor, project_key, type_key, expected_version) as ticket_type:
        if not ticket_type.archived:
            others = session.exec(
                select(func.count()).where(
                    TicketType.project_id == ticket_type.project_id,
                    TicketType.id != ticket_type.id,
                    TicketType.archived == False,
                )
            ).one()
            if not others:
                raise ValidationFailed(
                    {"archived": f"{ticket_type.name} is the project's only active type; add another one first."}
                )
        ticket_type.archived = True
        session.add(ticket_type)
    return _detail(session, ticket_type)


def unarchive_type(
    *, session: Session, actor: Actor, project_key: str, type_key: str, expected_version: int
) -> TypeDetail:
    """Offer the type on new-ticket forms again."""
    with _editing(session, actor, project_key, type_key, expected_version) as ticket_type:
        ticket_type.archived = False
        session.add(ticket_type)
    return _detail(session, ticket_type)


# --- statuses ------------------------------------------------------------------------------


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
    with _editing(session, actor, project_key, type_key, expected_version) as ticket_type:
        statuses = _statuses(session, ticket_type.id)
        errors: dict[str, str] = {}
        key = _checked_key(errors, "key", key)
        if "key" not in errors and key in statuses:
            errors["key"] = f"{ticket_type.name} already has a status with key {key} ({statuses[key].name})."
        name = _checked_text(errors, "name", name, STATUS_NAME_MAX, "Give the status a name.")
        category = _checked_category(errors, "category", category)
        color = _checked_color(errors, "color", DEFAULT_STATUS_COLOR if color is None else color)
        _raise_if(errors)
        last = max((status.sort_order for status in statuses.values()), default=-1)
        session.add(
            TicketStatus(
                type_id=ticket_type.id, key=key, name=name, color=color, category=category, sort_order=last + 1
            )
        )
    return _detail(session, ticket_type)


def rename_status(
    *,
    session: Session,
    actor: Actor,
    project_key: str,
    type_key: str,
    expected_version: int,
    status_key: str,
    name: str,
) -> TypeDetail:
    """Give a status a new name; its key stays, so tickets, transitions and integrations are untouched."""
    with _editing(session, actor, project_key, type_key, expected_version) as ticket_type:
        status = _status(_statuses(session, ticket_type.id), status_key, ticket_type)
        errors: dict[str, str] = {}
        status.name = _checked_text(errors, "name", name, STATUS_NAME_MAX, "Give the status a name.")
        _raise_if(errors)
        session.add(status)
    return _detail(session, ticket_type)


def recolour_status(
    *,
    session: Session,
    actor: Actor,
    project_key: str,
    type_key: str,
    expected_version: int,
    status_key: str,
    color: str,
) -> TypeDetail:
    """Paint a status's column and badge in another colour."""
    with _editing(session, actor, project_key, type_key, expected_version) as ticket_type:
        status = _status(_statuses(session, ticket_type.id), status_key, ticket_type)
        errors: dict[str, str] = {}
        status.color = _checked_color(errors, "color", color)
        _raise_if(errors)
        session.add(status)
    return _detail(session, ticket_type)


def set_status_category(
    *,
    session: Session,
    actor: Actor,
    project_key: str,
    type_key: str,
    expected_version: int,
    status_key: str,
    category: str,
) -> TypeDetail:
    """Say whether a status is still to do, in progress or done.

    Tickets already in the status keep their resolved and closed times: the category governs
    the moves made from now on, and rewriting history would invent resolution times.
    """
    with _editing(session, actor, project_key, type_key, expected_version) as ticket_type:
        status = _status(_statuses(session, ticket_type.id), status_key, ticket_type)
        errors: dict[str, str] = {}
        status.category = _checked_category(errors, "category", category)
        _raise_if(errors)
        session.add(status)
    return _detail(session, ticket_type)


def set_pauses_sla(
    *,
    session: Session,
    actor: Actor,
    project_key: str,
    type_key: str,
    expected_version: int,
    status_key: str,
    pauses_sla: bool,
) -> TypeDetail:
    """Say whether the SLA clock stops while a ticket waits in this status."""
    with _editing(session, actor, project_key, type_key, expected_version) as ticket_type:
        status = _status(_statuses(session, ticket_type.id), status_key, ticket_type)
        if not isinstance(pauses_sla, bool):
            raise ValidationFailed({"pauses_sla": "Choose yes or no."})
        status.pauses_sla = pauses_sla
        session.add(status)
    return _detail(session, ticket_type)


def set_initial_status(
    *,
    session: Session,
    actor: Actor,
    project_key: str,
    type_key: str,
    expected_version: int,
    status_key: str,
) -> TypeDetail:
    """Make this the status new tickets start in; the previous initial status stops being one."""
    with _editing(session, actor, project_key, type_key, expected_version) as ticket_type:
        statuses = _statuses(session, ticket_type.id)
        chosen = _status(statuses, status_key, ticket_type)
        # One flush inside the claimed type: nobody ever sees none or two initial statuses.
        for status in statuses.values():
            if status.is_initial != (status is chosen):
                status.is_initial = status is chosen
                session.add(status)
    return _detail(session, ticket_type)


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
    with _editing(session, actor, project_key, type_key, expected_version) as ticket_type:
        statuses = _statuses(session, ticket_type.id)
        _require_permutation(ordered_keys, list(statuses), "status")
        for position, key in enumerate(ordered_keys):
            statuses[key].sort_order = position
            session.add(statuses[key])
    return _detail(session, ticket_type)


def set_transitions(
    *,
    session: Session,
    actor: Actor,
    project_key: str,
    type_key: str,
    expected_version: int,
    grid: Mapping[str, Iterable[str]],
) -> TypeDetail:
    """Replace the whole from × to grid; a status left out may move nowhere.

    A move that stays in the grid keeps its role restriction; a new one is open to every agent.
    """
    with _editing(session, actor, project_key, type_key, expected_version) as ticket_type:
        statuses = _statuses(session, ticket_type.id)
        wanted = _checked_grid(grid, statuses)
        existing = session.exec(select(TicketTransition).where(TicketTransition.type_id == ticket_type.id)).all()
        kept: set[tuple[int, int]] = set()
        for row in existing:
            pair = (row.from_status_id, row.to_status_id)
            if pair in wanted:
                kept.add(pair)
            else:
                session.delete(row)
        session.add_all(
            TicketTransition(type_id=ticket_type.id, from_status_id=from_id, to_status_id=to_id)
            for from_id, to_id in wanted
            if (from_id, to_id) not in kept
        )
    return _detail(session, ticket_type)


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
    with _editing(session, actor, project_key, type_key, expected_version) as ticket_type:
        statuses = _statuses(session, ticket_type.id)
        status = _status(statuses, status_key, ticket_type)
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
                    "move_tickets_to": f"{status.name} holds {_count(len(held), 'ticket')}; "
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
        try:
            session.flush()
        except IntegrityError:
            # A ticket moved into the status after we locked its tickets; its foreign key keeps
            # the row (nothing is lost) and the admin tries again.
            raise Conflict(f"A ticket moved into {status_name} while it was being removed; try again.") from None
    return _detail(session, ticket_type)


# --- fields --------------------------------------------------------------------------------


def add_field(
    *,
    session: Session,
    actor: Actor,
    project_key: str,
    type_key: str,
    expected_version: int,
    key: str,
    label: str,
    field_type: str,
    options: list[Any] | None = None,
    required: bool = False,
) -> TypeDetail:
    """A new field at the end of the form. Options (select types only) are strings or {key, label}."""
    with _editing(session, actor, project_key, type_key, expected_version) as ticket_type:
        fields = _fields(session, ticket_type.id)
        errors: dict[str, str] = {}
        key = _checked_key(errors, "key", key)
        if "key" not in errors and key in fields:
            taken = fields[key]
            errors["key"] = (
                f"{taken.label} is an archived field with key {key}; unarchive it instead."
                if taken.archived
                else f"{ticket_type.name} already has a field with key {key} ({taken.label})."
            )
        label = _checked_text(errors, "label", label, FIELD_LABEL_MAX, "Give the field a label.")
        if field_type not in FIELD_TYPES:
            errors["field_type"] = f"Choose a field type: {', '.join(FIELD_TYPES)}."
        elif field_type in SELECT_TYPES:
            options = _checked_options(errors, options or [])
        elif options:
            errors["options"] = "Only select and multi-select fields have options."
        else:
            options = []
        if not isinstance(required, bool):
            errors["required"] = "Choose yes or no."
        _raise_if(errors)
        last = max((row.sort_order for row in fields.values()), default=-1)
        session.add(
            TicketTypeField(
                type_id=ticket_type.id,
                key=key,
                label=label,
                field_type=field_type,
                options=options,
                required=required,
                sort_order=last + 1,
            )
        )
    return _detail(session, ticket_type)


def update_field(
    *,
    session: Session,
    actor: Actor,
    project_key: str,
    type_key: str,
    expected_version: int,
    field_key: str,
    label: str | None = None,
    options: list[Any] | None = None,
    required: bool | None = None,
    field_type: str | None = None,
) -> TypeDetail:
    """Change a field's label, options (the whole list, in form order) or required flag; None leaves it.

    Keys never change, so stored values keep pointing at their field and option. Removing an
    option that tickets use is refused; `field_type` may be sent, but only unchanged.
    """
    with _editing(session, actor, project_key, type_key, expected_version) as ticket_type:
        row = _field(_fields(session, ticket_type.id), field_key, ticket_type)
        errors: dict[str, str] = {}
        if field_type is not None and field_type != row.field_type:
            errors["field_type"] = (
                f"A field's type cannot change once it exists ({row.label} is {row.field_type}); "
                "archive it and add a new field instead."
            )
        if label is not None:
            row.label = _checked_text(errors, "label", label, FIELD_LABEL_MAX, "Give the field a label.")
        if required is not None:
            if isinstance(required, bool):
                row.required = required
            else:
                errors["required"] = "Choose yes or no."
        if options is not None:
            if row.field_type not in SELECT_TYPES:
                if options:
                    errors["options"] = "Only select and multi-select fields have options."
            else:
                cleaned = _checked_options(errors, options)
                if "options" not in errors:
                    _refuse_removing_used_options(session, errors, ticket_type, row, cleaned)
                    row.options = cleaned
        _raise_if(errors)
        session.add(row)
    return _detail(session, ticket_type)


def archive_field(
    *,
    session: Session,
    actor: Actor,
    project_key: str,
    type_key: str,
    expected_version: int,
    field_key: str,
) -> TypeDetail:
    """Take a field off the form; what tickets stored in it stays readable on them."""
    return _set_field_archived(session, actor, project_key, type_key, expected_version, field_key, True)


def unarchive_field(
    *,
    session: Session,
    actor: Actor,
    project_key: str,
    type_key: str,
    expected_version: int,
    field_key: str,
) -> TypeDetail:
    """Put an archived field back on the form, with the values tickets kept."""
    return _set_field_archived(session, actor, project_key, type_key, expected_version, field_key, False)


def _set_field_archived(
    session: Session,
    actor: Actor,
    project_key: str,
    type_key: str,
    expected_version: int,
    field_key: str,
    archived: bool,
) -> TypeDetail:
    with _editing(session, actor, project_key, type_key, expected_version) as ticket_type:
        row = _field(_fields(session, ticket_type.id), field_key, ticket_type)
        row.archived = archived
        session.add(row)
    return _detail(session, ticket_type)


def reorder_fields(
    *,
    session: Session,
    actor: Actor,
    project_key: str,
    type_key: str,
    expected_version: int,
    ordered_keys: list[str],
) -> TypeDetail:
    """Put the active fields in this form order; archived fields follow them, in their old order."""
    with _editing(session, actor, project_key, type_key, expected_version) as ticket_type:
        fields = _fields(session, ticket_type.id)
        active = [key for key, row in fields.items() if not row.archived]
        _require_permutation(ordered_keys, active, "active field")
        archived = [key for key, row in fields.items() if row.archived]
        for position, key in enumerate([*ordered_keys, *archived]):
            fields[key].sort_order = position
            session.add(fields[key])
    return _detail(session, ticket_type)


# --- claiming a type -----------------------------------------------------------------------


@contextmanager
def _editing(
    session: Session, actor: Actor, project_key: str, type_key: str, expected_version: int
) -> Iterator[TicketType]:
    """The type, claimed at `expected_version`, inside a savepoint that a refusal rolls back."""
    require_admin(actor)
    project = get_project(session, project_key)
    with session.begin_nested():
        ticket_type = _find_type(session, project, type_key)
        try:
            _claim(session, ticket_type, expected_version)
            yield ticket_type
            session.flush()
        except BaseException:
            # The rollback to the savepoint expires only objects changed through the ORM; the
            # claim's new version was read in, so forget it by hand.
            session.expire(ticket_type)
            raise


def _claim(session: Session, ticket_type: TicketType, expected_version: int) -> None:
    """Bump the type's version if it is still the one the editor loaded, else raise Conflict.

    One conditional UPDATE decides: on PostgreSQL the second of two concurrent claims waits on
    the row lock and then matches no row; SQLite runs writers one at a time. The claim also
    serialises every edit of the type, so what is read after it is what others committed.
    """
    claimed = session.exec(
        update(TicketType)
        .where(TicketType.id == ticket_type.id, TicketType.version == expected_version)
        .values(version=TicketType.version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise Conflict(f"Someone else changed {ticket_type.name} while you were editing; reload to see their changes.")
    session.refresh(ticket_type)


def _find_type(session: Session, project: Project, type_key: str) -> TicketType:
    ticket_type = session.exec(
        select(TicketType).where(TicketType.project_id == project.id, TicketType.key == type_key)
    ).first()
    if ticket_type is None:
        raise NotFound(f"{project.key} has no ticket type {type_key}.")
    return ticket_type


def _type_key_taken(session: Session, project_id: int, key: str) -> bool:
    query = select(TicketType.id).where(TicketType.project_id == project_id, TicketType.key == key)
    return session.exec(query).first() is not None


def _statuses(session: Session, type_id: int) -> dict[str, TicketStatus]:
    rows = session.exec(
        select(TicketStatus).where(TicketStatus.type_id == type_id).order_by(TicketStatus.sort_order, TicketStatus.id)
    ).all()
    return {row.key: row for row in rows}


def _status(statuses: dict[str, TicketStatus], key: str, ticket_type: TicketType) -> TicketStatus:
    if key not in statuses:
        raise NotFound(f"{ticket_type.name} has no status {key}.")
    return statuses[key]


def _fields(session: Session, type_id: int) -> dict[str, TicketTypeField]:
    rows = session.exec(
        select(TicketTypeField)
        .where(TicketTypeField.type_id == type_id)
        .order_by(TicketTypeField.sort_order, TicketTypeField.id)
    ).all()
    return {row.key: row for row in rows}


def _field(fields: dict[str, TicketTypeField], key: str, ticket_type: TicketType) -> TicketTypeField:
    if key not in fields:
        raise NotFound(f"{ticket_type.name} has no field {key}.")
    return fields[key]


# --- checking input ------------------------------------------------------------------------
# The rules are those of workflow documents (templates.py); the messages speak to a form.


def _raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationFailed(errors)


def _checked_key(errors: dict[str, str], name: str, value: Any) -> str:
    key = value.strip() if isinstance(value, str) else ""
    if not KEY_PATTERN.fullmatch(key):
        errors[name] = KEY_RULE
    return key


def _checked_text(errors: dict[str, str], name: str, value: Any, max_length: int, blank: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        errors[name] = blank
    elif len(text) > max_length:
        errors[name] = f"Keep it to {max_length} characters."
    return text


def _checked_color(errors: dict[str, str], name: str, value: Any) -> str:
    if value not in COLORS:
        errors[name] = COLOR_RULE
    return value


def _checked_category(errors: dict[str, str], name: str, value: Any) -> str:
    if value not in CATEGORIES:
        errors[name] = f"Choose a category: {', '.join(CATEGORIES)}."
    return value


def _checked_options(errors: dict[str, str], raw: Any) -> list[dict[str, str]]:
    """Options as stored, from strings (key and label alike) or {key, label} mappings."""
    if not isinstance(raw, list | tuple) or not raw:
        errors["options"] = "Give a select field at least one option."
        return []
    options: list[dict[str, str]] = []
    for index, item in enumerate(raw, start=1):
        if isinstance(item, str):
            key = label = item.strip()
        elif isinstance(item, Mapping) and isinstance(item.get("key"), str):
            key = item["key"].strip()
            label = item["label"].strip() if isinstance(item.get("label"), str) else ""
        else:
            errors["options"] = f"Option {index} must be text, or a key with a label."
            return []
        if not key or not label:
            errors["options"] = f"Option {index} needs a key and a label."
            return []
        if len(key) > OPTION_MAX_LENGTH or len(label) > OPTION_MAX_LENGTH:
            errors["options"] = f"Keep option {index} to {OPTION_MAX_LENGTH} characters."
            return []
        if any(option["key"] == key for option in options):
            errors["options"] = f"{key} is listed twice; each option needs its own key."
            return []
        options.append({"key": key, "label": label})
    return options


def _refuse_removing_used_options(
    session: Session,
    errors: dict[str, str],
    ticket_type: TicketType,
    row: TicketTypeField,
    options: list[dict[str, str]],
) -> None:
    """Old values must stay readable: an option some ticket holds cannot go."""
    kept = {option["key"] for option in options}
    in_use = []
    for option in row.options:
        if option["key"] not in kept:
            count = _tickets_using_option(session, ticket_type.id, row, option["key"])
            if count:
                in_use.append(f"{option['label']} is used by {_count(count, 'ticket')}")
    if in_use:
        errors["options"] = f"{'; '.join(in_use)}, so it cannot be removed. Rename it instead."


def _tickets_using_option(session: Session, type_id: int, row: TicketTypeField, option_key: str) -> int:
    """How many tickets of the type hold `option_key` in the field, counted by the database."""
    if row.field_type == FieldType.SELECT:
        holds = Ticket.fields[row.key].as_string() == option_key
    elif session.get_bind().dialect.name == "postgresql":
        holds = type_coerce(Ticket.fields, JSONB)[row.key].contains([option_key])
    else:
        chosen = func.json_each(Ticket.fields, f'$."{row.key}"').table_valued("value")
        holds = exists(select(chosen.c.value).where(chosen.c.value == option_key))
    return session.exec(select(func.count()).select_from(Ticket).where(Ticket.type_id == type_id, holds)).one()


def _require_permutation(ordered_keys: Any, current: list[str], noun: str) -> None:
    if not isinstance(ordered_keys, list | tuple) or not all(isinstance(key, str) for key in ordered_keys):
        raise ValidationFailed({"order": f"Send the {noun} keys in their new order."})
    unknown = [key for key in ordered_keys if key not in current]
    missing = [key for key in current if key not in ordered_keys]
    repeated = sorted({key for key in ordered_keys if ordered_keys.count(key) > 1})
    problems = []
    if unknown:
        problems.append(f"no {noun} {', '.join(unknown)}")
    if missing:
        problems.append(f"{', '.join(missing)} missing")
    if repeated:
        problems.append(f"{', '.join(repeated)} listed twice")
    if problems:
        raise ValidationFailed(
            {"order": f"The new order must list every {noun} once ({'; '.join(problems)}); reload and try again."}
        )


def _checked_grid(grid: Any, statuses: dict[str, TicketStatus]) -> set[tuple[int, int]]:
    """The grid as (from id, to id) pairs, or ValidationFailed naming every cell at fault."""
    if not isinstance(grid, Mapping):
        raise ValidationFailed({"transitions": "Send the grid as each status key with the keys it may move to."})
    problems: list[str] = []
    pairs: set[tuple[int, int]] = set()
    for source, targets in grid.items():
        if source not in statuses:
            problems.append(f"there is no status {source}")
            continue
        if isinstance(targets, str) or not isinstance(targets, Iterable):
            problems.append(f"the moves from {source} must be a list of status keys")
            continue
        seen: set[str] = set()
        for target in targets:
            if target not in statuses:
                problems.append(f"there is no status {target} (from {source})")
            elif target == source:
                problems.append(f"{statuses[source].name} cannot move to itself")
            elif target in seen:
                problems.append(f"{source} → {target} is listed twice")
            else:
                seen.add(target)
                pairs.add((statuses[source].id, statuses[target].id))
    if problems:
        message = "; ".join(problems)
        raise ValidationFailed({"transitions": f"{message[0].upper()}{message[1:]}."})
    return pairs


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


# --- snapshots -----------------------------------------------------------------------------


def _detail(session: Session, ticket_type: TicketType) -> TypeDetail:
    return _details(session, [ticket_type])[0]


def _details(session: Session, types: list[TicketType]) -> list[TypeDetail]:
    """Snapshots of the types in a fixed handful of queries, however many types and tickets."""
    if not types:
        return []
    session.flush()
    ids = [ticket_type.id for ticket_type in types]
    statuses = session.exec(
        select(TicketStatus).where(TicketStatus.type_id.in_(ids)).order_by(TicketStatus.sort_order, TicketStatus.id)
    ).all()
    counts = dict(
        session.exec(
            select(Ticket.status_id, func.count()).where(Ticket.type_id.in_(ids)).group_by(Ticket.status_id)
        ).all()
    )
    transitions = session.exec(select(TicketTransition).where(TicketTransition.type_id.in_(ids))).all()
    fields = session.exec(
        select(TicketTypeField)
        .where(TicketTypeField.type_id.in_(ids))
        .order_by(TicketTypeField.archived, TicketTypeField.sort_order, TicketTypeField.id)
    ).all()
    status_by_id = {status.id: status for status in statuses}
    board_position = {status.id: index for index, status in enumerate(statuses)}
    transitions = sorted(
        transitions, key=lambda row: (board_position[row.from_status_id], board_position[row.to_status_id])
    )
    details = []
    for ticket_type in types:
        own = [status for status in statuses if status.type_id == ticket_type.id]
        grid: dict[str, list[str]] = {status.key: [] for status in own}
        roles: dict[str, dict[str, str]] = {}
        for row in transitions:
            if row.type_id != ticket_type.id:
                continue
            source, target = status_by_id[row.from_status_id].key, status_by_id[row.to_status_id].key
            grid[source].append(target)
            if row.required_role:
                roles.setdefault(source, {})[target] = row.required_role
        details.append(
            TypeDetail(
                id=ticket_type.id,
                key=ticket_type.key,
                name=ticket_type.name,
                color=ticket_type.color,
                icon=ticket_type.icon,
                archived=ticket_type.archived,
                sort_order=ticket_type.sort_order,
                version=ticket_type.version,
                statuses=[
                    StatusDetail(
                        key=status.key,
                        name=status.name,
                        color=status.color,
                        category=status.category,
                        is_initial=status.is_initial,
                        pauses_sla=status.pauses_sla,
                        sort_order=status.sort_order,
                        ticket_count=counts.get(status.id, 0),
                    )
                    for status in own
                ],
                transitions=grid,
                transition_roles=roles,
                fields=[
                    FieldDetail(
                        key=row.key,
                        label=row.label,
                        field_type=row.field_type,
                        options=[{"key": option["key"], "label": option["label"]} for option in row.options],
                        required=row.required,
                        archived=row.archived,
                        sort_order=row.sort_order,
                    )
                    for row in fields
                    if row.type_id == ticket_type.id
                ],
            )
        )
    return details
