"""The transition grid: replaced at once, refusing what no workflow document would hold."""

from __future__ import annotations

from sqlmodel import select

from tests.services.workflow_admin.editing import (
    detail,
    edit,
    refusal,
)
from tickit.models import TicketStatus, TicketTransition

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
