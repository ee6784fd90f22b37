"""The vocabulary of a workflow: the rules for keys, names, colours, categories, field types and
options, and the specs of statuses, fields and ticket types built from them.

Workflow documents (`templates`) and the workflow editor (`workflow_admin`) validate with these
same pydantic types, so whatever the editor saves exports to a document that imports again. Each
refusal is a `PydanticCustomError` whose type names the broken rule; its message is phrased for
a document's author, and the editor rephrases it for a form by that type. A refusal inside a
list or mapping carries `at`, the path below the validated value, so a document error points at
the exact item.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainValidator, field_validator, model_validator
from pydantic_core import PydanticCustomError

from tickit.models import FieldType, Role, StatusCategory, TicketStatus, TicketType, TicketTypeField

KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")
SELECT_TYPES = frozenset({FieldType.SELECT, FieldType.MULTI_SELECT})
# Radix Themes accent colours: the names the UI can paint a badge or column with.
COLORS = frozenset(
    "tomato red ruby crimson pink plum purple violet iris indigo blue cyan teal jade green grass "
    "brown orange sky mint lime yellow amber gold bronze gray".split()
)
CATEGORIES = tuple(category.value for category in StatusCategory)
FIELD_TYPES = tuple(field_type.value for field_type in FieldType)
ROLES = tuple(role.value for role in Role)
OPTION_MAX_LENGTH = 100

DEFAULT_TYPE_COLOR: str = TicketType.model_fields["color"].default
DEFAULT_TYPE_ICON: str = TicketType.model_fields["icon"].default
DEFAULT_STATUS_COLOR: str = TicketStatus.model_fields["color"].default


def column_length(model: type, column: str) -> int:
    """The declared length of a string column, so input limits follow the schema."""
    return model.__table__.c[column].type.length


TYPE_NAME_MAX: int = column_length(TicketType, "name")
STATUS_NAME_MAX: int = column_length(TicketStatus, "name")
FIELD_LABEL_MAX: int = column_length(TicketTypeField, "label")
PUBLIC_LABEL_MAX: int = column_length(TicketStatus, "public_label")
MAX_DECIMAL_PLACES = 6  # money needs 2; rates and measures a few more


# --- the rules -----------------------------------------------------------------------------


def check_key(value: Any) -> str:
    """A key: a lowercase letter, then lowercase letters, digits or _, at most 40 characters."""
    if not isinstance(value, str) or not KEY_PATTERN.fullmatch(value):
        raise PydanticCustomError(
            "key", "must be lowercase snake_case: a letter, then letters, digits or _, at most 40 characters"
        )
    return value


def check_color(value: Any) -> str:
    if value not in COLORS:
        raise PydanticCustomError("color", "must be a colour name such as gray, blue, amber, green, red or violet")
    return value


def _choice(kind: str, choices: tuple[str, ...]):
    def check(value: Any) -> str:
        if value not in choices:
            raise PydanticCustomError(kind, "must be one of {choices}", {"choices": ", ".join(choices)})
        return value

    return check


check_category = _choice("category", CATEGORIES)
check_field_type = _choice("field_type", FIELD_TYPES)
check_role = _choice("role", ROLES)


def check_flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise PydanticCustomError("flag", "must be true or false")
    return value


def check_decimal_places(value: Any) -> int | None:
    """None (values show as typed) or a whole number of places from 0 to MAX_DECIMAL_PLACES."""
    whole = isinstance(value, int) and not isinstance(value, bool)
    if value is not None and not (whole and 0 <= value <= MAX_DECIMAL_PLACES):
        raise PydanticCustomError("decimal_places", f"must be a whole number from 0 to {MAX_DECIMAL_PLACES}, or none")
    return value


def text_rule(max_length: int, *, blank_ok: bool = False):
    """Text of at most `max_length` characters, blank only if `blank_ok`."""

    def check(value: Any) -> str:
        if value is None:
            raise PydanticCustomError("blank", "must not be empty")
        if not isinstance(value, str):
            raise PydanticCustomError("text_type", "must be text", {"type": type(value).__name__})
        if not blank_ok and not value.strip():
            raise PydanticCustomError("blank", "must not be blank")
        if len(value) > max_length:
            raise PydanticCustomError("too_long", "must be at most {max_length} characters", {"max_length": max_length})
        return value

    return check


_check_option_text = text_rule(OPTION_MAX_LENGTH)


def check_options(value: Any) -> list[dict[str, str]]:
    """Options as stored, from strings (key and label alike) or {key, label} mappings; at least one."""
    if not isinstance(value, list | tuple):
        raise PydanticCustomError("options_type", "must be a list of options")
    if not value:
        raise PydanticCustomError("options_empty", "must list at least one option")
    options: list[dict[str, str]] = []
    for index, item in enumerate(value):
        if isinstance(item, dict):
            for name in item:
                if name not in ("key", "label"):
                    raise PydanticCustomError(
                        "option_shape", "unknown key; expected one of key, label", {"at": (index, name), "index": index}
                    )
            raw_key, raw_label = item.get("key"), item.get("label")
            key = _option_text(raw_key, (index, "key"), index)
            label = _option_text(raw_label, (index, "label"), index)
        else:
            key = label = _option_text(item, (index,), index)
        if any(option["key"] == key for option in options):
            raise PydanticCustomError(
                "option_twice", "'{key}' is already an option of this field", {"at": (index,), "key": key}
            )
        options.append({"key": key, "label": label})
    return options


def _option_text(value: Any, at: tuple[str | int, ...], index: int) -> str:
    # Surrounding space never belongs to an option: the form and the document both drop it.
    try:
        return _check_option_text(value.strip() if isinstance(value, str) else value)
    except PydanticCustomError as exc:
        raise PydanticCustomError(
            f"option_{exc.type}", exc.message_template, {**(exc.context or {}), "at": at, "index": index + 1}
        ) from None


Key = Annotated[str, PlainValidator(check_key)]
Color = Annotated[str, PlainValidator(check_color)]
Category = Annotated[str, PlainValidator(check_category)]
FieldTypeName = Annotated[str, PlainValidator(check_field_type)]
Flag = Annotated[bool, PlainValidator(check_flag)]
TypeName = Annotated[str, PlainValidator(text_rule(TYPE_NAME_MAX))]
StatusName = Annotated[str, PlainValidator(text_rule(STATUS_NAME_MAX))]
FieldLabel = Annotated[str, PlainValidator(text_rule(FIELD_LABEL_MAX))]
# Blank: the requester reads the plain word for the status's category (`labels.public_status_label`).
PublicLabel = Annotated[str, PlainValidator(text_rule(PUBLIC_LABEL_MAX, blank_ok=True))]
Options = Annotated[list[dict[str, str]], PlainValidator(check_options)]


# --- the specs -----------------------------------------------------------------------------


class Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class StatusSpec(Spec):
    key: Key
    name: StatusName
    category: Category
    initial: Flag = False
    pauses_sla: Flag = False
    color: Color = DEFAULT_STATUS_COLOR
    public_label: PublicLabel = ""
    # Done statuses only: entering it closes the ticket; other done statuses resolve it.
    closed: Flag = False

    @model_validator(mode="after")
    def _only_done_statuses_close(self) -> StatusSpec:
        if self.closed and self.category != StatusCategory.DONE.value:
            raise PydanticCustomError("closed_not_done", "only a done status can close a ticket", {"at": ("closed",)})
        return self


class FieldSpec(Spec):
    key: Key
    label: FieldLabel
    type: FieldTypeName
    required: Flag = False
    # Each option is {"key": ..., "label": ...}; only select and multi_select fields have any.
    options: list[dict[str, str]] = Field(default_factory=list)
    # Number fields only: the decimal places every value keeps and shows (2 for money: 89.90).
    decimal_places: int | None = Field(default=None, ge=0, le=MAX_DECIMAL_PLACES, strict=True)
    # Whether the requester sees the value on their ticket page; a field the team keeps to itself says false.
    visible_to_requester: Flag = True

    @field_validator("options", mode="plain")
    @classmethod
    def _check_options(cls, value: Any) -> list[dict[str, str]]:
        return check_options(value) if value != [] else []

    @model_validator(mode="after")
    def _options_follow_the_type(self) -> FieldSpec:
        if self.type in SELECT_TYPES and not self.options:
            if "options" in self.model_fields_set:
                raise PydanticCustomError("options_empty", "must list at least one option", {"at": ("options",)})
            raise PydanticCustomError(
                "options_required", "is required for a {type} field", {"at": ("options",), "type": self.type}
            )
        if self.type not in SELECT_TYPES and self.options:
            raise PydanticCustomError(
                "options_not_allowed", "only select and multi_select fields have options", {"at": ("options",)}
            )
        if self.decimal_places is not None and self.type != FieldType.NUMBER.value:
            raise PydanticCustomError(
                "decimal_places_not_allowed", "only number fields have decimal places", {"at": ("decimal_places",)}
            )
        return self


class TypeSpec(Spec):
    key: Key
    name: TypeName
    statuses: list[StatusSpec] = Field(min_length=1)
    color: Color = DEFAULT_TYPE_COLOR
    icon: Key = DEFAULT_TYPE_ICON
    # From-status key -> the status keys a ticket may move to, in the document's order.
    transitions: dict[str, list[str]] = Field(default_factory=dict)
    fields: list[FieldSpec] = Field(default_factory=list)
    # From-status key -> to-status key -> the only role (besides admins) that may take that move.
    transition_roles: dict[str, dict[str, Annotated[str, AfterValidator(check_role)]]] = Field(default_factory=dict)
    # Status follows the conversation: where a public staff reply, or the requester's reply, moves a ticket.
    staff_reply_status: Key | None = None
    requester_reply_status: Key | None = None
    # Automatic assignment: the skills every ticket of the type needs, and those a select field's
    # chosen option adds ({field key: {option key: [skills]}}); see templates/assignment.py.
    skills: list[str] = Field(default_factory=list)
    field_skills: dict[str, dict[str, list[str]]] = Field(default_factory=dict)


# The status every new type starts with, so it can take tickets the moment it exists.
FIRST_STATUS = StatusSpec(key="new", name="New", category=StatusCategory.TODO.value, initial=True)
