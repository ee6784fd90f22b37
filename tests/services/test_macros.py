"""Macros: a canned reply plus changes, applied in one transaction through the usual services, or not at all."""

import pytest
from sqlmodel import select

from tests.factories import add_member, file_ticket, make_project, make_user
from tickit.models import ActivityEntry, Comment, Ticket, TicketStatus
from tickit.services import canned_replies, macros, tags
from tickit.services.canned_replies import ReplyDraft
from tickit.services.errors import NotFound, ValidationFailed
from tickit.services.workflow import IllegalTransition


@pytest.fixture
def desk(session):
    project = make_project(session, "HH")
    agent, other, client = make_user(session, "agent"), make_user(session, "agent"), make_user(session, "client")
    for user, role in ((agent, "agent"), (other, "agent"), (client, "client")):
        add_member(session, project.id, user, role)
    file_ticket(session, client, title="Export fails", type_key="bug")
    return {"agent": agent, "other": other, "client": client}


def _macro(session, actor, **changes):
    draft = ReplyDraft(title="Triage", body_html="<p>Thanks {{ requester.first_name }}, on it.</p>", **changes)
    return canned_replies.save_reply(session=session, actor=actor, project_key="HH", draft=draft)


def _ticket(session):
    ticket = session.exec(select(Ticket)).one()
    session.refresh(ticket)
    return ticket, session.get(TicketStatus, ticket.status_id).key


def test_a_macro_replies_notes_and_changes_the_ticket_with_an_entry_for_each(session, desk):
    macro = _macro(
        session,
        desk["agent"],
        set_status="triaged",
        set_priority="high",
        set_assignee_id=desk["other"].id,
        internal_note_html="<p>Macro used by {{ agent.name }}</p>",
    )
    applied = macros.apply_macro(session=session, actor=desk["agent"], number="HH-1", reply_id=macro.id)
    ticket, status = _ticket(session)
    assert (status, ticket.priority, ticket.assignee_id) == ("triaged", "high", desk["other"].id)
    notes = session.exec(select(Comment).order_by(Comment.id)).all()
    assert [(c.is_internal, c.body_text) for c in notes] == [
        (False, f"Thanks {desk['client'].name.split()[0]}, on it."),
        (True, f"Macro used by {desk['agent'].name}"),
    ]
    actions = [e.action for e in session.exec(select(ActivityEntry).order_by(ActivityEntry.id)).all()]
    assert actions.count("comment_added") == 2
    assert {"priority_changed", "assigned", "status_changed"} <= set(actions)
    assert applied.changes[-1] == "status → Triaged"


def test_an_illegal_status_move_refuses_the_whole_macro(session, desk):
    macro = _macro(session, desk["agent"], set_status="fixed", set_priority="urgent")  # new → fixed is no move
    before = session.exec(select(ActivityEntry)).all()
    with pytest.raises(IllegalTransition):
        macros.apply_macro(session=session, actor=desk["agent"], number="HH-1", reply_id=macro.id)
    ticket, status = _ticket(session)
    assert (status, ticket.priority) == ("new", "normal")
    assert session.exec(select(Comment)).all() == []
    assert session.exec(select(ActivityEntry)).all() == before


def test_the_agents_edited_reply_is_what_is_posted(session, desk):
    macro = _macro(session, desk["agent"], set_priority="low")
    macros.apply_macro(
        session=session, actor=desk["agent"], number="HH-1", reply_id=macro.id, reply_html="<p>Edited by hand</p>"
    )
    [comment] = session.exec(select(Comment)).all()
    assert comment.body_text == "Edited by hand"


def test_the_macros_status_has_the_last_word_over_the_reply_rule(session, desk):
    macro = _macro(session, desk["agent"], set_status="triaged")
    macros.apply_macro(session=session, actor=desk["agent"], number="HH-1", reply_id=macro.id)
    assert _ticket(session)[1] == "triaged"


def test_another_agents_personal_macro_cannot_be_applied(session, desk):
    macro = _macro(session, desk["agent"], set_priority="low")
    with pytest.raises(NotFound):
        macros.apply_macro(session=session, actor=desk["other"], number="HH-1", reply_id=macro.id)


def test_a_macro_adds_and_removes_tags_in_its_transaction_with_one_activity_entry(session, desk):
    tags.change_tags(session=session, actor=desk["agent"], number="HH-1", add=["waiting"])
    macro = _macro(session, desk["agent"], add_tags=("VIP", "refund"), remove_tags=("waiting",))
    applied = macros.apply_macro(session=session, actor=desk["agent"], number="HH-1", reply_id=macro.id)
    assert tags.tags_of(session, _ticket(session)[0].id) == ["refund", "vip"]
    [entry] = session.exec(
        select(ActivityEntry).where(ActivityEntry.action == "tags_changed").order_by(ActivityEntry.id.desc()).limit(1)
    ).all()
    assert (entry.actor_user_id, entry.after["added"], entry.after["removed"]) == (
        desk["agent"].id,
        ["refund", "vip"],
        ["waiting"],
    )
    assert "tags changed" in applied.changes


def test_a_macro_that_would_pass_the_tag_limit_is_refused_whole(session, desk):
    tags.change_tags(session=session, actor=desk["agent"], number="HH-1", add=[f"t{i}" for i in range(30)])
    macro = _macro(session, desk["agent"], set_priority="urgent", add_tags=("one-too-many",))
    # The savepoint stands for the caller's transaction, which a refusal rolls back.
    with pytest.raises(ValidationFailed, match="at most 30 tags"), session.begin_nested():
        macros.apply_macro(session=session, actor=desk["agent"], number="HH-1", reply_id=macro.id)
    ticket, _ = _ticket(session)
    assert ticket.priority == "normal"
    assert session.exec(select(Comment)).all() == []
