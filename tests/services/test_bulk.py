"""Bulk actions: each ticket through its own service, legal moves only, the rest reported with a reason."""

import pytest
from sqlmodel import select

from tests.factories import add_member, file_ticket, make_project, make_user
from tickit.models import ActivityEntry
from tickit.services import bulk, ticket_detail, workflow
from tickit.services.bulk import BulkChange, Unchanged
from tickit.services.errors import NotFound, PermissionDenied, ValidationFailed
from tickit.services.workflow import IllegalTransition


@pytest.fixture
def desk(session):
    project = make_project(session, "HH")
    agent, other, client = make_user(session, "agent"), make_user(session, "agent"), make_user(session, "client")
    for user, role in ((agent, "agent"), (other, "agent"), (client, "client")):
        add_member(session, project.id, user, role)
    for title in ("Export fails", "Login loops", "Dark mode"):
        file_ticket(session, client, title=title, type_key="bug")
    return {"agent": agent, "other": other, "client": client}


def _apply(session, actor, number, action, value=""):
    bulk.apply(session=session, actor=actor, number=number, change=BulkChange(action, value))


def _entries(session, action):
    return session.exec(select(ActivityEntry).where(ActivityEntry.action == action)).all()


def test_assigning_several_tickets_logs_one_entry_each(session, desk):
    for number in ("HH-1", "HH-2", "HH-3"):
        _apply(session, desk["agent"], number, "assign", str(desk["other"].id))
    assert len(_entries(session, "assigned")) == 3
    detail = ticket_detail.ticket_detail(session=session, actor=desk["agent"], number="HH-2")
    assert detail.assignee.id == desk["other"].id
    _apply(session, desk["agent"], "HH-1", "assign", "me")
    assert (
        ticket_detail.ticket_detail(session=session, actor=desk["agent"], number="HH-1").assignee.id == desk["agent"].id
    )


def test_a_status_move_applies_only_where_the_workflow_allows_it(session, desk):
    workflow.move(session=session, actor=desk["agent"], number="HH-2", to_status="triaged")
    _apply(session, desk["agent"], "HH-2", "status", "in_progress")
    with pytest.raises(IllegalTransition, match="HH-1 cannot move from New to In progress"):
        _apply(session, desk["agent"], "HH-1", "status", "in_progress")
    assert ticket_detail.ticket_detail(session=session, actor=desk["agent"], number="HH-1").status.key == "new"


def test_close_picks_a_legal_closing_status_and_reports_a_ticket_that_has_none(session, desk):
    _apply(session, desk["agent"], "HH-1", "close")
    assert ticket_detail.ticket_detail(session=session, actor=desk["agent"], number="HH-1").status.key == "wont_fix"
    with pytest.raises(Unchanged, match="already closed"):
        _apply(session, desk["agent"], "HH-1", "close")
    for status in ("triaged", "in_progress"):
        workflow.move(session=session, actor=desk["agent"], number="HH-2", to_status=status)
    _apply(session, desk["agent"], "HH-2", "close")  # in progress → fixed, its only done move
    assert ticket_detail.ticket_detail(session=session, actor=desk["agent"], number="HH-2").status.key == "fixed"


def test_a_ticket_already_as_asked_is_reported_unchanged_and_not_logged(session, desk):
    _apply(session, desk["agent"], "HH-1", "priority", "high")
    with pytest.raises(Unchanged):
        _apply(session, desk["agent"], "HH-1", "priority", "high")
    with pytest.raises(Unchanged):
        _apply(session, desk["agent"], "HH-1", "assign", "none")
    with pytest.raises(Unchanged):
        _apply(session, desk["agent"], "HH-1", "remove_tags", "vip")
    assert len(_entries(session, "priority_changed")) == 1


def test_tags_are_added_and_removed_in_bulk(session, desk):
    _apply(session, desk["agent"], "HH-1", "add_tags", "vip, Billing")
    _apply(session, desk["agent"], "HH-2", "add_tags", "vip")
    _apply(session, desk["agent"], "HH-1", "remove_tags", "vip")
    assert ticket_detail.ticket_detail(session=session, actor=desk["agent"], number="HH-1").tags == ("billing",)
    assert ticket_detail.ticket_detail(session=session, actor=desk["agent"], number="HH-2").tags == ("vip",)
    assert len(_entries(session, "tags_changed")) == 3


def test_the_services_own_rules_hold_in_bulk(session, desk):
    with pytest.raises(PermissionDenied):
        _apply(session, desk["client"], "HH-1", "priority", "urgent")
    with pytest.raises(NotFound):
        _apply(session, make_user(session, "agent"), "HH-1", "priority", "urgent")
    outsider = make_user(session, "agent")
    with pytest.raises(ValidationFailed):
        _apply(session, desk["agent"], "HH-1", "assign", str(outsider.id))


@pytest.mark.parametrize(
    ("action", "value"),
    [("delete", ""), ("priority", "asap"), ("assign", "someone"), ("status", ""), ("add_tags", " , ")],
)
def test_a_change_that_cannot_apply_to_any_ticket_is_refused_before_any(session, desk, action, value):
    with pytest.raises(ValidationFailed):
        BulkChange(action, value).check()
