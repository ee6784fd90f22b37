"""Workflow documents: shipped templates, strict parsing with line-accurate errors, canonical output."""

from __future__ import annotations

import pytest

from tickit.services.errors import NotFound
from tickit.services.templates import (
    TEMPLATE_DIR,
    TemplateError,
    dump_workflow,
    list_templates,
    load_template,
    parse_workflow,
)
from tickit.services.workflow_specs import FieldSpec

SHIPPED = ["customer-support", "it-helpdesk", "software-feedback"]

# Line numbers in the cases below count from `name:` as line 1.
TINY = """\
name: Tiny
description: The smallest useful workflow.
types:
  - key: bug
    name: Bug
    statuses:
      - {key: new, name: New, category: todo, initial: true}
      - {key: done, name: Done, category: done}
    transitions:
      new: [done]
    fields:
      - {key: severity, label: Severity, type: select, required: true, options: [low, high]}
"""


def variant(old: str, new: str) -> str:
    assert old in TINY, old
    return TINY.replace(old, new, 1)


def test_tiny_document_is_valid():
    document = parse_workflow(TINY, "tiny.yaml")
    assert [spec.key for spec in document.types] == ["bug"]


@pytest.mark.parametrize("slug", SHIPPED)
def test_every_shipped_template_parses(slug):
    document = load_template(slug)
    assert document.name and document.description
    assert len(document.types) == 3


@pytest.mark.parametrize("slug", SHIPPED)
def test_every_shipped_type_has_one_initial_status_and_a_required_select(slug):
    for spec in load_template(slug).types:
        assert 4 <= len(spec.statuses) <= 6, spec.key
        assert sum(status.initial for status in spec.statuses) == 1, spec.key
        assert {status.category for status in spec.statuses} == {"todo", "in_progress", "done"}, spec.key
        assert 2 <= len(spec.fields) <= 5, spec.key
        assert any(f.required and f.type in ("select", "multi_select") for f in spec.fields), spec.key


@pytest.mark.parametrize("slug", SHIPPED)
def test_every_shipped_type_can_reach_a_done_status_from_its_initial_one(slug):
    for spec in load_template(slug).types:
        reached = {next(s.key for s in spec.statuses if s.initial)}
        frontier = list(reached)
        while frontier:
            for target in spec.transitions.get(frontier.pop(), []):
                if target not in reached:
                    reached.add(target)
                    frontier.append(target)
        done = {s.key for s in spec.statuses if s.category == "done"}
        assert done <= reached, spec.key


@pytest.mark.parametrize("slug", SHIPPED)
def test_shipped_templates_are_written_exactly_as_export_writes_them(slug):
    text = (TEMPLATE_DIR / f"{slug}.yaml").read_text(encoding="utf-8")
    assert dump_workflow(parse_workflow(text, f"{slug}.yaml")) == text


def test_list_templates_lists_the_three_shipped_templates():
    infos = {info.slug: info for info in list_templates()}
    assert sorted(infos) == SHIPPED
    assert infos["software-feedback"].type_names == ("Bug", "Feature request", "Question")
    assert infos["it-helpdesk"].type_names == ("Incident", "Service request", "Access request")
    assert infos["customer-support"].type_names == ("Question", "Problem", "Refund request")


def test_unknown_template_is_not_found_and_names_the_available_ones():
    with pytest.raises(NotFound) as caught:
        load_template("../etc/passwd")
    assert "customer-support, it-helpdesk, software-feedback" in str(caught.value)


MALFORMED = {
    "yaml syntax error": (
        variant("      new: [done]\n", "      new: [done\n"),
        11,
        "",
        "expected ',' or ']', but got ':' (while parsing a flow sequence started on line 10)",
    ),
    "unknown field type": (
        variant("type: select", "type: dropdown"),
        12,
        "types[0].fields[0].type",
        "must be one of text, long_text, number",
    ),
    "transition to an unknown status": (
        variant("new: [done]", "new: [done, closed]"),
        10,
        "types[0].transitions.new[1]",
        "'closed' is not a status of this type (its statuses: new, done)",
    ),
    "transition from an unknown status": (
        variant("      new: [done]\n", "      new: [done]\n      gone: [new]\n"),
        11,
        "types[0].transitions.gone",
        "is not a status of this type",
    ),
    "transition to itself": (
        variant("new: [done]", "new: [done, new]"),
        10,
        "types[0].transitions.new[1]",
        "a status cannot move to itself",
    ),
    "two initial statuses": (
        variant("category: done}", "category: done, initial: true}"),
        8,
        "types[0].statuses[1].initial",
        "only one status may be initial; statuses[0] already is",
    ),
    "no initial status": (
        variant(", initial: true}", "}"),
        6,
        "types[0].statuses",
        "exactly one status must have initial: true",
    ),
    "duplicate status key": (
        variant("{key: done, name: Done", "{key: new, name: Done"),
        8,
        "types[0].statuses[1].key",
        "'new' is already the key of statuses[0]",
    ),
    "duplicate field key": (
        TINY + "      - {key: severity, label: Again, type: text}\n",
        13,
        "types[0].fields[1].key",
        "'severity' is already the key of fields[0]",
    ),
    "options on a text field": (
        TINY + "      - {key: version, label: Version, type: text, options: [a, b]}\n",
        13,
        "types[0].fields[1].options",
        "only select and multi_select fields have options",
    ),
    "select without options": (
        variant(", options: [low, high]}", "}"),
        12,
        "types[0].fields[0].options",
        "is required for a select field",
    ),
    "empty options": (
        variant("options: [low, high]", "options: []"),
        12,
        "types[0].fields[0].options",
        "must list at least one option",
    ),
    "duplicate option key": (
        variant("options: [low, high]", "options: [low, {key: low, label: Lower}]"),
        12,
        "types[0].fields[0].options[1]",
        "'low' is already an option of this field",
    ),
    "bad key format": (
        variant("  - key: bug", "  - key: Bug-Report"),
        4,
        "types[0].key",
        "must be lowercase snake_case",
    ),
    "missing name": (
        TINY.replace("name: Tiny\n", "", 1),
        1,
        "name",
        "is required",
    ),
    "unknown key": (
        variant("    name: Bug\n", "    name: Bug\n    colour: red\n"),
        6,
        "types[0].colour",
        "unknown key; expected one of key, name, statuses, color, icon",
    ),
    "bad category": (
        variant("category: done}", "category: closed}"),
        8,
        "types[0].statuses[1].category",
        "must be one of todo, in_progress, done",
    ),
    "bad colour": (
        variant("category: done}", "category: done, color: chartreuse}"),
        8,
        "types[0].statuses[1].color",
        "must be a colour name",
    ),
    "name too long for its column": (
        variant("    name: Bug\n", f"    name: {'B' * 101}\n"),
        5,
        "types[0].name",
        "must be at most 100 characters",
    ),
    "unquoted yes read as a boolean": (
        variant("name: Done", "name: yes"),
        8,
        "types[0].statuses[1].name",
        "YAML reads yes as a bool, so quote it",
    ),
    "the same yaml key twice": (
        variant("      new: [done]\n", "      new: [done]\n      new: [done]\n"),
        11,
        "types[0].transitions.new",
        "appears twice in this mapping",
    ),
    "no types": (
        "name: Empty\ntypes: []\n",
        2,
        "types",
        "must list at least one ticket type",
    ),
    "empty document": (
        "# nothing here\n",
        1,
        "",
        "the document is empty",
    ),
}


@pytest.mark.parametrize(("text", "line", "path", "problem"), MALFORMED.values(), ids=list(MALFORMED))
def test_malformed_document_is_refused_naming_line_and_key_path(text, line, path, problem):
    with pytest.raises(TemplateError) as caught:
        parse_workflow(text, "tiny.yaml")
    error = caught.value
    assert (error.line, error.path) == (line, path), str(error)
    assert problem in error.problem
    where = f"{path}: " if path else ""
    assert str(error).startswith(f"tiny.yaml line {line}: {where}")


def test_an_option_written_as_a_string_is_its_own_key_and_label():
    document = parse_workflow(TINY, "tiny.yaml")
    assert document.types[0].fields[0] == FieldSpec(
        key="severity",
        label="Severity",
        type="select",
        required=True,
        options=[{"key": "low", "label": "low"}, {"key": "high", "label": "high"}],
    )


def test_a_transition_restricted_to_a_role_survives_a_round_trip():
    text = variant("new: [done]", "new: [{to: done, role: agent}]")
    document = parse_workflow(text, "tiny.yaml")
    assert document.types[0].transitions == {"new": ["done"]}
    assert document.types[0].transition_roles == {"new": {"done": "agent"}}
    assert dump_workflow(document) == text


def test_defaults_are_left_out_of_the_output_and_tiny_round_trips_exactly():
    assert dump_workflow(parse_workflow(TINY, "tiny.yaml")) == TINY


def test_text_that_needs_quoting_or_several_lines_round_trips():
    text = variant("description: The smallest useful workflow.", 'description: "Line one\\nyes: no, [x]"')
    document = parse_workflow(text, "tiny.yaml")
    document = parse_workflow(
        dump_workflow(document).replace("name: Done", "name: 'Done: really, {yes}'"), "again.yaml"
    )
    assert parse_workflow(dump_workflow(document), "third.yaml") == document
    assert document.description == "Line one\nyes: no, [x]"
    assert document.types[0].statuses[1].name == "Done: really, {yes}"
