"""What every edit of a type shares: claiming its version, finding its parts, and reading input.

Every change to an existing type first claims the type's `version` with one conditional UPDATE,
so of two admins saving the same stale copy exactly one wins and the other gets a Conflict, on
SQLite and PostgreSQL alike. Each edit runs in a savepoint inside the caller's transaction and
flushes without committing: when it refuses, nothing it touched stays changed and the caller's
transaction is still usable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import update
from sqlmodel import Session, select

from tickit.models import Project, TicketStatus, TicketType, TicketTypeField
from tickit.services import audit
from tickit.services.access import project_to_configure
from tickit.services.actors import Actor
from tickit.services.errors import Conflict, NotFound, ValidationFailed
from tickit.services.workflow_specs import CATEGORIES, FIELD_TYPES, MAX_DECIMAL_PLACES, OPTION_MAX_LENGTH

M = TypeVar("M", bound=BaseModel)

KEY_FORMAT_MESSAGE = "Use a lowercase letter, then lowercase letters, digits or _ (at most 40 characters)."
# The rules are those of workflow documents (workflow_specs); these messages speak to a form.
_FORM_MESSAGES = {
    "key": KEY_FORMAT_MESSAGE,
    "color": "Choose a colour such as gray, blue, amber, green, red or violet.",
    "category": f"Choose a category: {', '.join(CATEGORIES)}.",
    "field_type": f"Choose a field type: {', '.join(FIELD_TYPES)}.",
    "flag": "Choose yes or no.",
    "decimal_places": f"Choose from 0 to {MAX_DECIMAL_PLACES} decimal places, or none.",
    "too_long": "Keep it to {max_length} characters.",
    "options_type": "Give a select field at least one option.",
    "options_empty": "Give a select field at least one option.",
    "options_required": "Give a select field at least one option.",
    "options_not_allowed": "Only select and multi-select fields have options.",
    "option_shape": "Option {index} must be text, or a key with a label.",
    "option_text_type": "Option {index} must be text, or a key with a label.",
    "option_blank": "Option {index} needs a key and a label.",
    "option_too_long": f"Keep option {{index}} to {OPTION_MAX_LENGTH} characters.",
    "option_twice": "{key} is listed twice; each option needs its own key.",
    "extra_forbidden": "{name} cannot be changed here.",
    "initial": "Make another status initial instead; a type always has one.",
    "unset": "Send a value for {name}, or leave it out.",
}


class Changes(BaseModel):
    """The attributes an update sends; only those set change (`model_dump(exclude_unset=True)`)."""

    model_config = ConfigDict(extra="forbid")
    # The attributes None may clear; for every other one None is refused (leaving it out keeps it).
    clearable: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _refuse_none(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            for name, value in data.items():
                if value is None and name not in cls.clearable:
                    raise PydanticCustomError("unset", "must not be empty", {"at": (name,), "name": name})
        return data


def validated(model: type[M], data: Mapping[str, Any], *, noun: str, renamed: Mapping[str, str] = {}) -> M:
    """`data` as `model`, or ValidationFailed naming each attribute at fault in a form's words.

    Strings are trimmed first, as a form's input is. `renamed` maps a spec's attribute to the
    name the caller knows it by (a field's `type` is `field_type` to the editor).
    """
    if not isinstance(data, Mapping):
        raise ValidationFailed({"form": "Send the attributes to change."})
    try:
        return model.model_validate({k: v.strip() if isinstance(v, str) else v for k, v in data.items()})
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            context = error.get("ctx") or {}
            location = (*error["loc"], *context.get("at", ()))
            name = str(location[0]) if location else "form"
            name = renamed.get(name, name)
            errors.setdefault(name, _form_message(error["type"], name, noun, {**context, "name": name}))
        raise ValidationFailed(errors) from None


def validated_new(
    model: type[M],
    data: Mapping[str, Any],
    *,
    noun: str,
    key_taken: Callable[[str], str | None],
    renamed: Mapping[str, str] = {},
) -> M:
    """`data` as the spec of something new, refused together with a key `key_taken` says is in use."""
    errors: dict[str, str] = {}
    spec: M | None = None
    try:
        spec = validated(model, data, noun=noun, renamed=renamed)
    except ValidationFailed as exc:
        errors = exc.errors
    # A valid key is a string, and the spec holds it trimmed.
    if "key" not in errors and (taken := key_taken(data["key"].strip())):
        errors["key"] = taken
    if spec is None or errors:
        raise ValidationFailed(errors)
    return spec


def _form_message(kind: str, name: str, noun: str, context: dict[str, Any]) -> str:
    if kind == "blank" or kind == "text_type":
        return f"Give the {noun} a {name}."
    if kind == "key" and name == "icon":
        return "Use an icon name such as bug, lightbulb or circle_help."
    return _FORM_MESSAGES.get(kind, "Check this value.").format(**context)


def raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationFailed(errors)


@contextmanager
def editing(
    session: Session, actor: Actor, project_key: str, type_key: str, expected_version: int, *, change: str
) -> Iterator[TicketType]:
    """The type, claimed at `expected_version`, inside a savepoint that a refusal rolls back.

    A change that goes through is recorded in the audit log as `change` (the use case's name).
    """
    project = project_to_configure(session, actor, project_key)
    with session.begin_nested():
        ticket_type = find_type(session, project, type_key)
        try:
            _claim(session, ticket_type, expected_version)
            before = ticket_type.version - 1
            yield ticket_type
            session.flush()
            audit.record(
                session,
                actor=actor,
                action=audit.WORKFLOW_EDITED,
                target=f"{project.key} · {ticket_type.name}",
                before={"version": before},
                after={"change": change, "version": ticket_type.version},
            )
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


def find_type(session: Session, project: Project, type_key: str) -> TicketType:
    ticket_type = session.exec(
        select(TicketType).where(TicketType.project_id == project.id, TicketType.key == type_key)
    ).first()
    if ticket_type is None:
        raise NotFound(f"{project.key} has no ticket type {type_key}.")
    return ticket_type


def statuses_of(session: Session, type_id: int) -> dict[str, TicketStatus]:
    rows = session.exec(
        select(TicketStatus).where(TicketStatus.type_id == type_id).order_by(TicketStatus.sort_order, TicketStatus.id)
    ).all()
    return {row.key: row for row in rows}


def status_in(statuses: dict[str, TicketStatus], key: str, ticket_type: TicketType) -> TicketStatus:
    if key not in statuses:
        raise NotFound(f"{ticket_type.name} has no status {key}.")
    return statuses[key]


def fields_of(session: Session, type_id: int) -> dict[str, TicketTypeField]:
    rows = session.exec(
        select(TicketTypeField)
        .where(TicketTypeField.type_id == type_id)
        .order_by(TicketTypeField.sort_order, TicketTypeField.id)
    ).all()
    return {row.key: row for row in rows}


def field_in(fields: dict[str, TicketTypeField], key: str, ticket_type: TicketType) -> TicketTypeField:
    if key not in fields:
        raise NotFound(f"{ticket_type.name} has no field {key}.")
    return fields[key]


def require_permutation(ordered_keys: Any, current: list[str], noun: str) -> None:
    """Refuse an order that does not name every one of `current` exactly once."""
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


def count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
