"""How a handler reaches the services: reads in read-only transactions, a page load in one trip."""

from __future__ import annotations

from datetime import timedelta

import pytest
from reflex.istate.data import RouterData
from reflex.state import State
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from tests.factories import make_user
from tests.state.events import run_handler
from tickit import db
from tickit.db import session_scope
from tickit.models import Role, User, UserSession
from tickit.services import auth
from tickit.state.session import SessionState


@pytest.fixture
def agent(engine, monkeypatch):
    """An agent signed in: their public view and session token."""
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    with session_scope(engine) as session:
        user = make_user(session, "agent", name="Ada Agent")
        token = auth.start_session(session=session, user_id=user.id)
    return user, token


def _tab(token: str) -> SessionState:
    root = State(_reflex_internal_init=True)
    cookie = f"{auth.SESSION_COOKIE}={token}"
    root.router = RouterData.from_router_data({"headers": {"cookie": cookie}, "pathname": "/x", "asPath": "/x"})
    return root.get_substate(SessionState.get_full_name().split(".")[1:])


def _user_count() -> int:
    with session_scope(read_only=True) as session:
        return len(session.exec(select(User)).all())


def test_read_refuses_a_use_case_that_writes(agent):
    _, token = agent
    with pytest.raises(DBAPIError, match=r"read-?only"):
        run_handler(_tab(token).read(lambda session, actor: make_user(session, email="sneaky@example.com")))
    assert _user_count() == 1


def test_read_advances_the_sessions_last_seen_when_it_is_due(agent):
    user, token = agent
    with session_scope() as session:
        row = session.exec(select(UserSession)).one()
        row.last_seen_at -= auth.LAST_SEEN_RESOLUTION * 2
        session.add(row)
        stale = row.last_seen_at

    outcome = run_handler(_tab(token).read(lambda session, actor: actor.id))

    assert outcome.value == user.id
    with session_scope(read_only=True) as session:
        assert session.exec(select(UserSession.last_seen_at)).one() - stale > timedelta(minutes=1)


def test_admit_and_read_admits_the_user_and_reads_the_page_for_them(agent):
    user, token = agent
    tab = _tab(token)

    outcome = run_handler(tab.admit_and_read((Role.AGENT, Role.ADMIN), lambda session, actor: actor.email))

    assert outcome.value == user.email
    assert (tab.access, tab.user_name) == ("allowed", "Ada Agent")


def test_admit_and_read_reads_nothing_for_a_role_the_page_does_not_admit(agent):
    _, token = agent
    tab = _tab(token)
    read = []

    outcome = run_handler(tab.admit_and_read((Role.ADMIN,), lambda session, actor: read.append(actor)))

    assert outcome is None and read == []
    assert (tab.access, tab.user_role, tab.refusal()) == ("denied", Role.AGENT, None)
