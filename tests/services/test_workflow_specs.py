"""The workflow vocabulary that documents and the editor share: one rule per kind of value."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tickit.services.workflow_specs import FieldSpec, StatusSpec, TypeSpec


def broken_rules(model, **data) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return {".".join(map(str, error["loc"])): error["type"] for error in caught.value.errors()}


def test_a_status_names_each_rule_it_breaks():
    assert broken_rules(StatusSpec, key="Open", name=" ", category="later", color="beige", initial="yes") == {
        "key": "key",
        "name": "blank",
        "category": "category",
        "color": "color",
        "initial": "flag",
    }


def test_a_type_refuses_an_attribute_it_does_not_have():
    assert broken_rules(
        TypeSpec, key="bug", name="Bug", statuses=[{"key": "new", "name": "New", "category": "todo"}], colour="red"
    ) == {"colour": "extra_forbidden"}


def test_options_are_trimmed_and_each_has_a_key_and_a_label():
    field = FieldSpec(key="os", label="OS", type="select", options=[" Linux ", {"key": "mac", "label": " macOS"}])
    assert field.options == [{"key": "Linux", "label": "Linux"}, {"key": "mac", "label": "macOS"}]


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        ({"type": "select"}, "options_required"),
        ({"type": "select", "options": []}, "options_empty"),
        ({"type": "text", "options": ["a"]}, "options_not_allowed"),
        ({"type": "select", "options": ["a", " a"]}, "option_twice"),
        ({"type": "select", "options": [{"key": "a"}]}, "option_blank"),
    ],
    ids=["select without options", "select with none", "text with options", "one twice", "no label"],
)
def test_only_select_fields_have_options_and_at_least_one(data, rule):
    assert list(broken_rules(FieldSpec, key="os", label="OS", **data).values()) == [rule]


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        ({"type": "text", "decimal_places": 2}, "decimal_places_not_allowed"),
        ({"type": "number", "decimal_places": 7}, "less_than_equal"),
        ({"type": "number", "decimal_places": -1}, "greater_than_equal"),
    ],
    ids=["text with places", "too many", "negative"],
)
def test_only_number_fields_have_decimal_places_and_a_sensible_count(data, rule):
    assert list(broken_rules(FieldSpec, key="amount", label="Amount", **data).values()) == [rule]
