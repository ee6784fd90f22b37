"""Bulk actions: each ticket through its own service, legal moves only, the rest reported with a reason."""

import pytest
from sqlmodel import select

from tests.factories import add_member, file_ticket, make_project, make_user
from tickit.models import ActivityEntry, Comment
from tickit.services import bulk, canned_replies, ticket_detail, workflow
from tickit.services.bulk import BulkChange, Unchanged
from tickit.services.canned_replies import ReplyDraft
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
    [
        ("delete", ""),
        ("priority", "asap"),
        ("assign", "someone"),
        ("status", ""),
        ("add_tags", " , "),
        ("macro", ""),
        ("macro", "-3"),
        ("macro", "99999999999"),
    ],
)
def test_a_change_that_cannot_apply_to_any_ticket_is_refused_before_any(session, desk, action, value):
    with pytest.raises(ValidationFailed):
        BulkChange(action, value).check()


def _macro(session, actor, project_key="HH", title="Triage", **changes):
    draft = ReplyDraft(title=title, body_html="<p>On it, {{ requester.first_name }}.</p>", **changes)
    return canned_replies.save_reply(session=session, actor=actor, project_key=project_key, draft=draft)


def test_a_macro_applies_to_each_ticket_whole_and_a_refused_ticket_keeps_nothing(session, desk):
    macro = _macro(session, desk["agent"], set_status="in_progress", set_priority="high", add_tags=("numbat",))
    for number in ("HH-1", "HH-3"):  # HH-2 stays New, from where In progress is no move
        workflow.move(session=session, actor=desk["agent"], number=number, to_status="triaged")
    _apply(session, desk["agent"], "HH-1", "macro", str(macro.id))
    with pytest.raises(IllegalTransition, match="HH-2 cannot move"), session.begin_nested():
        _apply(session, desk["agent"], "HH-2", "macro", str(macro.id))
    _apply(session, desk["agent"], "HH-3", "macro", str(macro.id))
    for number, status, priority, tagged in (
        ("HH-1", "in_progress", "high", ("numbat",)),
        ("HH-2", "new", "normal", ()),
        ("HH-3", "in_progress", "high", ("numbat",)),
    ):
        detail = ticket_detail.ticket_detail(session=session, actor=desk["agent"], number=number)
        assert (detail.status.key, detail.priority, detail.tags) == (status, priority, tagged)
    replies = session.exec(select(Comment.ticket_id)).all()
    assert len(replies) == 2  # a reply on each ticket it applied to, none on the refused one


def test_the_macros_a_selection_offers_are_its_one_projects_and_only_macros(session, desk):
    macro = _macro(session, desk["agent"], set_priority="low")
    _macro(session, desk["agent"], title="Plain thanks")  # a reply with no change is not offered
    _macro(session, desk["other"], title="Theirs", set_priority="high")  # another agent's own
    choices = bulk.macro_choices(session=session, actor=desk["agent"], numbers=["HH-1", "hh-3"])
    assert (choices.project_key, [m.title for m in choices.macros], choices.refusal) == ("HH", [macro.title], "")
    assert choices.macros[0].hint == "Your macro: priority → low"


def test_a_selection_across_projects_is_told_why_no_macro_applies(session, desk):
    ops, ops_client = make_project(session, "OPS"), make_user(session, "client")
    add_member(session, ops.id, ops_client, "client")
    add_member(session, ops.id, desk["agent"], "agent")
    file_ticket(session, ops_client, "OPS", title="Rack fan noisy")
    _macro(session, desk["agent"], set_priority="low")
    choices = bulk.macro_choices(session=session, actor=desk["agent"], numbers=["HH-1", "OPS-1"])
    assert choices.macros == ()
    assert choices.refusal.startswith("The selection holds tickets of HH and OPS; a macro belongs to one project.")
    none_kept = bulk.macro_choices(session=session, actor=desk["agent"], numbers=["OPS-1"])
    assert none_kept.refusal == "OPS has no macro you may use yet (Canned replies)."


def test_a_macro_of_another_project_is_refused_for_the_ticket_by_name(session, desk):
    ops, ops_client = make_project(session, "OPS"), make_user(session, "client")
    add_member(session, ops.id, desk["agent"], "agent")
    add_member(session, ops.id, ops_client, "client")
    file_ticket(session, ops_client, "OPS", title="Rack fan noisy")
    macro = _macro(session, desk["agent"], project_key="OPS", set_priority="low")
    with pytest.raises(ValidationFailed, match="HH-1 is not in the macro's project"):
        _apply(session, desk["agent"], "HH-1", "macro", str(macro.id))
    assert ticket_detail.ticket_detail(session=session, actor=desk["agent"], number="HH-1").priority == "normal"
