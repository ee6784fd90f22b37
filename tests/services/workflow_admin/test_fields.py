"""Custom fields: adding, changing only the sent attributes, options in use, archiving and ordering."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from tests.services.workflow_admin.editing import (
    detail,
    edit,
    insert_ticket,
    refusal,
)
from tickit.models import TicketTypeField
from tickit.services import workflow_admin
from tickit.services.fields import display_value, rules_for_type
from tickit.services.templates import export_project, parse_workflow

# --- fields --------------------------------------------------------------------------------


def test_a_new_field_goes_last_on_the_form(session, admin):
    bug = edit(
        session,
        admin,
        "add_field",
        key="browser",
        label="Browser",
        field_type="multi_select",
        options=["Firefox", {"key": "chrome", "label": "Chrome"}],
        required=True,
    )

    browser = bug.fields[-1]
    assert (browser.key, browser.label, browser.field_type, browser.required) == (
        "browser",
        "Browser",
        "multi_select",
        True,
    )
    assert browser.options == [{"key": "Firefox", "label": "Firefox"}, {"key": "chrome", "label": "Chrome"}]
    assert [rule.key for rule in rules_for_type(session, bug.id)][-1] == "browser"


@pytest.mark.parametrize(
    ("kwargs", "errors"),
    [
        ({"key": "severity", "label": "Again", "field_type": "text"}, {"key": "Bug already has a field"}),
        ({"key": "9lives", "label": "Lives", "field_type": "number"}, {"key": "lowercase"}),
        ({"key": "lives", "label": " ", "field_type": "colour"}, {"label": "label", "field_type": "Choose"}),
        ({"key": "os", "label": "OS", "field_type": "select"}, {"options": "at least one option"}),
        ({"key": "os", "label": "OS", "field_type": "select", "options": ["a", "a"]}, {"options": "listed twice"}),
        ({"key": "os", "label": "OS", "field_type": "text", "options": ["a"]}, {"options": "Only select"}),
    ],
    ids=["taken key", "bad key", "blank label and unknown type", "select without options", "repeated", "text"],
)
def test_a_new_field_is_refused_what_a_workflow_document_would_refuse(session, admin, kwargs, errors):
    refused = refusal(lambda: edit(session, admin, "add_field", **kwargs))
    assert set(refused) == set(errors)
    for field, words in errors.items():
        assert words in refused[field]


def test_an_archived_fields_key_is_not_reused(session, admin):
    edit(session, admin, "archive_field", field_key="platform")
    errors = refusal(lambda: edit(session, admin, "add_field", key="platform", label="OS", field_type="text"))
    assert errors == {"key": "Platform is an archived field with key platform; unarchive it instead."}


def test_relabelling_a_field_keeps_its_key_and_required_can_be_toggled(session, admin):
    bug = edit(session, admin, "update_field", field_key="app_version", changes={"label": "Version", "required": True})
    field = next(f for f in bug.fields if f.key == "app_version")
    assert (field.label, field.required) == ("Version", True)


def test_a_field_is_visible_to_the_requester_until_an_admin_hides_it(session, admin):
    assert all(f.visible_to_requester for f in detail(session).fields)

    bug = edit(session, admin, "update_field", field_key="severity", changes={"visible_to_requester": False})

    assert [f.key for f in bug.fields if not f.visible_to_requester] == ["severity"]
    assert "visible_to_requester" in refusal(
        lambda: edit(session, admin, "update_field", field_key="severity", changes={"visible_to_requester": "no"})
    )


def test_a_field_update_changes_the_sent_attributes_and_nothing_else(session, admin):
    before = next(f for f in detail(session).fields if f.key == "severity")

    bug = edit(session, admin, "update_field", field_key="severity", changes={"required": False})

    after = next(f for f in bug.fields if f.key == "severity")
    assert not after.required
    assert (after.label, after.options, after.field_type) == (before.label, before.options, before.field_type)


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"key": "sev"}, {"key": "key cannot be changed here."}),
        ({"label": ""}, {"label": "Give the field a label."}),
        ({"label": "L" * 101}, {"label": "Keep it to 100 characters."}),
        ({"required": "no"}, {"required": "Choose yes or no."}),
        ({"options": []}, {"options": "Give a select field at least one option."}),
        ({"options": ["low", " low"]}, {"options": "low is listed twice; each option needs its own key."}),
        ({"options": ["low", {"key": "high"}]}, {"options": "Option 2 needs a key and a label."}),
    ],
    ids=["unknown", "blank label", "long label", "required not a flag", "no options", "option twice", "no label"],
)
def test_a_field_update_names_the_attribute_at_fault_and_changes_nothing(session, admin, changes, errors):
    before = detail(session)
    assert refusal(lambda: edit(session, admin, "update_field", field_key="severity", changes=changes)) == errors
    assert detail(session) == before


def test_relabelling_an_option_keeps_stored_values_displayable_under_the_new_label(session, admin):
    ticket = insert_ticket(session, fields={"severity": "blocker"})
    severity = next(f for f in detail(session).fields if f.key == "severity")
    options = [dict(o) for o in severity.options]
    options[0]["label"] = "Blocker"

    bug = edit(session, admin, "update_field", field_key="severity", changes={"options": options})

    session.refresh(ticket)
    rule = next(rule for rule in rules_for_type(session, bug.id) if rule.key == "severity")
    assert ticket.fields == {"severity": "blocker"}
    assert display_value(rule, ticket.fields["severity"]) == "Blocker"


def test_options_can_be_added_and_unused_ones_removed(session, admin):
    insert_ticket(session, fields={"platform": "Web"})

    bug = edit(session, admin, "update_field", field_key="platform", changes={"options": ["Web", "iOS", "ChromeOS"]})

    assert [o["key"] for o in next(f for f in bug.fields if f.key == "platform").options] == ["Web", "iOS", "ChromeOS"]


def test_removing_an_option_tickets_use_is_refused_naming_how_many(session, admin):
    insert_ticket(session, fields={"platform": "Web"})
    insert_ticket(session, fields={"platform": "Web"})
    insert_ticket(session, type_key="question", fields={"platform": "iOS"})  # another type's field
    before = detail(session)

    errors = refusal(
        lambda: edit(session, admin, "update_field", field_key="platform", changes={"options": ["iOS", "Android"]})
    )

    assert errors == {"options": "Web is used by 2 tickets, so it cannot be removed. Rename it instead."}
    assert detail(session) == before


def test_removing_a_multi_select_option_tickets_use_is_refused(session, admin):
    edit(session, admin, "add_field", key="browsers", label="Browsers", field_type="multi_select", options=["a", "b"])
    insert_ticket(session, fields={"browsers": ["a", "b"]})
    insert_ticket(session, fields={"browsers": ["a"]})

    errors = refusal(lambda: edit(session, admin, "update_field", field_key="browsers", changes={"options": ["b"]}))
    assert errors == {"options": "a is used by 2 tickets, so it cannot be removed. Rename it instead."}
    errors = refusal(lambda: edit(session, admin, "update_field", field_key="browsers", changes={"options": ["a"]}))
    assert errors == {"options": "b is used by 1 ticket, so it cannot be removed. Rename it instead."}


def test_a_fields_type_cannot_change(session, admin):
    errors = refusal(
        lambda: edit(session, admin, "update_field", field_key="app_version", changes={"field_type": "number"})
    )
    assert errors["field_type"].startswith("A field's type cannot change once it exists")
    assert edit(
        session, admin, "update_field", field_key="app_version", changes={"field_type": "text", "label": "Version"}
    )


def test_an_archived_field_leaves_the_form_and_its_values_stay_readable(session, admin):
    ticket = insert_ticket(session, fields={"platform": "iOS"})

    bug = edit(session, admin, "archive_field", field_key="platform")

    assert "platform" not in [rule.key for rule in rules_for_type(session, bug.id, include_archived=False)]
    session.refresh(ticket)
    archived = next(rule for rule in rules_for_type(session, bug.id, include_archived=True) if rule.key == "platform")
    assert display_value(archived, ticket.fields["platform"]) == "iOS"
    assert [(f.key, f.archived) for f in bug.fields][-1] == ("platform", True)

    bug = edit(session, admin, "unarchive_field", field_key="platform")
    assert "platform" in [rule.key for rule in rules_for_type(session, bug.id)]


def test_reordering_fields_persists_and_archived_fields_keep_their_place_after_them(session, admin, engine):
    edit(session, admin, "archive_field", field_key="platform")

    edit(session, admin, "reorder_fields", ordered_keys=["steps_to_reproduce", "severity", "app_version"])
    session.commit()

    with Session(engine) as fresh:
        bug = detail(fresh)
        assert [rule.key for rule in rules_for_type(fresh, bug.id)] == ["steps_to_reproduce", "severity", "app_version"]
        assert [f.key for f in bug.fields] == ["steps_to_reproduce", "severity", "app_version", "platform"]


def test_a_field_order_must_name_every_active_field_once(session, admin):
    edit(session, admin, "archive_field", field_key="platform")
    order = ["steps_to_reproduce", "severity", "app_version", "platform"]

    errors = refusal(lambda: edit(session, admin, "reorder_fields", ordered_keys=order))

    assert "no active field platform" in errors["order"]


# --- the whole editor ----------------------------------------------------------------------


def test_a_workflow_edited_here_exports_to_a_document_that_imports(session, admin):
    workflow_admin.add_type(session=session, actor=admin, project_key="HH", key="task", name="Task")
    edit(session, admin, "add_status", type_key="task", key="done", name="Done", category="done")
    edit(session, admin, "set_transitions", type_key="task", grid={"new": ["done"], "done": ["new"]})
    edit(session, admin, "add_field", type_key="task", key="area", label="Area", field_type="select", options=["UI"])
    edit(session, admin, "remove_status", status_key="triaged", move_tickets_to="new")

    document = parse_workflow(export_project(session=session, project_key="HH"), "export.yaml")

    task = next(spec for spec in document.types if spec.key == "task")
    assert [s.key for s in task.statuses] == ["new", "done"]
    assert task.transitions == {"new": ["done"], "done": ["new"]}
    assert session.exec(select(TicketTypeField).where(TicketTypeField.key == "area")).one().options == [
        {"key": "UI", "label": "UI"}
    ]


def test_a_number_fields_decimal_places_are_set_and_cleared_in_the_editor(session, admin):
    edit(session, admin, "add_field", key="amount", label="Amount", field_type="number")

    money = edit(session, admin, "update_field", field_key="amount", changes={"decimal_places": 2})
    assert next(f for f in money.fields if f.key == "amount").decimal_places == 2
    amount = next(r for r in rules_for_type(session, money.id) if r.key == "amount")
    assert display_value(amount, 89.9) == "89.90"

    cleared = edit(session, admin, "update_field", field_key="amount", changes={"decimal_places": None})
    assert next(f for f in cleared.fields if f.key == "amount").decimal_places is None


@pytest.mark.parametrize(
    ("field_key", "places", "error"),
    [
        ("amount", 7, "Choose from 0 to 6 decimal places, or none."),
        ("amount", "2", "Choose from 0 to 6 decimal places, or none."),
        ("amount", True, "Choose from 0 to 6 decimal places, or none."),
        ("severity", 2, "Only number fields have decimal places."),
    ],
    ids=["too many", "text", "flag", "not a number field"],
)
def test_decimal_places_outside_the_rule_are_refused(session, admin, field_key, places, error):
    edit(session, admin, "add_field", key="amount", label="Amount", field_type="number")
    before = detail(session)

    changes = {"decimal_places": places}
    assert refusal(lambda: edit(session, admin, "update_field", field_key=field_key, changes=changes)) == {
        "decimal_places": error
    }
    assert detail(session) == before
