"""A user's sessions: listed with browser and address, signed out one by one or all but this one; idle ones end."""

from datetime import timedelta

import pytest
from sqlmodel import select

from tests.factories import make_user
from tickit.config import get_settings
from tickit.models import UserSession, utcnow
from tickit.services import auth, user_sessions
from tickit.services.errors import NotFound

FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)
EDGE_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 "
    "Edg/126.0"
)


@pytest.mark.parametrize(
    ("agent", "described"),
    [
        (FIREFOX_WINDOWS, "Firefox on Windows"),
        (SAFARI_IPHONE, "Safari on iPhone"),
        (EDGE_WINDOWS, "Edge on Windows"),
        ("curl/8.0", "Unknown browser"),
        ("", "Unknown browser"),
    ],
)
def test_a_session_is_named_by_its_browser_and_device(agent, described):
    assert user_sessions.describe_user_agent(agent) == described


def test_the_profile_lists_the_users_own_sessions_with_this_one_first(session):
    user = make_user(session, "agent")
    other = make_user(session, "agent")
    here = auth.start_session(session=session, user_id=user.id, ip="10.0.0.1", user_agent=FIREFOX_WINDOWS)
    auth.start_session(session=session, user_id=user.id, ip="10.0.0.2", user_agent=SAFARI_IPHONE)
    auth.start_session(session=session, user_id=other.id, ip="10.0.0.3", user_agent=EDGE_WINDOWS)
    listed = user_sessions.list_sessions(session=session, actor=user, current_token=here)
    assert [(s.device, s.address, s.current) for s in listed] == [
        ("Firefox on Windows", "10.0.0.1", True),
        ("Safari on iPhone", "10.0.0.2", False),
    ]


def test_signing_out_one_session_ends_it_and_only_it(session):
    user = make_user(session, "client")
    here = auth.start_session(session=session, user_id=user.id, user_agent=FIREFOX_WINDOWS)
    there = auth.start_session(session=session, user_id=user.id, user_agent=SAFARI_IPHONE)
    phone = next(
        s for s in user_sessions.list_sessions(session=session, actor=user, current_token=here) if not s.current
    )
    user_sessions.end_session_by_id(session=session, actor=user, session_id=phone.id)
    assert auth.resolve_session(session=session, token=there) is None
    assert auth.resolve_session(session=session, token=here).id == user.id


def test_nobody_signs_out_someone_elses_session(session):
    user = make_user(session, "client")
    intruder = make_user(session, "client")
    token = auth.start_session(session=session, user_id=user.id)
    [row] = session.exec(select(UserSession).where(UserSession.user_id == user.id)).all()
    with pytest.raises(NotFound):
        user_sessions.end_session_by_id(session=session, actor=intruder, session_id=row.id)
    assert auth.resolve_session(session=session, token=token).id == user.id


def test_signing_out_everywhere_else_keeps_this_browser(session):
    user = make_user(session, "client")
    here = auth.start_session(session=session, user_id=user.id)
    others = [auth.start_session(session=session, user_id=user.id) for _ in range(2)]
    auth.end_other_sessions(session=session, user_id=user.id, keep_token=here)
    assert [s.current for s in user_sessions.list_sessions(session=session, actor=user, current_token=here)] == [True]
    assert all(auth.resolve_session(session=session, token=t) is None for t in others)


def test_a_session_idle_longer_than_the_limit_ends(session, monkeypatch):
    user = make_user(session, "client")
    token = auth.start_session(session=session, user_id=user.id)
    row = session.exec(select(UserSession)).one()
    idle = timedelta(hours=get_settings().session_idle_hours)
    row.last_seen_at = utcnow() - idle + timedelta(minutes=1)
    session.add(row)
    session.flush()
    assert auth.check_session(session=session, token=token).actor is not None
    row.last_seen_at = utcnow() - idle - timedelta(minutes=1)
    session.add(row)
    session.flush()
    assert auth.check_session(session=session, token=token).actor is None
    assert auth.resolve_session(session=session, token=token) is None
    assert session.exec(select(UserSession)).all() == []


def test_the_idle_limit_is_configurable(session, monkeypatch):
    monkeypatch.setenv("TICKIT_SESSION_IDLE_HOURS", "1")
    get_settings.cache_clear()
    try:
        user = make_user(session, "client")
        token = auth.start_session(session=session, user_id=user.id)
        row = session.exec(select(UserSession)).one()
        row.last_seen_at = utcnow() - timedelta(minutes=61)
        session.add(row)
        session.flush()
        assert auth.resolve_session(session=session, token=token) is None
    finally:
        get_settings.cache_clear()
