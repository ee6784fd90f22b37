"""Statuses: adding, changing only the sent attributes, ordering, and removing one without losing a ticket."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.services.workflow_admin.editing import (
    BUG_STATUSES,
    detail,
    edit,
    insert_ticket,
    refusal,
    status_changes,
    status_key_of,
)
from tickit.models import TicketStatus, TicketTransition
from tickit.services import workflow, workflow_admin
from tickit.services.actors import SYSTEM
from tickit.services.errors import NotFound

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

    edit(session, admin, "update_status", status_key="triaged", changes={"name": "Looked at"})
    bug = edit(session, admin, "update_status", status_key="triaged", changes={"color": "cyan"})

    triaged = bug.statuses[1]
    assert (triaged.key, triaged.name, triaged.color, triaged.ticket_count) == ("triaged", "Looked at", "cyan", 1)
    assert status_key_of(session, ticket) == "triaged"


def test_a_status_can_change_category_and_whether_it_pauses_the_sla(session, admin):
    edit(session, admin, "update_status", status_key="triaged", changes={"category": "in_progress"})
    bug = edit(session, admin, "update_status", status_key="triaged", changes={"pauses_sla": True})

    triaged = bug.statuses[1]
    assert (triaged.category, triaged.pauses_sla) == ("in_progress", True)
    assert refusal(lambda: edit(session, admin, "update_status", status_key="triaged", changes={"category": "x"}))


def test_setting_the_initial_status_leaves_exactly_one(session, admin):
    bug = edit(session, admin, "update_status", status_key="triaged", changes={"initial": True})
    assert [s.key for s in bug.statuses if s.is_initial] == ["triaged"]


def test_a_status_update_changes_the_sent_attributes_and_nothing_else(session, admin):
    before = next(s for s in detail(session).statuses if s.key == "triaged")

    bug = edit(session, admin, "update_status", status_key="triaged", changes={"pauses_sla": True})

    after = next(s for s in bug.statuses if s.key == "triaged")
    assert after.pauses_sla
    assert (after.name, after.color, after.category, after.is_initial) == (
        before.name,
        before.color,
        before.category,
        False,
    )


def test_a_status_update_names_each_unknown_attribute_and_invalid_value_and_changes_nothing(session, admin):
    before = detail(session)

    errors = refusal(
        lambda: edit(
            session,
            admin,
            "update_status",
            status_key="triaged",
            changes={"name": "  ", "category": "later", "pauses_sla": "yes", "sort_order": 0},
        )
    )

    assert errors == {
        "name": "Give the status a name.",
        "category": "Choose a category: todo, in_progress, done.",
        "pauses_sla": "Choose yes or no.",
        "sort_order": "sort_order cannot be changed here.",
    }
    assert detail(session) == before


def test_the_initial_status_stops_being_one_only_when_another_becomes_it(session, admin):
    errors = refusal(lambda: edit(session, admin, "update_status", status_key="new", changes={"initial": False}))
    assert errors == {"initial": "Make another status initial instead; a type always has one."}
    assert [s.key for s in detail(session).statuses if s.is_initial] == ["new"]


def test_only_a_status_that_may_go_is_offered_as_removable(session, admin):
    bug = detail(session)
    assert [s.key for s in bug.statuses if not s.removable] == ["new"]

    task = workflow_admin.add_type(session=session, actor=admin, project_key="HH", key="task", name="Task")
    assert [s.removable for s in task.statuses] == [False]


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
        edit(session, admin, "update_status", status_key="closed", changes={"name": "Closed"})


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
