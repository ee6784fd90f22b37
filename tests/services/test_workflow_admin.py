"""Editing a workflow in place: every change claims the type's version, and no change loses data."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import Session, select

from tests.factories import make_project, make_user
from tickit.models import ActivityEntry, Ticket, TicketStatus, TicketTransition, TicketType, TicketTypeField
from tickit.services import workflow, workflow_admin
from tickit.services.actors import SYSTEM
from tickit.services.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tickit.services.fields import display_value, rules_for_type
from tickit.services.project_setup import allocate_ticket_number
from tickit.services.projects import get_project
from tickit.services.templates import export_project, parse_workflow

THREAD_TIMEOUT = 30  # seconds; a hung lock fails the test instead of hanging the run
BUG_STATUSES = ["new", "triaged", "in_progress", "waiting_on_reporter", "fixed", "wont_fix"]


@pytest.fixture
def admin(session):
    make_project(session, "HH")  # software feedback: Bug, Feature request, Question
    return make_user(session, "admin")


def detail(session: Session, type_key: str = "bug") -> workflow_admin.TypeDetail:
    return workflow_admin.type_detail(session=session, actor=SYSTEM, project_key="HH", type_key=type_key)


def edit(session: Session, actor, operation: str, *, type_key: str = "bug", version: int | None = None, **kwargs):
    """Call `workflow_admin.<operation>` on HH's type, at its current version unless told otherwise."""
    if version is None:
        version = detail(session, type_key).version
    return getattr(workflow_admin, operation)(
        session=session, actor=actor, project_key="HH", type_key=type_key, expected_version=version, **kwargs
    )


def insert_ticket(session: Session, status_key: str = "new", *, type_key: str = "bug", fields=None) -> Ticket:
    project = get_project(session, "HH")
    ticket_type = session.exec(
        select(TicketType).where(TicketType.project_id == project.id, TicketType.key == type_key)
    ).one()
    status = session.exec(
        select(TicketStatus).where(TicketStatus.type_id == ticket_type.id, TicketStatus.key == status_key)
    ).one()
    number = allocate_ticket_number(session=session, project_id=project.id)
    ticket = Ticket(
        project_id=project.id,
        type_id=ticket_type.id,
        status_id=status.id,
        number=number,
        title=f"Ticket {number}",
        fields=fields or {},
        board_rank=float(number),
    )
    session.add(ticket)
    session.flush()
    return ticket


def status_key_of(session: Session, ticket: Ticket) -> str:
    session.refresh(ticket)
    return session.get(TicketStatus, ticket.status_id).key


def status_changes(session: Session) -> list[ActivityEntry]:
    return list(
        session.exec(
            select(ActivityEntry).where(ActivityEntry.action == "status_changed").order_by(ActivityEntry.ticket_id)
        ).all()
    )


def refusal(call) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        call()
    return caught.value.errors


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
        edit(session, admin, "rename_type", type_key="nope", version=1, name="Nope")


# --- permissions and versions --------------------------------------------------------------


@pytest.mark.parametrize("role", ["agent", "client"])
def test_only_admins_may_edit_a_workflow(session, admin, role):
    someone = make_user(session, role)
    with pytest.raises(PermissionDenied):
        workflow_admin.list_types(session=session, actor=someone, project_key="HH")
    with pytest.raises(PermissionDenied):
        workflow_admin.add_type(session=session, actor=someone, project_key="HH", key="task", name="Task")
    with pytest.raises(PermissionDenied):
        edit(session, someone, "rename_type", name="Defect")
    with pytest.raises(PermissionDenied):
        edit(session, None, "rename_type", name="Defect")
    assert detail(session).name == "Bug"


STALE_EDITS = [
    ("rename_type", {"name": "Defect"}),
    ("archive_type", {}),
    ("add_status", {"key": "blocked", "name": "Blocked", "category": "in_progress"}),
    ("set_initial_status", {"status_key": "triaged"}),
    ("reorder_statuses", {"ordered_keys": list(reversed(BUG_STATUSES))}),
    ("set_transitions", {"grid": {}}),
    ("remove_status", {"status_key": "triaged"}),
    ("add_field", {"key": "browser", "label": "Browser", "field_type": "text"}),
    ("archive_field", {"field_key": "platform"}),
]


@pytest.mark.parametrize(("operation", "kwargs"), STALE_EDITS, ids=[name for name, _ in STALE_EDITS])
def test_an_edit_from_a_stale_copy_is_a_conflict_and_changes_nothing(session, admin, operation, kwargs):
    stale = detail(session).version
    edit(session, admin, "recolour_type", color="blue")  # someone else saves first
    before = detail(session)

    with pytest.raises(Conflict, match="Someone else changed Bug while you were editing; reload"):
        edit(session, admin, operation, version=stale, **kwargs)

    assert detail(session) == before


def test_every_successful_edit_bumps_the_version_it_returns(session, admin):
    first = edit(session, admin, "rename_type", name="Defect")
    second = edit(session, admin, "recolour_status", status_key="new", color="blue")
    assert (first.version, second.version) == (2, 3)
    assert detail(session).version == 3


def test_a_refused_edit_leaves_the_version_and_the_callers_transaction_alone(session, admin):
    errors = refusal(lambda: edit(session, admin, "rename_type", name="   "))
    assert errors == {"name": "Give the type a name."}
    assert detail(session).version == 1
    assert edit(session, admin, "rename_type", name="Defect").version == 2  # the transaction is still usable


def _rename_in_own_transaction(engine, actor, name: str, start: threading.Barrier) -> str:
    with Session(engine, expire_on_commit=False) as session:
        start.wait(timeout=THREAD_TIMEOUT)
        try:
            workflow_admin.rename_type(
                session=session, actor=actor, project_key="HH", type_key="bug", expected_version=1, name=name
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
    renamed = edit(session, admin, "rename_type", name="Defect")
    assert (renamed.key, renamed.name) == ("bug", "Defect")


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


# --- statuses ------------------------------------------------------------------------------


def test_a_new_status_goes_last_on_the_board_with_no_moves_yet(session, admin):
    bug = edit(session, admin, "add_status", key="blocked", name="Blocked", category="in_progress", color="tomato")

    blocked = bug.statuses[-1]
    assert (blocked.key, blocked.name, blocked.category, blocked.color) == (
        "blocked",
        "Blocked",
        "in_progress",
        "tomato",
    )
    assert not blocked.is_initial and not blocked.pauses_sla
    assert bug.transitions["blocked"] == [] and all("blocked" not in targets for targets in bug.transitions.values())


def test_a_new_status_is_refused_a_taken_key_an_unknown_category_and_an_unknown_colour(session, admin):
    errors = refusal(
        lambda: edit(session, admin, "add_status", key="triaged", name="Again", category="later", color="beige")
    )
    assert errors["key"] == "Bug already has a status with key triaged (Triaged)."
    assert errors["category"] == "Choose a category: todo, in_progress, done."
    assert "colour" in errors["color"]


def test_renaming_and_recolouring_a_status_keep_its_key_and_its_tickets(session, admin):
    ticket = insert_ticket(session, "triaged")

    edit(session, admin, "rename_status", status_key="triaged", name="Looked at")
    bug = edit(session, admin, "recolour_status", status_key="triaged", color="cyan")

    triaged = bug.statuses[1]
    assert (triaged.key, triaged.name, triaged.color, triaged.ticket_count) == ("triaged", "Looked at", "cyan", 1)
    assert status_key_of(session, ticket) == "triaged"


def test_a_status_can_change_category_and_whether_it_pauses_the_sla(session, admin):
    edit(session, admin, "set_status_category", status_key="triaged", category="in_progress")
    bug = edit(session, admin, "set_pauses_sla", status_key="triaged", pauses_sla=True)

    triaged = bug.statuses[1]
    assert (triaged.category, triaged.pauses_sla) == ("in_progress", True)
    assert refusal(lambda: edit(session, admin, "set_status_category", status_key="triaged", category="x"))


def test_setting_the_initial_status_leaves_exactly_one(session, admin):
    bug = edit(session, admin, "set_initial_status", status_key="triaged")
    assert [s.key for s in bug.statuses if s.is_initial] == ["triaged"]


def test_reordering_statuses_persists_the_board_order(session, admin):
    order = ["triaged", "new", "in_progress", "fixed", "waiting_on_reporter", "wont_fix"]

    edit(session, admin, "reorder_statuses", ordered_keys=order)
    session.commit()

    assert [s.key for s in detail(session).statuses] == order
    assert list(workflow.status_options_by_id(session, detail(session).id).values())[0].key == "triaged"


@pytest.mark.parametrize(
    "order",
    [BUG_STATUSES[:-1], [*BUG_STATUSES, "closed"], [*BUG_STATUSES[:-1], "new"]],
    ids=["one missing", "one unknown", "one twice"],
)
def test_a_status_order_must_name_every_status_once(session, admin, order):
    errors = refusal(lambda: edit(session, admin, "reorder_statuses", ordered_keys=order))
    assert "must list every status once" in errors["order"]
    assert [s.key for s in detail(session).statuses] == BUG_STATUSES


def test_an_unknown_status_is_not_found(session, admin):
    with pytest.raises(NotFound, match="Bug has no status closed"):
        edit(session, admin, "rename_status", status_key="closed", name="Closed")


# --- transitions ---------------------------------------------------------------------------


def test_setting_the_grid_replaces_it_and_keeps_the_role_of_moves_that_stay(session, admin):
    bug_id = detail(session).id
    statuses = {s.key: s for s in session.exec(select(TicketStatus).where(TicketStatus.type_id == bug_id)).all()}
    restricted = session.exec(
        select(TicketTransition).where(
            TicketTransition.from_status_id == statuses["new"].id,
            TicketTransition.to_status_id == statuses["wont_fix"].id,
        )
    ).one()
    restricted.required_role = "agent"
    session.add(restricted)
    session.flush()

    bug = edit(session, admin, "set_transitions", grid={"new": ["wont_fix", "fixed"], "fixed": ["new"]})

    assert bug.transitions == {
        "new": ["fixed", "wont_fix"],
        "triaged": [],
        "in_progress": [],
        "waiting_on_reporter": [],
        "fixed": ["new"],
        "wont_fix": [],
    }
    assert bug.transition_roles == {"new": {"wont_fix": "agent"}}


def test_the_grid_refuses_self_transitions_unknown_statuses_and_repeats(session, admin):
    before = detail(session).transitions

    errors = refusal(
        lambda: edit(
            session, admin, "set_transitions", grid={"new": ["new", "closed", "fixed", "fixed"], "gone": ["new"]}
        )
    )

    message = errors["transitions"]
    for problem in ("New cannot move to itself", "no status closed", "new → fixed is listed twice", "no status gone"):
        assert problem in message
    assert detail(session).transitions == before


# --- removing a status ---------------------------------------------------------------------


def test_a_status_holding_tickets_is_not_removed_without_somewhere_to_move_them(session, admin):
    insert_ticket(session, "triaged")
    insert_ticket(session, "triaged")

    errors = refusal(lambda: edit(session, admin, "remove_status", status_key="triaged"))

    assert errors == {"move_tickets_to": "Triaged holds 2 tickets; choose the status they move to."}
    assert "triaged" in [s.key for s in detail(session).statuses]


def test_removing_a_status_moves_each_of_its_tickets_with_one_activity_entry_each(session, admin):
    held = [insert_ticket(session, "triaged") for _ in range(3)]
    elsewhere = insert_ticket(session, "new")

    bug = edit(session, admin, "remove_status", status_key="triaged", move_tickets_to="in_progress")

    assert [s.key for s in bug.statuses] == [k for k in BUG_STATUSES if k != "triaged"]
    assert {s.key: s.ticket_count for s in bug.statuses}["in_progress"] == 3
    assert all("triaged" not in targets for targets in bug.transitions.values())
    assert [status_key_of(session, t) for t in held] == ["in_progress"] * 3
    assert status_key_of(session, elsewhere) == "new"
    entries = status_changes(session)
    assert [e.ticket_id for e in entries] == [t.id for t in held]
    for entry in entries:
        assert entry.actor_user_id == admin.id
        assert entry.before == {"status": "triaged", "status_name": "Triaged"}
        assert entry.after == {"status": "in_progress", "status_name": "In progress", "reason": "status removed"}
    bug_id = bug.id
    key_of = {s.id: s.key for s in session.exec(select(TicketStatus).where(TicketStatus.type_id == bug_id)).all()}
    rows = session.exec(select(TicketTransition).where(TicketTransition.type_id == bug_id)).all()
    assert all(row.from_status_id in key_of and row.to_status_id in key_of for row in rows)


def test_a_removal_by_the_system_logs_no_user(session, admin):
    insert_ticket(session, "triaged")
    edit(session, SYSTEM, "remove_status", status_key="triaged", move_tickets_to="new")
    assert [e.actor_user_id for e in status_changes(session)] == [None]


def test_tickets_moved_out_of_a_removed_status_follow_the_destinations_category(session, admin):
    done = insert_ticket(session, "fixed")
    waiting = insert_ticket(session, "waiting_on_reporter")
    workflow.move(session=session, actor=admin, number=f"HH-{done.number}", to_status="triaged")
    workflow.move(session=session, actor=admin, number=f"HH-{done.number}", to_status="in_progress")
    workflow.move(session=session, actor=admin, number=f"HH-{done.number}", to_status="fixed")
    session.refresh(done)
    assert done.resolved_at is not None

    edit(session, admin, "remove_status", status_key="fixed", move_tickets_to="triaged")
    edit(session, admin, "remove_status", status_key="waiting_on_reporter", move_tickets_to="wont_fix")

    session.refresh(done)
    session.refresh(waiting)
    assert (done.resolved_at, done.closed_at) == (None, None)  # reopened
    assert waiting.resolved_at is not None and waiting.closed_at == waiting.resolved_at


def test_a_removal_with_an_unknown_destination_moves_nothing(session, admin):
    held = [insert_ticket(session, "triaged") for _ in range(2)]

    errors = refusal(lambda: edit(session, admin, "remove_status", status_key="triaged", move_tickets_to="closed"))

    assert errors["move_tickets_to"].startswith("Choose one of the other statuses: New, In progress")
    assert [status_key_of(session, t) for t in held] == ["triaged", "triaged"]
    assert status_changes(session) == []
    assert detail(session).version == 1


def test_a_removal_that_fails_midway_moves_no_ticket(session, admin, monkeypatch):
    held = [insert_ticket(session, "triaged") for _ in range(3)]
    real_change, calls = workflow.apply_status_change, []

    def fail_on_the_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        real_change(*args, **kwargs)

    monkeypatch.setattr(workflow, "apply_status_change", fail_on_the_third)

    with pytest.raises(RuntimeError):
        edit(session, admin, "remove_status", status_key="triaged", move_tickets_to="in_progress")

    assert [status_key_of(session, t) for t in held] == ["triaged"] * 3
    assert status_changes(session) == []
    assert "triaged" in [s.key for s in detail(session).statuses]


def test_an_empty_status_is_removed_without_a_destination(session, admin):
    bug = edit(session, admin, "remove_status", status_key="wont_fix")
    assert "wont_fix" not in [s.key for s in bug.statuses]


def test_the_initial_status_and_the_last_status_are_never_removed(session, admin):
    errors = refusal(lambda: edit(session, admin, "remove_status", status_key="new", move_tickets_to="triaged"))
    assert errors == {"status": "New tickets start in New; make another status initial before removing it."}

    task = workflow_admin.add_type(session=session, actor=admin, project_key="HH", key="task", name="Task")
    errors = refusal(lambda: edit(session, admin, "remove_status", type_key="task", status_key="new"))
    assert errors == {"status": "New is the only status of Task; a type needs at least one."}
    assert detail(session, "task") == task


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
    bug = edit(session, admin, "update_field", field_key="app_version", label="Version", required=True)
    field = next(f for f in bug.fields if f.key == "app_version")
    assert (field.label, field.required) == ("Version", True)


def test_relabelling_an_option_keeps_stored_values_displayable_under_the_new_label(session, admin):
    ticket = insert_ticket(session, fields={"severity": "blocker"})
    severity = next(f for f in detail(session).fields if f.key == "severity")
    options = [dict(o) for o in severity.options]
    options[0]["label"] = "Blocker"

    bug = edit(session, admin, "update_field", field_key="severity", options=options)

    session.refresh(ticket)
    rule = next(rule for rule in rules_for_type(session, bug.id) if rule.key == "severity")
    assert ticket.fields == {"severity": "blocker"}
    assert display_value(rule, ticket.fields["severity"]) == "Blocker"


def test_options_can_be_added_and_unused_ones_removed(session, admin):
    insert_ticket(session, fields={"platform": "Web"})

    bug = edit(session, admin, "update_field", field_key="platform", options=["Web", "iOS", "ChromeOS"])

    assert [o["key"] for o in next(f for f in bug.fields if f.key == "platform").options] == ["Web", "iOS", "ChromeOS"]


def test_removing_an_option_tickets_use_is_refused_naming_how_many(session, admin):
    insert_ticket(session, fields={"platform": "Web"})
    insert_ticket(session, fields={"platform": "Web"})
    insert_ticket(session, type_key="question", fields={"platform": "iOS"})  # another type's field
    before = detail(session)

    errors = refusal(lambda: edit(session, admin, "update_field", field_key="platform", options=["iOS", "Android"]))

    assert errors == {"options": "Web is used by 2 tickets, so it cannot be removed. Rename it instead."}
    assert detail(session) == before


def test_removing_a_multi_select_option_tickets_use_is_refused(session, admin):
    edit(session, admin, "add_field", key="browsers", label="Browsers", field_type="multi_select", options=["a", "b"])
    insert_ticket(session, fields={"browsers": ["a", "b"]})
    insert_ticket(session, fields={"browsers": ["a"]})

    errors = refusal(lambda: edit(session, admin, "update_field", field_key="browsers", options=["b"]))
    assert errors == {"options": "a is used by 2 tickets, so it cannot be removed. Rename it instead."}
    errors = refusal(lambda: edit(session, admin, "update_field", field_key="browsers", options=["a"]))
    assert errors == {"options": "b is used by 1 ticket, so it cannot be removed. Rename it instead."}


def test_a_fields_type_cannot_change(session, admin):
    errors = refusal(lambda: edit(session, admin, "update_field", field_key="app_version", field_type="number"))
    assert errors["field_type"].startswith("A field's type cannot change once it exists")
    assert edit(session, admin, "update_field", field_key="app_version", field_type="text", label="Version")


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
