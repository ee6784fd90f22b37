"""A ticket's life after filing: public labels, reply rules, resolved then closed, reopen window,
follow-ups, the requester's own close and reopen, and auto-close."""

from datetime import timedelta

import pytest
from sqlmodel import select

from tests.factories import add_member, file_ticket, make_project, make_user
from tickit.models import ActivityEntry, Ticket, TicketStatus, TicketTransition, TicketType, utcnow
from tickit.services import comments, lifecycle, ticket_detail, ticket_list, workflow
from tickit.services.actors import SYSTEM
from tickit.services.errors import ValidationFailed
from tickit.services.workflow_admin import statuses as status_admin


@pytest.fixture
def desk(session):
    """A customer-support project (Question: new, open, waiting_on_customer, solved, closed) with one ticket."""
    project = make_project(session, "CS", template="customer-support")
    agent, client = make_user(session, "agent"), make_user(session, "client")
    add_member(session, project.id, agent, "agent")
    add_member(session, project.id, client, "client")
    file_ticket(session, client, "CS", "Where is my order?", type_key="question")
    return {"agent": agent, "client": client, "project": project}


def _ticket(session, number: int = 1) -> Ticket:
    session.expire_all()
    return session.exec(select(Ticket).where(Ticket.number == number)).one()


def _status(session, number: int = 1) -> str:
    return session.get(TicketStatus, _ticket(session, number).status_id).key


def _move(session, desk, to: str, number: str = "CS-1"):
    workflow.move(session=session, actor=desk["agent"], number=number, to_status=to)


def _reply(session, actor, html="<p>Hello</p>", number="CS-1", internal=False):
    return comments.add_comment(session=session, actor=actor, number=number, body_html=html, internal=internal)


# --- public labels ---------------------------------------------------------------------------


def test_the_client_reads_public_labels_everywhere_and_the_team_reads_status_names(session, desk):
    _move(session, desk, "waiting_on_customer")
    client, agent = desk["client"], desk["agent"]

    assert ticket_detail.ticket_detail(session=session, actor=client, number="CS-1").public_status == "Waiting for you"
    [row] = ticket_list.list_tickets(session=session, actor=client, query=ticket_list.TicketQuery()).rows
    assert (row.status_name, row.status_label) == ("Waiting on customer", "Waiting for you")
    assert ticket_detail.activity(session=session, actor=client, number="CS-1")[0].text == "moved it to Waiting for you"
    assert "Waiting on customer" in ticket_detail.activity(session=session, actor=agent, number="CS-1")[0].text


def test_a_status_without_a_label_reads_as_its_category_and_an_admin_can_relabel_it(session, desk):
    _move(session, desk, "open")
    assert (
        ticket_detail.ticket_detail(session=session, actor=desk["client"], number="CS-1").public_status == "In progress"
    )
    detail = status_admin.update_status(
        session=session,
        actor=SYSTEM,
        project_key="CS",
        type_key="question",
        expected_version=_type_version(session),
        status_key="open",
        changes={"public_label": "  Being worked on "},
    )
    assert next(s for s in detail.statuses if s.key == "open").shown_label == "Being worked on"
    assert ticket_detail.ticket_detail(session=session, actor=desk["client"], number="CS-1").public_status == (
        "Being worked on"
    )


def test_only_a_done_status_can_close_a_ticket(session, desk):
    with pytest.raises(ValidationFailed) as refused:
        status_admin.update_status(
            session=session,
            actor=SYSTEM,
            project_key="CS",
            type_key="question",
            expected_version=_type_version(session),
            status_key="open",
            changes={"closes": True},
        )
    assert "closes" in refused.value.errors


def test_a_move_between_statuses_with_the_same_label_tells_the_client_nothing(session, desk):
    _move(session, desk, "open")
    status_admin.update_status(
        session=session,
        actor=SYSTEM,
        project_key="CS",
        type_key="question",
        expected_version=_type_version(session),
        status_key="waiting_on_customer",
        changes={"public_label": ""},
    )  # now "In progress", like Open
    _move(session, desk, "waiting_on_customer")
    texts = [a.text for a in ticket_detail.activity(session=session, actor=desk["client"], number="CS-1")]
    assert texts == ["moved it to In progress", "created the ticket"]


def _type_version(session) -> int:
    session.expire_all()
    return session.exec(select(TicketType).where(TicketType.key == "question")).one().version


# --- resolved, then closed -------------------------------------------------------------------


def test_resolving_sets_resolved_at_closing_sets_closed_at_and_reopening_clears_both(session, desk):
    _move(session, desk, "solved")
    ticket = _ticket(session)
    resolved_at = ticket.resolved_at
    assert resolved_at is not None and ticket.closed_at is None

    _move(session, desk, "closed")
    ticket = _ticket(session)
    assert ticket.resolved_at == resolved_at and ticket.closed_at is not None

    workflow.move(session=session, actor=SYSTEM, number="CS-1", to_status="open")
    ticket = _ticket(session)
    assert (ticket.resolved_at, ticket.closed_at) == (None, None)


# --- status follows the conversation ---------------------------------------------------------


def test_a_public_staff_reply_moves_the_ticket_to_waiting_and_the_requesters_reply_back_to_open(session, desk):
    _move(session, desk, "open")
    _reply(session, desk["agent"], "<p>Which order?</p>")
    assert _status(session) == "waiting_on_customer"

    _reply(session, desk["client"], "<p>Order 1234</p>")
    assert _status(session) == "open"
    moves = session.exec(
        select(ActivityEntry).where(ActivityEntry.action == "status_changed").order_by(ActivityEntry.id)
    ).all()
    assert [(m.actor_user_id, m.after["status"]) for m in moves[-2:]] == [
        (desk["agent"].id, "waiting_on_customer"),
        (desk["client"].id, "open"),
    ]


def test_an_internal_note_moves_nothing_and_a_requesters_reply_to_a_new_ticket_starts_no_work(session, desk):
    _reply(session, desk["client"], "<p>More detail</p>")
    assert _status(session) == "new"
    _move(session, desk, "open")
    _reply(session, desk["agent"], "<p>Note to self</p>", internal=True)
    assert _status(session) == "open"


def test_the_requesters_reply_leaves_a_ticket_someone_is_working_on_where_it_is(session, desk):
    worked = file_ticket(session, desk["client"], "CS", "Broken", type_key="problem")
    _move(session, desk, "escalated", number=worked)
    _reply(session, desk["client"], "<p>It also happens on Sundays</p>", number=worked)
    assert _status(session, 2) == "escalated"


def test_a_reply_rule_the_workflow_does_not_allow_leaves_the_status_alone(session, desk):
    escalated = file_ticket(session, desk["client"], "CS", "Broken", type_key="problem")
    _move(session, desk, "escalated", number=escalated)
    _reply(session, desk["agent"], "<p>We are on it</p>", number=escalated)  # escalated -> waiting: no transition
    assert _status(session, 2) == "escalated"


def test_a_requesters_reply_to_a_solved_or_recently_closed_ticket_reopens_it(session, desk):
    _move(session, desk, "solved")
    _reply(session, desk["client"], "<p>Still broken</p>")
    assert _status(session) == "open"

    _move(session, desk, "solved")
    _move(session, desk, "closed")
    ticket = _ticket(session)
    ticket.closed_at = utcnow() - timedelta(days=13)  # inside the 14-day window
    session.add(ticket)
    session.flush()
    _reply(session, desk["client"], "<p>Again</p>")
    ticket = _ticket(session)
    assert _status(session) == "open" and ticket.closed_at is None and ticket.resolved_at is None


def test_after_the_reopen_window_the_reply_files_a_follow_up_ticket(session, desk):
    _move(session, desk, "solved")
    _move(session, desk, "closed")
    ticket = _ticket(session)
    ticket.closed_at = utcnow() - timedelta(days=15)
    session.add(ticket)
    session.flush()

    view = _reply(session, desk["client"], "<p>It broke again</p>")

    assert view.filed_as == "CS-2"
    assert _status(session, 1) == "closed"
    follow_up = _ticket(session, 2)
    assert follow_up.follow_up_of_id == ticket.id and follow_up.reporter_id == desk["client"].id
    assert [c.text for c in comments.thread(session=session, actor=desk["client"], number="CS-2")] == ["It broke again"]
    assert comments.thread(session=session, actor=desk["client"], number="CS-1") == []
    texts = [a.text for a in ticket_detail.activity(session=session, actor=desk["client"], number="CS-2")]
    assert "filed it as a follow-up of CS-1" in texts


def test_staff_replies_to_a_long_closed_ticket_stay_on_it(session, desk):
    _move(session, desk, "solved")
    _move(session, desk, "closed")
    ticket = _ticket(session)
    ticket.closed_at = utcnow() - timedelta(days=30)
    session.add(ticket)
    session.flush()
    assert _reply(session, desk["agent"], "<p>For the record</p>").filed_as == ""
    assert _status(session) == "closed"


# --- the requester closes and reopens --------------------------------------------------------


def test_the_requester_closes_their_ticket_and_reopens_it_within_the_window(session, desk):
    client = desk["client"]
    assert lifecycle.requester_choices(session=session, actor=client, number="CS-1").close_to == "closed"
    lifecycle.close_by_requester(session=session, actor=client, number="CS-1")
    assert _status(session) == "closed"

    choices = lifecycle.requester_choices(session=session, actor=client, number="CS-1")
    assert (choices.close_to, choices.reopen_to) == (None, "open")
    lifecycle.reopen_by_requester(session=session, actor=client, number="CS-1")
    assert _status(session) == "open"


def test_the_requester_cannot_reopen_after_the_window_nor_where_the_workflow_offers_no_way(session, desk):
    client = desk["client"]
    lifecycle.close_by_requester(session=session, actor=client, number="CS-1")
    ticket = _ticket(session)
    ticket.closed_at = utcnow() - timedelta(days=15)
    session.add(ticket)
    session.flush()
    with pytest.raises(ValidationFailed, match="too long ago"):
        lifecycle.reopen_by_requester(session=session, actor=client, number="CS-1")

    refund = file_ticket(session, client, "CS", "Refund please", type_key="refund_request")
    with pytest.raises(ValidationFailed, match="cannot be closed from here"):
        lifecycle.close_by_requester(session=session, actor=client, number=refund)


# --- auto-close --------------------------------------------------------------------------------


def _resolve_days_ago(session, desk, days: int, number: str = "CS-1") -> None:
    _move(session, desk, "solved", number=number)
    ticket = _ticket(session, int(number.split("-")[1]))
    ticket.resolved_at = utcnow() - timedelta(days=days)
    session.add(ticket)
    session.flush()


def test_auto_close_closes_tickets_resolved_longer_ago_than_the_project_allows(session, desk):
    _resolve_days_ago(session, desk, 8)
    recent = file_ticket(session, desk["client"], "CS", "Recent", type_key="question")
    _resolve_days_ago(session, desk, 6, number=recent)

    report = lifecycle.auto_close_due(session=session)

    assert report.closed == ["CS-1"] and report.skipped == []
    assert (_status(session, 1), _status(session, 2)) == ("closed", "solved")
    entry = session.exec(select(ActivityEntry).order_by(ActivityEntry.id.desc())).first()
    assert (entry.action, entry.actor_user_id, entry.after["status"]) == ("status_changed", None, "closed")
    texts = [a.text for a in ticket_detail.activity(session=session, actor=desk["agent"], number="CS-1")]
    assert texts[0] == "closed automatically after 7 days (from Solved to Closed)"
    assert lifecycle.auto_close_due(session=session).closed == []


def test_auto_close_only_takes_a_legal_transition_and_reports_the_tickets_it_skips(session, desk):
    _resolve_days_ago(session, desk, 8)
    solved, closed = (
        session.exec(
            select(TicketStatus).where(TicketStatus.key == key, TicketStatus.type_id == _ticket(session).type_id)
        ).one()
        for key in ("solved", "closed")
    )
    transition = session.exec(
        select(TicketTransition).where(
            TicketTransition.from_status_id == solved.id, TicketTransition.to_status_id == closed.id
        )
    ).one()
    session.delete(transition)
    session.flush()

    report = lifecycle.auto_close_due(session=session)

    assert report.closed == [] and report.skipped == ["CS-1: Solved has no move to a status that closes"]
    assert _status(session) == "solved"


def test_auto_close_set_to_zero_days_never_closes(session, desk):
    _resolve_days_ago(session, desk, 400)
    lifecycle.update_settings(
        session=session,
        actor=SYSTEM,
        project_key="CS",
        settings=lifecycle.LifecycleSettings(auto_close_days=0),
    )
    assert lifecycle.auto_close_due(session=session).closed == []


def test_lifecycle_settings_refuse_what_makes_no_sense(session, desk):
    with pytest.raises(ValidationFailed) as refused:
        lifecycle.update_settings(
            session=session,
            actor=SYSTEM,
            project_key="CS",
            settings=lifecycle.LifecycleSettings(reopen_window_days=-1, survey_delay_minutes=99999),
        )
    assert set(refused.value.errors) == {"reopen_window_days", "survey_delay_minutes"}
