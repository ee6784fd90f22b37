"""Custom field values: the one validator every entry point (web forms, the API, import) goes through.

A ticket stores its custom values in its JSON `fields` column under each field's stable key.
`clean_field_values` turns what a form, an integrator or an import file sent into exactly what is
stored, or raises ValidationFailed with one message per field, keyed by the field's key.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import bindparam
from sqlmodel import Session, select

from tickit.models import FieldType, TicketTypeField
from tickit.services.errors import ValidationFailed
from tickit.services.users import normalise_email

MAX_LENGTH = {FieldType.TEXT: 500, FieldType.LONG_TEXT: 20_000}
URL_MAX_LENGTH = 2000
# Beyond 2**53 a number no longer survives the trip through the browser's JavaScript intact.
NUMBER_LIMIT = 10**15

# ASCII only: `\d` alone would also take Arabic-Indic and other digits `int()` happens to read.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_TRUE = frozenset({"true", "on", "1"})
_FALSE = frozenset({"false", "off", "0"})


@dataclass(frozen=True)
class FieldRule:
    """What one custom field accepts, detached from the database row."""

    key: str
    label: str
    field_type: FieldType
    required: bool = False
    options: tuple[tuple[str, str], ...] = ()  # (key, label), in the order the form shows them
    archived: bool = False
    decimal_places: int | None = None  # number fields: the places each value keeps and shows
    visible_to_requester: bool = True

    @classmethod
    def of(cls, row: TicketTypeField) -> FieldRule:
        """The rule a TicketTypeField row describes."""
        return cls(
            key=row.key,
            label=row.label,
            field_type=FieldType(row.field_type),
            required=row.required,
            options=tuple((option["key"], option["label"]) for option in row.options),
            archived=row.archived,
            decimal_places=row.decimal_places,
            visible_to_requester=row.visible_to_requester,
        )

    def option_label(self, key: str) -> str:
        """The label shown for an option key; a key no longer among the options shows as itself."""
        return next((label for option_key, label in self.options if option_key == key), key)


# Every filing reads the rules. Built once, with parameters: compiled and cached once, where a
# statement built per call costs more CPU than the database takes to run it.
_ALL_RULES = (
    select(TicketTypeField)
    .where(TicketTypeField.type_id == bindparam("type_id"))
    .order_by(TicketTypeField.sort_order, TicketTypeField.id)
)
_ACTIVE_RULES = _ALL_RULES.where(TicketTypeField.archived == False)  # noqa: E712


def rules_for_type(session: Session, type_id: int, *, include_archived: bool = False) -> list[FieldRule]:
    """The rules of a ticket type's fields in form order; archived fields only when asked for."""
    query = _ALL_RULES if include_archived else _ACTIVE_RULES
    rows = session.exec(query, params={"type_id": type_id}).all()
    return [FieldRule.of(row) for row in rows]


class _Invalid(Exception):
    """One field's value is wrong; the message is ready to show."""


def clean_field_values(
    rules: list[FieldRule],
    values: Mapping[str, Any] | None,
    *,
    previous: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The values to store for a ticket, keyed by field key; raises ValidationFailed with one error per field.

    `values` is the whole submission for the type's active fields: an active field it leaves out or
    empty is not stored (or is refused when required). `previous` is what the ticket stores now.
    Values outside the active form (archived fields, or keys the given rules do not know) are kept
    from `previous` untouched, and may be sent back only unchanged, so editing an old ticket never
    loses or rewrites what it held.
    """
    values = values or {}
    previous = previous or {}
    rule_by_key = {rule.key: rule for rule in rules}
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {
        key: value for key, value in previous.items() if key not in rule_by_key or rule_by_key[key].archived
    }

    for key, value in values.items():
        rule = rule_by_key.get(key)
        if rule is not None and not rule.archived:
            continue
        if key in previous and value == previous[key]:
            continue
        if rule is None:
            errors[key] = f"There is no field '{key}' on this ticket type."
        else:
            errors[key] = f"{rule.label} is no longer used on this form."

    for rule in rules:
        if rule.archived:
            continue
        try:
            value = _clean_one(rule, values.get(rule.key))
        except _Invalid as exc:
            errors[rule.key] = str(exc)
            continue
        if value is not None:
            cleaned[rule.key] = value

    if errors:
        raise ValidationFailed(errors)
    return cleaned


def _is_empty(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or (isinstance(value, list | tuple) and not value)


def _clean_one(rule: FieldRule, value: Any) -> Any:
    """The stored form of one active field's value, or None when nothing is to be stored."""
    if _is_empty(value):
        if rule.required:
            verb = "must be checked" if rule.field_type == FieldType.CHECKBOX else "is required"
            raise _Invalid(f"{rule.label} {verb}.")
        return None
    cleaned = _CLEANERS[rule.field_type](rule, value)
    if rule.required and rule.field_type == FieldType.CHECKBOX and not cleaned:
        raise _Invalid(f"{rule.label} must be checked.")
    return cleaned


def _clean_text(rule: FieldRule, value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"{rule.label} must be text.")
    text = value.strip()
    limit = MAX_LENGTH[rule.field_type]
    if len(text) > limit:
        raise _Invalid(f"{rule.label} must be at most {limit:,} characters.")
    _require_storable(rule, text)
    return text


def _require_storable(rule: FieldRule, text: str) -> None:
    reason = unstorable_reason(text)
    if reason is not None:
        raise _Invalid(f"{rule.label} {reason}.")


def unstorable_reason(text: str) -> str | None:
    """Why the database cannot store `text` (NUL, or a lone surrogate), or None when it can."""
    # PostgreSQL refuses NUL in text and JSONB, and a lone surrogate cannot be encoded as UTF-8
    # at all; either would fail at commit with a server error instead of a message at the field.
    if "\x00" in text:
        return "contains a NUL character, which cannot be stored"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "contains characters that are not valid Unicode text"
    return None


def _clean_number(rule: FieldRule, value: Any) -> int | float:
    # bool is a subclass of int, but `true` in a number field is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _Invalid(f"{rule.label} must be a number.")
    if isinstance(value, str):
        text = value.strip()
        if not _NUMBER.fullmatch(text):
            raise _Invalid(f"{rule.label} must be a number, like 42 or 3.5.")
        # Parsed as int when it looks like one, so a long integer keeps every digit.
        try:
            value = int(text) if text.lstrip("+-").isdigit() else float(text)
        except ValueError:  # thousands of digits, more than Python converts: far out of range
            raise _Invalid(f"{rule.label} must be between {-NUMBER_LIMIT:,} and {NUMBER_LIMIT:,}.") from None
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Invalid(f"{rule.label} must be a finite number.")
        if value.is_integer():
            value = int(value)
    if abs(value) > NUMBER_LIMIT:
        raise _Invalid(f"{rule.label} must be between {-NUMBER_LIMIT:,} and {NUMBER_LIMIT:,}.")
    places = rule.decimal_places
    if places is not None and isinstance(value, float) and round(value, places) != value:
        # Refused rather than rounded: 89.905 for a refund is a typo to fix, not a cent to lose quietly.
        raise _Invalid(f"{rule.label} takes at most {places} decimal place{'s' if places != 1 else ''}.")
    return value


def _clean_date(rule: FieldRule, value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    example = f"{rule.label} must be a date like 2026-11-22."
    if not isinstance(value, str):
        raise _Invalid(example)
    text = value.strip()
    if not _DATE.fullmatch(text):
        raise _Invalid(example)
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise _Invalid(f"{rule.label} must be a real calendar date; {text} does not exist.") from None


def _option_error(rule: FieldRule, problem: str, sent: list[str]) -> _Invalid:
    if not rule.options:
        return _Invalid(f"{rule.label} has no options to choose from yet.")
    labels = ", ".join(label for _, label in rule.options)
    message = f"{rule.label} {problem}: {labels}."
    # An integrator who sends a label gets a message listing exactly what they sent; point at the key.
    key_of_label = {label.casefold(): key for key, label in rule.options}
    mixups = [f"'{key_of_label[text.casefold()]}' for '{text}'" for text in sent if text.casefold() in key_of_label]
    if mixups:
        message += f" Send the option key, not its label: {', '.join(mixups)}."
    return _Invalid(message)


def _clean_select(rule: FieldRule, value: Any) -> str:
    if not isinstance(value, str):
        raise _option_error(rule, "must be one of", [])
    key = value.strip()
    if key not in {option_key for option_key, _ in rule.options}:
        raise _option_error(rule, "must be one of", [key])
    return key


def _clean_multi_select(rule: FieldRule, value: Any) -> list[str]:
    # A lone string is refused rather than split on commas: an option key or label may hold a comma.
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise _Invalid(f"{rule.label} must be a list of options.")
    chosen = {item.strip() for item in value}
    unknown = sorted(chosen - {option_key for option_key, _ in rule.options})
    if unknown:
        named = ", ".join(f"'{key}'" for key in unknown)
        raise _option_error(rule, f"has no option {named}; choose from", unknown)
    return [option_key for option_key, _ in rule.options if option_key in chosen]


def _clean_checkbox(rule: FieldRule, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    # Web forms post checkboxes as strings; an integrator's 1 or "yes" is refused as ambiguous.
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise _Invalid(f"{rule.label} must be true or false.")


def _clean_url(rule: FieldRule, value: Any) -> str:
    refusal = _Invalid(f"{rule.label} must be a web address starting with http:// or https://.")
    if not isinstance(value, str):
        raise refusal
    url = value.strip()
    if len(url) > URL_MAX_LENGTH:
        raise _Invalid(f"{rule.label} must be at most {URL_MAX_LENGTH:,} characters.")
    if any(char.isspace() or not char.isprintable() for char in url):
        raise refusal
    try:
        parts = urlsplit(url)
        # urlsplit checks the port only when it is read: a port that is not a number in range fails here.
        _ = parts.port
    except ValueError:
        raise refusal from None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise refusal
    return url


def _clean_email(rule: FieldRule, value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"{rule.label} must be an email address.")
    try:
        return normalise_email(value)
    except ValidationFailed as exc:
        raise _Invalid(f"{rule.label}: {exc.errors['email']}") from None


_CLEANERS = {
    FieldType.TEXT: _clean_text,
    FieldType.LONG_TEXT: _clean_text,
    FieldType.NUMBER: _clean_number,
    FieldType.DATE: _clean_date,
    FieldType.SELECT: _clean_select,
    FieldType.MULTI_SELECT: _clean_multi_select,
    FieldType.CHECKBOX: _clean_checkbox,
    FieldType.URL: _clean_url,
    FieldType.EMAIL: _clean_email,
}


def display_value(rule: FieldRule, value: Any) -> str:
    """A stored value as read-only text: option labels instead of keys, Yes/No, "" when unset."""
    if value is None or value == [] or value == "":
        return ""
    if rule.field_type == FieldType.CHECKBOX:
        return "Yes" if value else "No"
    if rule.field_type == FieldType.SELECT:
        return rule.option_label(str(value))
    if rule.field_type == FieldType.MULTI_SELECT and isinstance(value, list):
        return ", ".join(rule.option_label(str(key)) for key in value)
    if rule.field_type == FieldType.NUMBER and rule.decimal_places is not None and isinstance(value, int | float):
        return f"{value:.{rule.decimal_places}f}"
    return str(value)
