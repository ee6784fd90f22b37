"""The custom fields of a ticket type: adding one, changing its attributes, ordering, archiving.

Keys never change, so stored values keep pointing at their field and option; a field is archived
rather than deleted, and an option that tickets use cannot be removed (relabel it instead).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import PlainValidator
from sqlalchemy import exists, func, type_coerce
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Session, select

from tickit.models import FieldType, Ticket, TicketType, TicketTypeField
from tickit.services.actors import Actor
from tickit.services.workflow_admin.details import TypeDetail, detail
from tickit.services.workflow_admin.editing import (
    Changes,
    count,
    editing,
    field_in,
    fields_of,
    raise_if,
    require_permutation,
    validated,
    validated_new,
)
from tickit.services.workflow_specs import (
    FIELD_LABEL_MAX,
    SELECT_TYPES,
    FieldSpec,
    check_decimal_places,
    check_field_type,
    check_flag,
    check_options,
    text_rule,
)

# A spec's `type` is the editor's `field_type`.
_RENAMED = {"type": "field_type"}


class FieldChanges(Changes):
    label: Annotated[str | None, PlainValidator(text_rule(FIELD_LABEL_MAX))] = None
    required: Annotated[bool | None, PlainValidator(check_flag)] = None
    visible_to_requester: Annotated[bool | None, PlainValidator(check_flag)] = None
    # The whole list, in form order; strings or {key, label} mappings.
    options: Annotated[list[dict[str, str]] | None, PlainValidator(check_options)] = None
    clearable = frozenset({"decimal_places"})
    # Number fields only; None lets each value show as typed.
    decimal_places: Annotated[int | None, PlainValidator(check_decimal_places)] = None
    # Accepted so a form may send the whole field back, but only unchanged.
    field_type: Annotated[str | None, PlainValidator(check_field_type)] = None


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
    with editing(session, actor, project_key, type_key, expected_version, change="add_field") as ticket_type:
        fields = fields_of(session, ticket_type.id)
        wanted = {"key": key, "label": label, "type": field_type, "required": required}
        if options is not None or field_type in SELECT_TYPES:
            wanted["options"] = options or []
        spec = validated_new(
            FieldSpec,
            wanted,
            noun="field",
            renamed=_RENAMED,
            key_taken=lambda key: _key_taken(fields, key, ticket_type),
        )
        last = max((row.sort_order for row in fields.values()), default=-1)
        session.add(
            TicketTypeField(
                type_id=ticket_type.id,
                key=spec.key,
                label=spec.label,
                field_type=spec.type,
                options=spec.options,
                required=spec.required,
                sort_order=last + 1,
            )
        )
    return detail(session, ticket_type)


def _key_taken(fields: dict[str, TicketTypeField], key: str, ticket_type: TicketType) -> str | None:
    if key not in fields:
        return None
    taken = fields[key]
    if taken.archived:
        return f"{taken.label} is an archived field with key {key}; unarchive it instead."
    return f"{ticket_type.name} already has a field with key {key} ({taken.label})."


def update_field(
    *,
    session: Session,
    actor: Actor,
    project_key: str,
    type_key: str,
    expected_version: int,
    field_key: str,
    changes: Mapping[str, Any],
) -> TypeDetail:
    """Change a field's `label`, `required` or `visible_to_requester` flag, `options` (the whole
    list, in form order) or a number field's `decimal_places`, only those sent. Removing an option
    that tickets use is refused; `field_type` may be sent, but only unchanged. Fewer places change
    how stored values show, never the values themselves."""
    with editing(session, actor, project_key, type_key, expected_version, change="update_field") as ticket_type:
        row = field_in(fields_of(session, ticket_type.id), field_key, ticket_type)
        wanted = validated(FieldChanges, changes, noun="field").model_dump(exclude_unset=True)
        errors: dict[str, str] = {}
        if wanted.pop("field_type", row.field_type) != row.field_type:
            errors["field_type"] = (
                f"A field's type cannot change once it exists ({row.label} is {row.field_type}); "
                "archive it and add a new field instead."
            )
        if "options" in wanted:
            if row.field_type not in SELECT_TYPES:
                errors["options"] = "Only select and multi-select fields have options."
            else:
                _refuse_removing_used_options(session, errors, ticket_type, row, wanted["options"])
        if "decimal_places" in wanted and row.field_type != FieldType.NUMBER:
            errors["decimal_places"] = "Only number fields have decimal places."
        raise_if(errors)
        row.sqlmodel_update(wanted)
        session.add(row)
    return detail(session, ticket_type)


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
    with editing(session, actor, project_key, type_key, expected_version, change="_set_field_archived") as ticket_type:
        row = field_in(fields_of(session, ticket_type.id), field_key, ticket_type)
        row.archived = archived
        session.add(row)
    return detail(session, ticket_type)


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
    with editing(session, actor, project_key, type_key, expected_version, change="reorder_fields") as ticket_type:
        fields = fields_of(session, ticket_type.id)
        active = [key for key, row in fields.items() if not row.archived]
        require_permutation(ordered_keys, active, "active field")
        archived = [key for key, row in fields.items() if row.archived]
        for position, key in enumerate([*ordered_keys, *archived]):
            fields[key].sort_order = position
            session.add(fields[key])
    return detail(session, ticket_type)


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
            n = _tickets_using_option(session, ticket_type.id, row, option["key"])
            if n:
                in_use.append(f"{option['label']} is used by {count(n, 'ticket')}")
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
