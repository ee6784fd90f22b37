"""Live updates: each tick of an open page's watcher shows what changed, for a viewer who may still see it.

The tests drive the `watch` events of the bell, the board and the staff ticket page as the page's ticker
does, against the database, in a tab signed in with a real session cookie.
"""

from __future__ import annotations

import pytest
from reflex.istate.data import RouterData
from reflex.state import State

from tests.factories import add_member, file_ticket, make_project, make_user
from tests.state.events import run_handler
from tickit import db, routes
from tickit.db import session_scope
from tickit.models import Notification
from tickit.services import auth, ticket_detail, users
from tickit.services.actors import SYSTEM
from tickit.services.ticket_stamp import ticket_stamp
from tickit.state.bell import BellState
from tickit.state.board import BoardState, read_board
from tickit.state.ticket_page import TicketCommentsState, TicketState


@pytest.fixture
def world(engine, monkeypatch):
    """An agent of project HH signed in (a session token), a colleague, and one bug ticket."""
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    with session_scope(engine) as session:
        project = make_project(session, "HH")
        agent, colleague, client = (
            make_user(session, "agent"),
            make_user(session, "agent"),
            make_user(session, "client"),
        )
        for person, role in ((agent, "agent"), (colleague, "agent"), (client, "client")):
            add_member(session, project.id, person, role)
        number = file_ticket(session, client, title="Export fails", type_key="bug")
        token = auth.start_session(session=session, user_id=agent.id)
    return {"engine": engine, "agent": agent, "colleague": colleague, "number": number, "token": token}


def _tab(state_class, token: str, path: str):
    """`state_class` as it is in a browser tab at `path` holding the session cookie `token`."""
    root = State(_reflex_internal_init=True)
    cookie = f"{auth.SESSION_COOKIE}={token}"
    root.router = RouterData.from_router_data({"headers": {"cookie": cookie}, "pathname": path, "asPath": path})
    return root.get_substate(state_class.get_full_name().split(".")[1:])


def _signed_out(world) -> None:
    with session_scope(world["engine"]) as session:
        auth.end_session(session=session, token=world["token"])


def _deactivated(world) -> None:
    with session_scope(world["engine"]) as session:
        users.set_active(session=session, actor=SYSTEM, user_id=world["agent"].id, active=False)


def _demoted(world) -> None:
    with session_scope(world["engine"]) as session:
        users.change_role(session=session, actor=SYSTEM, user_id=world["agent"].id, role="client")


def _colleague_raises_priority(world) -> None:
    with session_scope(world["engine"]) as session:
        ticket_detail.set_priority(session=session, actor=world["colleague"], number=world["number"], priority="urgent")


def tick(tab):
    """One tick of the tab's ticker: what its `watch` event returns."""
    return run_handler(tab.watch())


def _is_sign_in_redirect(event) -> bool:
    return routes.LOGIN in str(event)


# The staff ticket page


@pytest.fixture
def ticket_tab(world):
    tab = _tab(TicketState, world["token"], routes.ticket_page(world["number"]))
    with session_scope(world["engine"]) as session:
        tab.stamp = ticket_stamp(session=session, actor=world["agent"], number=world["number"])
    tab.number, tab.found = world["number"], True
    return tab


def test_an_open_ticket_reloads_when_someone_else_changes_it(world, ticket_tab):
    assert tick(ticket_tab) is None
    _colleague_raises_priority(world)
    assert tick(ticket_tab) == [TicketState.reload, TicketCommentsState.reload]


@pytest.mark.parametrize("leaves", [_signed_out, _deactivated], ids=["signed out", "deactivated"])
def test_a_ticket_tab_whose_user_left_is_sent_to_sign_in_and_shown_no_change(world, ticket_tab, leaves):
    leaves(world)
    _colleague_raises_priority(world)
    event = tick(ticket_tab)
    assert _is_sign_in_redirect(event)
    assert TicketState.reload not in (event if isinstance(event, list) else [event])


def test_a_ticket_tab_of_an_agent_demoted_to_client_is_loaded_anew_instead_of_reloaded(world, ticket_tab):
    _demoted(world)
    _colleague_raises_priority(world)
    assert tick(ticket_tab) == TicketState.load  # which admits agents only


# The board


@pytest.fixture
def board_tab(world):
    tab = _tab(BoardState, world["token"], routes.TICKETS_BOARD)
    tab.choice = "HH/bug"
    with session_scope(world["engine"]) as session:
        tab._show(read_board(session, world["agent"], tab._query()))
    return tab


def _priorities(tab) -> list[str]:
    return [card["priority"] for column in tab.columns for card in column["cards"]]


def test_an_open_board_shows_what_someone_else_changed(world, board_tab):
    revision = board_tab.revision
    assert tick(board_tab) is None and board_tab.revision == revision  # nothing new: nothing redrawn
    _colleague_raises_priority(world)
    assert tick(board_tab) is None
    assert _priorities(board_tab) == ["urgent"]


@pytest.mark.parametrize("leaves", [_signed_out, _deactivated], ids=["signed out", "deactivated"])
def test_a_board_tab_whose_user_left_is_sent_to_sign_in_and_shown_no_change(world, board_tab, leaves):
    leaves(world)
    _colleague_raises_priority(world)
    assert _is_sign_in_redirect(tick(board_tab))
    assert _priorities(board_tab) == ["normal"]


def test_a_board_tab_of_an_agent_demoted_to_client_is_loaded_anew(world, board_tab):
    _demoted(world)
    _colleague_raises_priority(world)
    assert tick(board_tab) == BoardState.load
    assert _priorities(board_tab) == ["normal"]


# The bell


def _notify(world, *summaries: str) -> None:
    with session_scope(world["engine"]) as session:
        for summary in summaries:
            session.add(Notification(user_id=world["agent"].id, event="mention", summary=summary))


def test_the_bell_counts_new_notifications_on_each_tick_and_lists_them_while_open(world):
    tab = _tab(BellState, world["token"], routes.TICKETS)
    _notify(world, "First", "Second")
    assert tick(tab) is None
    assert (tab.unread, tab.entries) == (2, [])
    tab.is_open = True
    _notify(world, "Third")
    tick(tab)
    assert tab.unread == 3
    assert [entry["summary"] for entry in tab.entries] == ["Third", "Second", "First"]


@pytest.mark.parametrize("leaves", [_signed_out, _deactivated], ids=["signed out", "deactivated"])
def test_a_bell_whose_user_left_is_sent_to_sign_in_and_counts_nothing_more(world, leaves):
    tab = _tab(BellState, world["token"], routes.TICKETS)
    leaves(world)
    _notify(world, "Unseen")
    assert _is_sign_in_redirect(tick(tab))
    assert tab.unread == 0
