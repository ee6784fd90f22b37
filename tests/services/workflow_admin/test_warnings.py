"""The editor's warnings: a status tickets can never reach, and a type whose tickets can never finish."""

from __future__ import annotations

from tests.services.workflow_admin.editing import detail, edit
from tickit.services import workflow_admin


def test_a_shipped_workflow_has_no_warnings(session, admin):
    assert detail(session).warnings == []


def test_a_new_status_warns_that_no_transition_leads_to_it_until_one_does(session, admin):
    added = edit(session, admin, "add_status", key="in_review", name="In review", category="in_progress")

    assert "No transition leads to In review: tickets can never get there." in added.warnings

    grid = {**added.transitions, "triaged": [*added.transitions["triaged"], "in_review"]}
    connected = edit(session, admin, "set_transitions", grid=grid)

    assert connected.warnings == []


def test_a_status_reached_only_from_unreachable_ones_is_named_too(session, admin):
    bug = detail(session)
    grid = {key: [t for t in targets if t != "triaged"] for key, targets in bug.transitions.items()}
    grid["in_progress"] = [*grid["in_progress"], "triaged"]
    grid = {key: [t for t in targets if t != "in_progress"] for key, targets in grid.items()}
    grid["triaged"] = ["in_progress"]

    warned = edit(session, admin, "set_transitions", grid=grid)

    assert "No transition leads to In progress: tickets can never get there." not in warned.warnings
    assert "In progress cannot be reached from New: no path of transitions leads there." in warned.warnings
    assert "Triaged cannot be reached from New: no path of transitions leads there." in warned.warnings


def test_a_type_with_no_path_from_the_initial_status_to_a_done_status_is_warned_about(session, admin):
    bug = detail(session)
    done = {"fixed", "wont_fix"}
    grid = {key: [t for t in targets if t not in done] for key, targets in bug.transitions.items()}
    grid["fixed"] = ["new"]

    warned = edit(session, admin, "set_transitions", grid=grid)

    assert (
        "No path leads from New to a done status (Fixed, Won't fix): tickets can never be finished." in warned.warnings
    )


def test_a_type_without_any_done_status_is_warned_about(session, admin):
    added = workflow_admin.add_type(session=session, actor=admin, project_key="HH", key="chore", name="Chore")

    assert added.warnings == ["No status is in the Done category: tickets of this type can never be finished."]
