"""Ticket types: reading them, who may edit, the version every edit claims, adding, changing, archiving."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import Session

from tests.factories import make_project, make_user
from tests.services.workflow_admin.editing import (
    BUG_STATUSES,
    THREAD_TIMEOUT,
    detail,
    edit,
    insert_ticket,
    refusal,
    status_key_of,
)
from tickit.services import workflow, workflow_admin
from tickit.services.errors import Conflict, NotFound, PermissionDenied
from tickit.services.templates import export_project, parse_workflow

# --- reading -------------------------------------------------------------------------------


def test_type_detail_shows_statuses_with_ticket_counts_transitions_and_fields(session, admin):
    insert_ticket(session, "new")
    insert_ticket(session, "triaged")
    insert_ticket(session, "triaged")

    bug = workflow_admin.type_detail(session=session, actor=admin, project_key="HH", type_key="bug")

    assert (bug.key, bug.name, bug.color, bug.icon, bug.archived, bug.version) == ("bug", "Bug", "red", "bug", False, 1)
    assert [s.key for s in bug.statuses] == BUG_STATUSES
    assert {s.key: s.ticket_count for s in bug.statuses}["triaged"] == 2
    assert bug.ticket_count == 3
    assert [s.key for s in bug.statuses if s.is_initial] == ["new"]
    assert bug.transitions["new"] == ["triaged", "waiting_on_reporter", "wont_fix"]
    assert set(bug.transitions) == set(BUG_STATUSES)
    assert [f.key for f in bug.fields] == ["severity", "platform", "app_version", "steps_to_reproduce"]
    assert bug.fields[0].options[0] == {"key": "blocker", "label": "Blocker – nothing works"}


def test_list_types_gives_every_type_in_order_archived_ones_included(session, admin):
    edit(session, admin, "archive_type", type_key="question")

    types = workflow_admin.list_types(session=session, actor=admin, project_key="HH")

    assert [(t.key, t.archived) for t in types] == [("bug", False), ("feature_request", False), ("question", True)]


def test_an_unknown_project_or_type_is_not_found(session, admin):
    with pytest.raises(NotFound):
        workflow_admin.type_detail(session=session, actor=admin, project_key="ZZ", type_key="bug")
    with pytest.raises(NotFound, match="no ticket type nope"):
        edit(session, admin, "update_type", type_key="nope", version=1, changes={"name": "Nope"})


# --- permissions and versions --------------------------------------------------------------


@pytest.mark.parametrize("role", ["agent", "client"])
def test_only_admins_may_edit_a_workflow(session, admin, role):
    someone = make_user(session, role)
    with pytest.raises(PermissionDenied):
        workflow_admin.list_types(session=session, actor=someone, project_key="HH")
    with pytest.raises(PermissionDenied):
        workflow_admin.add_type(session=session, actor=someone, project_key="HH", key="task", name="Task")
    with pytest.raises(PermissionDenied):
        edit(session, someone, "update_type", changes={"name": "Defect"})
    with pytest.raises(PermissionDenied):
        edit(session, None, "update_type", changes={"name": "Defect"})
    assert detail(session).name == "Bug"


STALE_EDITS = [
    ("update_type", {"changes": {"name": "Defect"}}),
    ("archive_type", {}),
    ("add_status", {"key": "blocked", "name": "Blocked", "category": "in_progress"}),
    ("update_status", {"status_key": "triaged", "changes": {"initial": True}}),
    ("reorder_statuses", {"ordered_keys": list(reversed(BUG_STATUSES))}),
    ("set_transitions", {"grid": {}}),
    ("remove_status", {"status_key": "triaged"}),
    ("add_field", {"key": "browser", "label": "Browser", "field_type": "text"}),
    ("archive_field", {"field_key": "platform"}),
    ("update_field", {"field_key": "platform", "changes": {"label": "OS"}}),
]


@pytest.mark.parametrize(("operation", "kwargs"), STALE_EDITS, ids=[name for name, _ in STALE_EDITS])
def test_an_edit_from_a_stale_copy_is_a_conflict_and_changes_nothing(session, admin, operation, kwargs):
    stale = detail(session).version
    edit(session, admin, "update_type", changes={"color": "blue"})  # someone else saves first
    before = detail(session)

    with pytest.raises(Conflict, match="Someone else changed Bug while you were editing; reload"):
        edit(session, admin, operation, version=stale, **kwargs)

    assert detail(session) == before


def test_every_successful_edit_bumps_the_version_it_returns(session, admin):
    first = edit(session, admin, "update_type", changes={"name": "Defect"})
    second = edit(session, admin, "update_status", status_key="new", changes={"color": "blue"})
    assert (first.version, second.version) == (2, 3)
    assert detail(session).version == 3


def test_a_refused_edit_leaves_the_version_and_the_callers_transaction_alone(session, admin):
    errors = refusal(lambda: edit(session, admin, "update_type", changes={"name": "   "}))
    assert errors == {"name": "Give the type a name."}
    assert detail(session).version == 1
    assert (
        edit(session, admin, "update_type", changes={"name": "Defect"}).version == 2
    )  # the transaction is still usable


def _rename_in_own_transaction(engine, actor, name: str, start: threading.Barrier) -> str:
    with Session(engine, expire_on_commit=False) as session:
        start.wait(timeout=THREAD_TIMEOUT)
        try:
            workflow_admin.update_type(
                session=session,
                actor=actor,
                project_key="HH",
                type_key="bug",
                expected_version=1,
                changes={"name": name},
            )
        except Conflict:
            session.rollback()
            return "conflict"
        time.sleep(0.2)  # hold the claim open while the other admin tries
        session.commit()
        return f"saved {name}"


def test_two_admins_saving_the_same_version_at_once_one_wins_and_the_other_gets_a_conflict(engine):
    with Session(engine, expire_on_commit=False) as session:
        make_project(session, "HH")
        first, second = make_user(session, "admin"), make_user(session, "admin")
        session.commit()
    start = threading.Barrier(2)

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [
            pool.submit(_rename_in_own_transaction, engine, actor, name, start)
            for actor, name in ((first, "Defect"), (second, "Problem"))
        ]
        outcomes = sorted(future.result(timeout=THREAD_TIMEOUT) for future in futures)

    assert outcomes[0] == "conflict"
    assert outcomes[1] in ("saved Defect", "saved Problem")
    with Session(engine) as session:
        bug = detail(session)
        assert (bug.name, bug.version) == (outcomes[1].removeprefix("saved "), 2)


# --- ticket types --------------------------------------------------------------------------


def test_a_new_type_starts_with_one_initial_status_so_it_is_usable_at_once(session, admin):
    task = workflow_admin.add_type(
        session=session, actor=admin, project_key="HH", key="task", name=" Task ", color="teal"
    )

    assert (task.key, task.name, task.color, task.icon, task.version) == ("task", "Task", "teal", "ticket", 1)
    assert [(s.key, s.name, s.category, s.is_initial) for s in task.statuses] == [("new", "New", "todo", True)]
    assert task.transitions == {"new": []} and task.fields == []
    assert [t.key for t in workflow_admin.list_types(session=session, actor=admin, project_key="HH")][-1] == "task"


def test_a_new_type_is_refused_a_taken_or_malformed_key_a_blank_name_and_an_unknown_colour(session, admin):
    def add(**kwargs):
        return lambda: workflow_admin.add_type(session=session, actor=admin, project_key="HH", **kwargs)

    assert refusal(add(key="bug", name="Bug again")) == {"key": "HH already has a type with key bug."}
    errors = refusal(add(key="Has Spaces", name="", color="chartreuse"))
    assert set(errors) == {"key", "name", "color"}
    assert "lowercase" in errors["key"] and "colour" in errors["color"]


def test_renaming_a_type_keeps_its_key(session, admin):
    renamed = edit(session, admin, "update_type", changes={"name": "Defect"})
    assert (renamed.key, renamed.name) == ("bug", "Defect")


def test_an_update_changes_the_sent_attributes_of_a_type_and_nothing_else(session, admin):
    recoloured = edit(session, admin, "update_type", changes={"color": "teal"})
    assert (recoloured.name, recoloured.color, recoloured.icon) == ("Bug", "teal", "bug")

    both = edit(session, admin, "update_type", changes={"name": " Defect ", "icon": "circle_help"})
    assert (both.name, both.color, both.icon) == ("Defect", "teal", "circle_help")


def test_a_type_update_names_each_unknown_attribute_and_invalid_value_and_changes_nothing(session, admin):
    errors = refusal(lambda: edit(session, admin, "update_type", changes={"key": "defect", "color": "chartreuse"}))
    assert errors == {
        "key": "key cannot be changed here.",
        "color": "Choose a colour such as gray, blue, amber, green, red or violet.",
    }
    assert refusal(lambda: edit(session, admin, "update_type", changes={"name": None})) == {
        "name": "Send a value for name, or leave it out."
    }
    assert refusal(lambda: edit(session, admin, "update_type", changes={"icon": "Not An Icon"})) == {
        "icon": "Use an icon name such as bug, lightbulb or circle_help."
    }
    bug = detail(session)
    assert (bug.name, bug.color, bug.version) == ("Bug", "red", 1)


def test_an_archived_type_keeps_its_tickets_working_and_can_come_back(session, admin):
    ticket = insert_ticket(session, "new")

    archived = edit(session, admin, "archive_type")

    assert archived.archived
    assert "bug" not in [t.key for t in parse_workflow(export_project(session=session, project_key="HH"), "x").types]
    workflow.move(session=session, actor=admin, number=f"HH-{ticket.number}", to_status="triaged")
    assert status_key_of(session, ticket) == "triaged"
    assert not edit(session, admin, "unarchive_type").archived


def test_the_projects_last_active_type_cannot_be_archived(session, admin):
    edit(session, admin, "archive_type", type_key="feature_request")
    edit(session, admin, "archive_type", type_key="question")

    errors = refusal(lambda: edit(session, admin, "archive_type"))

    assert errors == {"archived": "Bug is the project's only active type; add another one first."}
