"""The one custom-field validator: what each field type accepts, stores and shows."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from tests.factories import make_project
from tickit.models import FieldType, TicketType, TicketTypeField
from tickit.services.errors import ValidationFailed
from tickit.services.fields import MAX_LENGTH, FieldRule, clean_field_values, display_value, rules_for_type

SEVERITY = FieldRule(
    key="severity",
    label="Severity",
    field_type=FieldType.SELECT,
    options=(("blocker", "Blocker"), ("major", "Major"), ("minor", "Minor")),
)
PLATFORMS = FieldRule(
    key="platforms",
    label="Platforms",
    field_type=FieldType.MULTI_SELECT,
    options=(("web", "Web"), ("ios", "iOS"), ("android", "Android")),
)
RULES = {
    FieldType.TEXT: FieldRule(key="app_version", label="App version", field_type=FieldType.TEXT),
    FieldType.LONG_TEXT: FieldRule(key="steps", label="Steps to reproduce", field_type=FieldType.LONG_TEXT),
    FieldType.NUMBER: FieldRule(key="seats", label="Seats", field_type=FieldType.NUMBER),
    FieldType.DATE: FieldRule(key="due", label="Due date", field_type=FieldType.DATE),
    FieldType.SELECT: SEVERITY,
    FieldType.MULTI_SELECT: PLATFORMS,
    FieldType.CHECKBOX: FieldRule(key="consent", label="Consent", field_type=FieldType.CHECKBOX),
    FieldType.URL: FieldRule(key="homepage", label="Homepage", field_type=FieldType.URL),
    FieldType.EMAIL: FieldRule(key="contact", label="Contact email", field_type=FieldType.EMAIL),
}


class _Missing:
    """Stands for a key left out of the submission altogether."""

    def __repr__(self) -> str:  # a stable test id, the same in every pytest-xdist worker
        return "MISSING"


MISSING = _Missing()


def clean_one(field_type: FieldType, value: Any, **changes: Any) -> Any:
    """The stored value of one field of that type, or the missing marker when nothing is stored."""
    rule = replace(RULES[field_type], **changes)
    return clean_field_values([rule], {rule.key: value}).get(rule.key, MISSING)


def error_of(field_type: FieldType, value: Any, **changes: Any) -> str:
    rule = replace(RULES[field_type], **changes)
    with pytest.raises(ValidationFailed) as caught:
        clean_field_values([rule], {rule.key: value})
    assert list(caught.value.errors) == [rule.key]
    return caught.value.errors[rule.key]


# --- valid values, per type -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("field_type", "given_value", "stored"),
    [
        (FieldType.TEXT, "2.4.1", "2.4.1"),
        (FieldType.TEXT, "  2.4.1 \n", "2.4.1"),
        (FieldType.TEXT, "x" * 500, "x" * 500),
        (FieldType.TEXT, "café ☕ 日本", "café ☕ 日本"),
        (FieldType.LONG_TEXT, "Open the app.\nTap Export.\n\n", "Open the app.\nTap Export."),
        (FieldType.LONG_TEXT, "y" * 20_000, "y" * 20_000),
        (FieldType.NUMBER, 42, 42),
        (FieldType.NUMBER, 3.5, 3.5),
        (FieldType.NUMBER, 3.0, 3),
        (FieldType.NUMBER, -7, -7),
        (FieldType.NUMBER, 0, 0),
        (FieldType.NUMBER, "42", 42),
        (FieldType.NUMBER, "3.5", 3.5),
        (FieldType.NUMBER, " -1 ", -1),
        (FieldType.NUMBER, "+8", 8),
        (FieldType.NUMBER, "2.50", 2.5),
        (FieldType.NUMBER, "4.", 4),
        (FieldType.NUMBER, ".5", 0.5),
        (FieldType.NUMBER, "1e3", 1000),
        (FieldType.NUMBER, "2.5E-1", 0.25),
        (FieldType.NUMBER, 10**15, 10**15),
        (FieldType.DATE, "2026-11-22", "2026-11-22"),
        (FieldType.DATE, " 2028-02-29 ", "2028-02-29"),
        (FieldType.DATE, date(2026, 1, 5), "2026-01-05"),
        (FieldType.DATE, datetime(2026, 1, 5, 23, 59, tzinfo=UTC), "2026-01-05"),
        (FieldType.SELECT, "major", "major"),
        (FieldType.SELECT, " minor ", "minor"),
        (FieldType.MULTI_SELECT, ["ios"], ["ios"]),
        (FieldType.MULTI_SELECT, ["android", "web"], ["web", "android"]),
        (FieldType.MULTI_SELECT, ("web",), ["web"]),
        (FieldType.CHECKBOX, True, True),
        (FieldType.CHECKBOX, False, False),
        (FieldType.CHECKBOX, "true", True),
        (FieldType.CHECKBOX, "ON", True),
        (FieldType.CHECKBOX, "1", True),
        (FieldType.CHECKBOX, "False", False),
        (FieldType.CHECKBOX, "off", False),
        (FieldType.CHECKBOX, " 0 ", False),
        (FieldType.URL, "https://example.com", "https://example.com"),
        (FieldType.URL, " http://example.com/a?b=c#d ", "http://example.com/a?b=c#d"),
        (FieldType.URL, "HTTPS://Example.com:8443/path", "HTTPS://Example.com:8443/path"),
        (FieldType.URL, "http://[::1]/", "http://[::1]/"),
        (FieldType.URL, "https://example.com/" + "p" * 1980, "https://example.com/" + "p" * 1980),
        (FieldType.EMAIL, "ada@example.com", "ada@example.com"),
        (FieldType.EMAIL, " Ada@Example.COM ", "ada@example.com"),
    ],
)
def test_valid_value_is_stored_in_its_clean_form(field_type, given_value, stored):
    result = clean_one(field_type, given_value)
    assert result == stored
    assert type(result) is type(stored)


# --- invalid values, per type ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("field_type", "given_value", "message"),
    [
        (FieldType.TEXT, "x" * 501, "App version must be at most 500 characters."),
        (FieldType.TEXT, 42, "App version must be text."),
        (FieldType.TEXT, ["a"], "App version must be text."),
        (FieldType.TEXT, "nul\x00byte", "App version contains a NUL character, which cannot be stored."),
        (FieldType.TEXT, "lone \ud800", "App version contains characters that are not valid Unicode text."),
        (FieldType.LONG_TEXT, "y" * 20_001, "Steps to reproduce must be at most 20,000 characters."),
        (FieldType.LONG_TEXT, {"text": "hi"}, "Steps to reproduce must be text."),
        (FieldType.NUMBER, "forty-two", "Seats must be a number, like 42 or 3.5."),
        (FieldType.NUMBER, "1,5", "Seats must be a number, like 42 or 3.5."),
        (FieldType.NUMBER, "1_000", "Seats must be a number, like 42 or 3.5."),
        (FieldType.NUMBER, "0x10", "Seats must be a number, like 42 or 3.5."),
        (FieldType.NUMBER, "٣", "Seats must be a number, like 42 or 3.5."),
        (FieldType.NUMBER, "nan", "Seats must be a number, like 42 or 3.5."),
        (FieldType.NUMBER, "inf", "Seats must be a number, like 42 or 3.5."),
        (FieldType.NUMBER, float("nan"), "Seats must be a finite number."),
        (FieldType.NUMBER, float("inf"), "Seats must be a finite number."),
        (FieldType.NUMBER, float("-inf"), "Seats must be a finite number."),
        (FieldType.NUMBER, True, "Seats must be a number."),
        (FieldType.NUMBER, False, "Seats must be a number."),
        (FieldType.NUMBER, [1], "Seats must be a number."),
        (FieldType.NUMBER, 10**15 + 1, "Seats must be between -1,000,000,000,000,000 and 1,000,000,000,000,000."),
        (FieldType.NUMBER, "1e300", "Seats must be between -1,000,000,000,000,000 and 1,000,000,000,000,000."),
        (FieldType.DATE, "22/11/2026", "Due date must be a date like 2026-11-22."),
        (FieldType.DATE, "2026-11-22T10:00", "Due date must be a date like 2026-11-22."),
        (FieldType.DATE, "20261122", "Due date must be a date like 2026-11-22."),
        (FieldType.DATE, "2026-W47-1", "Due date must be a date like 2026-11-22."),
        (FieldType.DATE, "2026-1-5", "Due date must be a date like 2026-11-22."),
        (FieldType.DATE, 20261122, "Due date must be a date like 2026-11-22."),
        (FieldType.DATE, "2026-02-30", "Due date must be a real calendar date; 2026-02-30 does not exist."),
        (FieldType.DATE, "2026-02-29", "Due date must be a real calendar date; 2026-02-29 does not exist."),
        (FieldType.DATE, "2026-13-01", "Due date must be a real calendar date; 2026-13-01 does not exist."),
        (FieldType.SELECT, "critical", "Severity must be one of: Blocker, Major, Minor."),
        (FieldType.SELECT, ["major"], "Severity must be one of: Blocker, Major, Minor."),
        (FieldType.MULTI_SELECT, "web", "Platforms must be a list of options."),
        (FieldType.MULTI_SELECT, "web,ios", "Platforms must be a list of options."),
        (FieldType.MULTI_SELECT, ["web", 3], "Platforms must be a list of options."),
        (FieldType.MULTI_SELECT, ["web", "linux"], "Platforms has no option 'linux'; choose from: Web, iOS, Android."),
        (
            FieldType.MULTI_SELECT,
            ["mac", "bsd"],
            "Platforms has no option 'bsd', 'mac'; choose from: Web, iOS, Android.",
        ),
        (FieldType.CHECKBOX, "yes", "Consent must be true or false."),
        (FieldType.CHECKBOX, 1, "Consent must be true or false."),
        (FieldType.CHECKBOX, ["on"], "Consent must be true or false."),
        (FieldType.URL, "example.com", "Homepage must be a web address starting with http:// or https://."),
        (FieldType.URL, "ftp://example.com", "Homepage must be a web address starting with http:// or https://."),
        (FieldType.URL, "javascript:alert(1)", "Homepage must be a web address starting with http:// or https://."),
        (FieldType.URL, "https://", "Homepage must be a web address starting with http:// or https://."),
        (FieldType.URL, "https:///path", "Homepage must be a web address starting with http:// or https://."),
        (FieldType.URL, "https://exa mple.com", "Homepage must be a web address starting with http:// or https://."),
        (
            FieldType.URL,
            "https://example.com:99999",
            "Homepage must be a web address starting with http:// or https://.",
        ),
        (FieldType.URL, "http://[::1", "Homepage must be a web address starting with http:// or https://."),
        (FieldType.URL, 42, "Homepage must be a web address starting with http:// or https://."),
        (FieldType.URL, "https://example.com/" + "p" * 1981, "Homepage must be at most 2,000 characters."),
        (FieldType.EMAIL, 42, "Contact email must be an email address."),
    ],
)
def test_invalid_value_is_refused_with_a_message_naming_the_field(field_type, given_value, message):
    assert error_of(field_type, given_value) == message


@pytest.mark.parametrize("address", ["not-an-email", "two@@example.com", "ada@", "@example.com"])
def test_invalid_email_is_refused_under_the_field_key_with_the_field_label(address):
    message = error_of(FieldType.EMAIL, address)
    assert message.startswith("Contact email: ")
    assert len(message) > len("Contact email: ")


def test_option_label_sent_instead_of_its_key_is_refused_pointing_at_the_key():
    with pytest.raises(ValidationFailed) as caught:
        clean_field_values([SEVERITY, PLATFORMS], {"severity": "MAJOR", "platforms": ["iOS", "web"]})
    assert caught.value.errors == {
        "severity": "Severity must be one of: Blocker, Major, Minor. Send the option key, not its label: "
        "'major' for 'MAJOR'.",
        "platforms": "Platforms has no option 'iOS'; choose from: Web, iOS, Android. Send the option key, "
        "not its label: 'ios' for 'iOS'.",
    }


def test_select_without_options_says_there_is_nothing_to_choose():
    for field_type in (FieldType.SELECT, FieldType.MULTI_SELECT):
        value = "x" if field_type == FieldType.SELECT else ["x"]
        assert error_of(field_type, value, options=()).endswith("has no options to choose from yet.")


# --- required and empty ----------------------------------------------------------------------

EMPTY_VALUES = [None, "", "   ", [], MISSING]
TYPES_REQUIRING_A_VALUE = [field_type for field_type in FieldType if field_type != FieldType.CHECKBOX]


def _submission(rule: FieldRule, value: Any) -> dict[str, Any]:
    return {} if value is MISSING else {rule.key: value}


@pytest.mark.parametrize("empty", EMPTY_VALUES, ids=repr)
@pytest.mark.parametrize("field_type", TYPES_REQUIRING_A_VALUE)
def test_required_field_left_empty_is_required(field_type, empty):
    rule = replace(RULES[field_type], required=True)
    with pytest.raises(ValidationFailed) as caught:
        clean_field_values([rule], _submission(rule, empty))
    assert caught.value.errors == {rule.key: f"{rule.label} is required."}


@pytest.mark.parametrize("unchecked", [*EMPTY_VALUES, False, "false", "off", "0"], ids=repr)
def test_required_checkbox_must_be_checked(unchecked):
    rule = replace(RULES[FieldType.CHECKBOX], required=True)
    with pytest.raises(ValidationFailed) as caught:
        clean_field_values([rule], _submission(rule, unchecked))
    assert caught.value.errors == {"consent": "Consent must be checked."}


def test_required_checkbox_accepts_a_tick():
    rule = replace(RULES[FieldType.CHECKBOX], required=True)
    assert clean_field_values([rule], {"consent": "on"}) == {"consent": True}


@pytest.mark.parametrize("empty", EMPTY_VALUES, ids=repr)
@pytest.mark.parametrize("field_type", list(FieldType))
def test_optional_field_left_empty_is_not_stored(field_type, empty):
    rule = RULES[field_type]
    assert clean_field_values([rule], _submission(rule, empty)) == {}


@pytest.mark.parametrize("field_type", TYPES_REQUIRING_A_VALUE)
def test_required_field_with_a_value_is_stored(field_type):
    sample = {
        FieldType.TEXT: "1.0",
        FieldType.LONG_TEXT: "Steps",
        FieldType.NUMBER: 0,
        FieldType.DATE: "2026-11-22",
        FieldType.SELECT: "minor",
        FieldType.MULTI_SELECT: ["web"],
        FieldType.URL: "https://example.com",
        FieldType.EMAIL: "ada@example.com",
    }[field_type]
    rule = replace(RULES[field_type], required=True)
    assert clean_field_values([rule], {rule.key: sample}) == {rule.key: sample}


def test_no_values_at_all_is_an_empty_result_when_nothing_is_required():
    assert clean_field_values(list(RULES.values()), None) == {}


# --- unknown, archived, relabelled -------------------------------------------------------------


def test_unknown_key_is_refused_under_that_key():
    with pytest.raises(ValidationFailed) as caught:
        clean_field_values([SEVERITY], {"severity": "major", "colour": "red"})
    assert caught.value.errors == {"colour": "There is no field 'colour' on this ticket type."}


ARCHIVED_OS = FieldRule(key="os", label="Operating system", field_type=FieldType.TEXT, archived=True)


def test_archived_field_is_refused_in_new_values():
    with pytest.raises(ValidationFailed) as caught:
        clean_field_values([SEVERITY, ARCHIVED_OS], {"severity": "major", "os": "Linux"})
    assert caught.value.errors == {"os": "Operating system is no longer used on this form."}


def test_archived_field_value_is_kept_from_previous_when_the_edit_leaves_it_out():
    cleaned = clean_field_values(
        [SEVERITY, ARCHIVED_OS], {"severity": "minor"}, previous={"severity": "major", "os": "  Windows 95"}
    )
    assert cleaned == {"severity": "minor", "os": "  Windows 95"}


def test_archived_field_value_sent_back_unchanged_is_kept_untouched():
    previous = {"severity": "major", "os": "  Windows 95"}
    cleaned = clean_field_values([SEVERITY, ARCHIVED_OS], dict(previous), previous=previous)
    assert cleaned == previous


def test_archived_field_value_cannot_be_changed_or_cleared():
    previous = {"os": "Windows 95"}
    for changed in ("Windows 98", None):
        with pytest.raises(ValidationFailed) as caught:
            clean_field_values([ARCHIVED_OS], {"os": changed}, previous=previous)
        assert caught.value.errors == {"os": "Operating system is no longer used on this form."}


def test_archived_required_field_is_not_required_any_more():
    archived_required = replace(ARCHIVED_OS, required=True)
    assert clean_field_values([archived_required, SEVERITY], {"severity": "major"}) == {"severity": "major"}


def test_stored_value_of_a_field_the_rules_do_not_know_is_never_dropped():
    # Rules loaded without archived fields must not make an edit lose what the ticket holds.
    cleaned = clean_field_values([SEVERITY], {"severity": "major"}, previous={"os": "BeOS"})
    assert cleaned == {"severity": "major", "os": "BeOS"}


def test_active_field_takes_the_new_value_and_not_the_previous_one():
    cleaned = clean_field_values(
        [SEVERITY, RULES[FieldType.TEXT]], {"severity": "minor"}, previous=dict(severity="major", app_version="1.0")
    )
    assert cleaned == {"severity": "minor"}


def test_relabelled_option_keeps_its_key_for_stored_and_new_values():
    relabelled = replace(SEVERITY, options=(("blocker", "Showstopper"), ("major", "Major"), ("minor", "Minor")))
    assert clean_field_values([relabelled], {"severity": "blocker"}) == {"severity": "blocker"}
    assert display_value(relabelled, "blocker") == "Showstopper"
    with pytest.raises(ValidationFailed):
        clean_field_values([relabelled], {"severity": "Showstopper"})


def test_relabelled_field_keeps_its_key_and_speaks_with_the_new_label():
    renamed = replace(SEVERITY, label="Impact", required=True)
    assert clean_field_values([renamed], {"severity": "major"}) == {"severity": "major"}
    with pytest.raises(ValidationFailed) as caught:
        clean_field_values([renamed], {})
    assert caught.value.errors == {"severity": "Impact is required."}


# --- several errors at once --------------------------------------------------------------------


def test_every_bad_field_gets_exactly_one_error():
    rules = [
        replace(SEVERITY, required=True),
        RULES[FieldType.NUMBER],
        RULES[FieldType.DATE],
        RULES[FieldType.URL],
        RULES[FieldType.TEXT],
    ]
    with pytest.raises(ValidationFailed) as caught:
        clean_field_values(
            rules, {"seats": "many", "due": "tomorrow", "homepage": "example.com", "app_version": "2.0", "x": 1}
        )
    assert caught.value.errors == {
        "severity": "Severity is required.",
        "seats": "Seats must be a number, like 42 or 3.5.",
        "due": "Due date must be a date like 2026-11-22.",
        "homepage": "Homepage must be a web address starting with http:// or https://.",
        "x": "There is no field 'x' on this ticket type.",
    }


def test_all_valid_fields_are_stored_together_under_their_keys():
    values = {
        "app_version": " 2.0 ",
        "steps": "Tap it",
        "seats": "12",
        "due": "2026-11-22",
        "severity": "major",
        "platforms": ["ios", "web", "ios"],
        "consent": "on",
        "homepage": "https://example.com",
        "contact": "Ada@Example.com",
    }
    assert clean_field_values(list(RULES.values()), values) == {
        "app_version": "2.0",
        "steps": "Tap it",
        "seats": 12,
        "due": "2026-11-22",
        "severity": "major",
        "platforms": ["web", "ios"],
        "consent": True,
        "homepage": "https://example.com",
        "contact": "ada@example.com",
    }


# --- number, date and multi-select edge cases ----------------------------------------------------


@pytest.mark.parametrize("flag", [True, False])
def test_a_boolean_is_not_a_number(flag):
    assert error_of(FieldType.NUMBER, flag) == "Seats must be a number."


def test_scientific_notation_from_a_form_is_a_number():
    assert clean_one(FieldType.NUMBER, "1e3") == 1000
    assert clean_one(FieldType.NUMBER, "-1.5e2") == -150


def test_a_long_integer_string_keeps_every_digit():
    assert clean_one(FieldType.NUMBER, "999999999999999") == 999_999_999_999_999


def test_integral_float_is_stored_as_an_int_and_a_fraction_as_a_float():
    assert type(clean_one(FieldType.NUMBER, 7.0)) is int
    assert type(clean_one(FieldType.NUMBER, "7.25")) is float


def test_leap_day_exists_only_in_leap_years():
    assert clean_one(FieldType.DATE, "2024-02-29") == "2024-02-29"
    assert "does not exist" in error_of(FieldType.DATE, "2100-02-29")


def test_multi_select_removes_duplicates_and_follows_the_option_order():
    assert clean_one(FieldType.MULTI_SELECT, ["android", "web", "android", " web "]) == ["web", "android"]


def test_multi_select_treats_option_labels_as_unknown_keys():
    assert "'iOS'" in error_of(FieldType.MULTI_SELECT, ["iOS"])


# --- display -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field_type", "stored", "shown"),
    [
        (FieldType.SELECT, "major", "Major"),
        (FieldType.SELECT, "retired_option", "retired_option"),
        (FieldType.MULTI_SELECT, ["web", "android"], "Web, Android"),
        (FieldType.MULTI_SELECT, [], ""),
        (FieldType.CHECKBOX, True, "Yes"),
        (FieldType.CHECKBOX, False, "No"),
        (FieldType.NUMBER, 0, "0"),
        (FieldType.NUMBER, 3.5, "3.5"),
        (FieldType.DATE, "2026-11-22", "2026-11-22"),
        (FieldType.TEXT, "2.4.1", "2.4.1"),
        (FieldType.URL, "https://example.com", "https://example.com"),
        (FieldType.EMAIL, "ada@example.com", "ada@example.com"),
        (FieldType.TEXT, None, ""),
        (FieldType.CHECKBOX, None, ""),
        (FieldType.SELECT, None, ""),
    ],
)
def test_display_value_shows_what_a_person_should_read(field_type, stored, shown):
    assert display_value(RULES[field_type], stored) == shown


AMOUNT = FieldRule(key="amount", label="Amount to refund", field_type=FieldType.NUMBER, decimal_places=2)


@pytest.mark.parametrize(("typed", "shown"), [("89.90", "89.90"), ("89.9", "89.90"), ("12", "12.00"), (0.5, "0.50")])
def test_a_number_field_with_decimal_places_keeps_its_scale(typed, shown):
    stored = clean_field_values([AMOUNT], {"amount": typed})["amount"]

    assert display_value(AMOUNT, stored) == shown


def test_a_number_with_more_places_than_its_field_keeps_is_refused_not_rounded():
    with pytest.raises(ValidationFailed) as caught:
        clean_field_values([AMOUNT], {"amount": "89.905"})

    assert caught.value.errors == {"amount": "Amount to refund takes at most 2 decimal places."}


# --- properties ----------------------------------------------------------------------------------

STORABLE_TEXT = st.characters(exclude_characters="\x00", exclude_categories=("Cs",))


@given(st.text(STORABLE_TEXT, max_size=MAX_LENGTH[FieldType.TEXT]))
def test_cleaning_text_twice_changes_nothing(text):
    rules = [RULES[FieldType.TEXT], RULES[FieldType.LONG_TEXT]]
    values = {"app_version": text, "steps": text * 3}
    once = clean_field_values(rules, values)
    assert clean_field_values(rules, once) == once


# --- rules from the database ---------------------------------------------------------------------


def test_rules_for_type_reads_fields_in_form_order_and_leaves_archived_ones_out_unless_asked(session):
    project = make_project(session)
    bug = session.exec(select(TicketType).where(TicketType.project_id == project.id, TicketType.key == "bug")).one()
    rows = session.exec(select(TicketTypeField).where(TicketTypeField.type_id == bug.id)).all()
    by_key = {row.key: row for row in rows}
    # Reordered the way the editor's drag and drop does it, so order comes from sort_order alone.
    for position, key in enumerate(["app_version", "severity", "steps_to_reproduce", "platform"]):
        by_key[key].sort_order = position
    by_key["platform"].archived = True
    session.add_all(rows)
    session.flush()

    active = rules_for_type(session, bug.id)
    assert [rule.key for rule in active] == ["app_version", "severity", "steps_to_reproduce"]
    everything = rules_for_type(session, bug.id, include_archived=True)
    assert [(rule.key, rule.archived) for rule in everything] == [
        ("app_version", False),
        ("severity", False),
        ("steps_to_reproduce", False),
        ("platform", True),
    ]
    severity = everything[1]
    assert (severity.label, severity.field_type, severity.required) == ("Severity", FieldType.SELECT, True)
    assert severity.options[0] == ("blocker", "Blocker – nothing works")
    assert everything[3].options[1] == ("iOS", "iOS")
