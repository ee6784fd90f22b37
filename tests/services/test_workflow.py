"""The ticket workflow: legal moves come from the rows, every move is logged, races settle."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from tests.factories import add_member, file_ticket, make_project, make_user
from tickit.db import session_scope
from tickit.models import ActivityEntry, Ticket, TicketStatus, TicketTransition
from tickit.services import workflow
from tickit.services.actors import SYSTEM
from tickit.services.errors import NotFound, ValidationFailed
from tickit.services.templates import load_template
from tickit.services.workflow import IllegalTransition

THREAD_TIMEOUT = 30  # seconds; a hung lock fails the test instead of hanging the run


def _world(session: Session) -> SimpleNamespace:
    """HH (software feedback) with a reporter, another client, an agent and an admin; IT with its own agent.

    The reporter files HH-1, a Bug in New.
    """
    hh, it = make_project(session, "HH"), make_project(session, "IT", template="it-helpdesk")
    reporter, other_client = make_user(session, "client"), make_user(session, "client")
    agent, it_agent, admin = make_user(session, "agent"), make_user(session, "agent"), make_user(session, "admin")
    add_member(session, hh.id, reporter, "client")
    add_member(session, hh.id, other_client, "client")
    add_member(session, hh.id, agent, "agent")
    add_member(session, it.id, it_agent, "agent")
    number = file_ticket(session, reporter, "HH")
    return SimpleNamespace(
        hh=hh,
        reporter=reporter,
        other_client=other_client,
        agent=agent,
        it_agent=it_agent,
        admin=admin,
        number=number,
    )


@pytest.fixture
def world(session) -> SimpleNamespace:
    return _world(session)


def _ticket(session: Session, number: str = "HH-1") -> Ticket:
    ticket = session.exec(select(Ticket).where(Ticket.number == int(number.split("-")[1]))).one()
    session.refresh(ticket)
    return ticket


def _status_key(session: Session, number: str = "HH-1") -> str:
    return session.get(TicketStatus, _ticket(session, number).status_id).key


def _moves(session: Session, number: str = "HH-1") -> list[ActivityEntry]:
    return session.exec(
        select(ActivityEntry)
        .where(ActivityEntry.ticket_id == _ticket(session, number).id, ActivityEntry.action == "status_changed")
        .order_by(ActivityEntry.id)
    ).all()


def _restrict(session: Session, ticket: Ticket, from_key: str, to_key: str, role: str) -> None:
    """Put a role restriction on one transition row of the ticket's type."""
    ids = {s.key: s.id for s in session.exec(select(TicketStatus).where(TicketStatus.type_id == ticket.type_id)).all()}
    row = session.exec(
        select(TicketTransition).where(
            TicketTransition.from_status_id == ids[from_key], TicketTransition.to_status_id == ids[to_key]
        )
    ).one()
    row.required_role = role
    session.add(row)
    session.flush()


def _keys(options) -> list[str]:
    return [option.key for option in options]


def test_allowed_targets_from_new_are_the_templates_transitions_in_board_order(session, world):
    bug = next(t for t in load_template("software-feedback").types if t.key == "bug")
    board_order = [s.key for s in bug.statuses]
    expected = sorted(bug.transitions["new"], key=board_order.index)
    assert _keys(workflow.allowed_targets(session=session, actor=world.agent, number="HH-1")) == expected
    assert _keys(workflow.allowed_targets(session=session, actor=world.admin, number="hh-1")) == expected
    assert expected == ["triaged", "waiting_on_reporter", "wont_fix"]


def test_allowed_targets_carry_what_a_column_or_button_shows(session, world):
    options = workflow.allowed_targets(session=session, actor=world.agent, number="HH-1")
    triaged = options[0]
    assert (triaged.key, triaged.name, triaged.category, triaged.color) == ("triaged", "Triaged", "todo", "blue")
    assert [o.sort_order for o in options] == sorted(o.sort_order for o in options)
    assert [o.is_done for o in options] == [False, False, True]


def test_legal_move_changes_the_status_and_writes_exactly_one_activity_entry(session, world):
    before = _ticket(session).updated_at
    result = workflow.move(session=session, actor=world.agent, number="hh-1", to_status="triaged")
    assert (result.number, result.from_status.key, result.to_status.key) == ("HH-1", "new", "triaged")
    assert (result.from_status.name, result.to_status.name) == ("New", "Triaged")
    assert _status_key(session) == "triaged"
    assert _ticket(session).updated_at == result.moved_at >= before
    [entry] = _moves(session)
    assert entry.actor_user_id == world.agent.id
    assert entry.before == {"status": "new", "status_name": "New"}
    assert entry.after == {"status": "triaged", "status_name": "Triaged"}


def test_illegal_move_is_refused_naming_the_legal_targets_and_changes_nothing(session, world):
    updated_at = _ticket(session).updated_at
    with pytest.raises(IllegalTransition) as refused:
        workflow.move(session=session, actor=world.agent, number="HH-1", to_status="fixed")
    assert str(refused.value) == (
        "HH-1 cannot move from New to Fixed. It can move to: Triaged, Waiting on reporter, Won't fix."
    )
    assert _keys(refused.value.legal) == ["triaged", "waiting_on_reporter", "wont_fix"]
    assert (refused.value.from_status.key, refused.value.to_status.key) == ("new", "fixed")
    assert _status_key(session) == "new"
    assert _ticket(session).updated_at == updated_at
    assert _moves(session) == []


def test_client_may_not_take_unrestricted_transitions_and_is_told_there_is_nowhere_to_go(session, world):
    assert workflow.allowed_targets(session=session, actor=world.reporter, number="HH-1") == []
    with pytest.raises(IllegalTransition) as refused:
        workflow.move(session=session, actor=world.reporter, number="HH-1", to_status="triaged")
    assert str(refused.value) == "HH-1 cannot move from New to Triaged. It cannot move anywhere from New."
    assert refused.value.legal == []
    assert _moves(session) == []


def test_transition_restricted_to_clients_is_taken_by_the_reporter_and_admins_but_not_agents(session, world):
    _restrict(session, _ticket(session), "new", "wont_fix", "client")
    assert _keys(workflow.allowed_targets(session=session, actor=world.reporter, number="HH-1")) == ["wont_fix"]
    assert _keys(workflow.allowed_targets(session=session, actor=world.agent, number="HH-1")) == [
        "triaged",
        "waiting_on_reporter",
    ]
    with pytest.raises(IllegalTransition, match="It can move to: Triaged, Waiting on reporter."):
        workflow.move(session=session, actor=world.agent, number="HH-1", to_status="wont_fix")
    with pytest.raises(NotFound):  # another client of the project: not their ticket
        workflow.move(session=session, actor=world.other_client, number="HH-1", to_status="wont_fix")
    assert _moves(session) == []
    workflow.move(session=session, actor=world.reporter, number="HH-1", to_status="wont_fix")
    assert _status_key(session) == "wont_fix"
    assert _moves(session)[-1].actor_user_id == world.reporter.id


def test_transition_restricted_to_admins_refuses_the_agent_and_lets_the_admin_through(session, world):
    _restrict(session, _ticket(session), "new", "triaged", "admin")
    with pytest.raises(IllegalTransition, match="It can move to: Waiting on reporter, Won't fix."):
        workflow.move(session=session, actor=world.agent, number="HH-1", to_status="triaged")
    assert _status_key(session) == "new"
    assert _keys(workflow.allowed_targets(session=session, actor=world.admin, number="HH-1"))[0] == "triaged"
    workflow.move(session=session, actor=world.admin, number="HH-1", to_status="triaged")
    assert _status_key(session) == "triaged"
    assert len(_moves(session)) == 1


def test_transition_restricted_to_agents_is_open_to_agents(session, world):
    _restrict(session, _ticket(session), "new", "triaged", "agent")
    workflow.move(session=session, actor=world.agent, number="HH-1", to_status="triaged")
    assert _status_key(session) == "triaged"


def test_moving_into_a_done_status_resolves_and_closes_and_reopening_clears_both(session, world):
    assert _ticket(session).resolved_at is None
    moved = workflow.move(session=session, actor=world.agent, number="HH-1", to_status="wont_fix")
    ticket = _ticket(session)
    assert ticket.resolved_at == ticket.closed_at == moved.moved_at
    workflow.move(session=session, actor=world.agent, number="HH-1", to_status="triaged")
    ticket = _ticket(session)
    assert (ticket.resolved_at, ticket.closed_at) == (None, None)
    assert [(e.before["status"], e.after["status"]) for e in _moves(session)] == [
        ("new", "wont_fix"),
        ("wont_fix", "triaged"),
    ]


def test_unknown_status_key_is_a_validation_error_at_the_status(session, world):
    for key in ("closed", "New", "", None):
        with pytest.raises(ValidationFailed) as refused:
            workflow.move(session=session, actor=world.agent, number="HH-1", to_status=key)
        assert set(refused.value.errors) == {"status"}
    # A key of another type of the same project is unknown to this ticket's type too.
    with pytest.raises(ValidationFailed):
        workflow.move(session=session, actor=world.agent, number="HH-1", to_status="answered")
    assert _moves(session) == []


def test_moving_to_the_current_status_is_refused_as_already_there(session, world):
    with pytest.raises(ValidationFailed) as refused:
        workflow.move(session=session, actor=world.agent, number="HH-1", to_status="new")
    assert refused.value.errors == {"status": "HH-1 is already in New."}
    assert _moves(session) == []


def test_agent_of_another_project_gets_not_found_and_changes_nothing(session, world):
    for call in (
        lambda: workflow.allowed_targets(session=session, actor=world.it_agent, number="HH-1"),
        lambda: workflow.move(session=session, actor=world.it_agent, number="HH-1", to_status="triaged"),
    ):
        with pytest.raises(NotFound, match=r"^No ticket HH-1\.$"):
            call()
    assert _status_key(session) == "new"
    assert _moves(session) == []


def test_system_moves_are_logged_without_a_user(session, world):
    workflow.move(session=session, actor=SYSTEM, number="HH-1", to_status="triaged")
    assert _moves(session)[0].actor_user_id is None


def test_a_drop_places_the_card_in_its_new_column_in_the_same_move(session, world):
    workflow.move(session=session, actor=world.agent, number="HH-1", to_status="triaged", board_rank=0.5)
    assert _ticket(session).board_rank == 0.5


@pytest.mark.parametrize("who", ["agent", "admin", "reporter"])
def test_transition_map_equals_allowed_targets_from_every_status(session, world, who):
    actor = getattr(world, who)
    ticket = _ticket(session)
    _restrict(session, ticket, "in_progress", "fixed", "client")
    _restrict(session, ticket, "new", "triaged", "admin")
    mapping = workflow.transition_map(session=session, actor=actor, type_id=ticket.type_id)
    statuses = session.exec(
        select(TicketStatus).where(TicketStatus.type_id == ticket.type_id).order_by(TicketStatus.sort_order)
    ).all()
    assert list(mapping) == [s.key for s in statuses]
    for status in statuses:
        ticket.status_id = status.id
        session.add(ticket)
        session.flush()
        assert mapping[status.key] == _keys(workflow.allowed_targets(session=session, actor=actor, number="HH-1"))


def test_transition_map_is_not_found_for_someone_outside_the_project(session, world):
    type_id = _ticket(session).type_id
    with pytest.raises(NotFound):
        workflow.transition_map(session=session, actor=world.it_agent, type_id=type_id)
    with pytest.raises(NotFound):
        workflow.transition_map(session=session, actor=world.admin, type_id=10_000)


# Concurrency: each mover has its own session and transaction, as two app workers would.


def _committed_world(engine) -> SimpleNamespace:
    with session_scope(engine) as session:
        return _world(session)


def _begin(session: Session) -> None:
    """Start the transaction; on PostgreSQL bound how long a row lock may be waited for."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL lock_timeout = '10s'"))


def _move_in_own_transaction(engine, actor, to_status: str, *, before_move=None, before_commit=None) -> str:
    with Session(engine, expire_on_commit=False) as session:
        if before_move:
            before_move()
        _begin(session)
        try:
            workflow.move(session=session, actor=actor, number="HH-1", to_status=to_status)
        except (IllegalTransition, ValidationFailed):
            session.rollback()
            return "refused"
        if before_commit:
            before_commit()
        session.commit()
        return "moved"


def test_two_simultaneous_moves_to_the_same_status_end_with_one_move_and_one_entry(engine):
    world = _committed_world(engine)
    start = threading.Barrier(2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [
            pool.submit(
                _move_in_own_transaction,
                engine,
                actor,
                "triaged",
                before_move=lambda: start.wait(timeout=THREAD_TIMEOUT),
            )
            for actor in (world.agent, world.admin)
        ]
        outcomes = sorted(f.result(timeout=THREAD_TIMEOUT) for f in futures)
    assert outcomes == ["moved", "refused"]
    with Session(engine) as session:
        assert _status_key(session) == "triaged"
        assert len(_moves(session)) == 1


def test_a_move_waiting_on_another_decides_against_its_committed_result(engine):
    """The first mover holds its transaction open; the second must see where the first put the ticket."""
    world = _committed_world(engine)
    first_moved = threading.Event()

    def hold_open():
        first_moved.set()
        time.sleep(0.5)  # long enough for the second mover to be waiting on the row

    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(_move_in_own_transaction, engine, world.agent, "wont_fix", before_commit=hold_open)
        second = pool.submit(
            _move_in_own_transaction,
            engine,
            world.admin,
            "triaged",
            before_move=lambda: first_moved.wait(timeout=THREAD_TIMEOUT),
        )
        assert (first.result(timeout=THREAD_TIMEOUT), second.result(timeout=THREAD_TIMEOUT)) == ("moved", "moved")
    with Session(engine) as session:
        entries = _moves(session)
        assert [(e.before["status"], e.after["status"]) for e in entries] == [
            ("new", "wont_fix"),
            ("wont_fix", "triaged"),  # not ("new", "triaged"): the second read the first's commit
        ]
        ticket = _ticket(session)
        assert _status_key(session) == "triaged"
        assert ticket.resolved_at is None  # reopened by the second move
