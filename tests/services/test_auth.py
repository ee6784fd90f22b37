"""Signing in, sessions, and Google identities."""

from datetime import timedelta

import pytest
from sqlmodel import select

from tests.factories import PASSWORD, make_user
from tickit.models import User, UserSession
from tickit.services import auth, users
from tickit.services.actors import SYSTEM


def test_wrong_password_and_unknown_email_get_the_same_message(engine, session):
    make_user(session, email="known@example.com")
    session.commit()
    messages = []
    for email in ("known@example.com", "unknown@example.com"):
        with pytest.raises(auth.SignInFailed) as caught:
            auth.sign_in_with_password(engine=engine, email=email, password="wrong password", ip="10.0.0.1")
        messages.append(str(caught.value))
    assert messages[0] == messages[1] == auth.WRONG_CREDENTIALS


def test_deactivated_user_with_the_right_password_is_told_so(engine, session):
    make_user(session, "admin")
    client = make_user(session, email="gone@example.com")
    users.set_active(session=session, actor=SYSTEM, user_id=client.id, active=False)
    session.commit()
    with pytest.raises(auth.SignInFailed) as caught:
        auth.sign_in_with_password(engine=engine, email="gone@example.com", password=PASSWORD, ip="10.0.0.4")
    assert str(caught.value) == auth.DEACTIVATED


def test_session_token_is_stored_hashed_and_rotates_at_sign_in(session):
    user = make_user(session)
    first = auth.start_session(session=session, user_id=user.id)
    second = auth.start_session(session=session, user_id=user.id, replacing_token=first)
    stored = [s.token_hash for s in session.exec(select(UserSession)).all()]
    assert first not in stored and second not in stored and len(stored) == 1
    assert auth.resolve_session(session=session, token=first) is None
    assert auth.resolve_session(session=session, token=second).id == user.id


def test_sign_out_ends_the_session(session):
    user = make_user(session)
    token = auth.start_session(session=session, user_id=user.id)
    auth.end_session(session=session, token=token)
    assert auth.resolve_session(session=session, token=token) is None


def test_expired_session_is_refused_and_removed(session):
    user = make_user(session)
    token = auth.start_session(session=session, user_id=user.id)
    row = session.exec(select(UserSession)).one()
    row.expires_at = row.created_at - timedelta(seconds=1)
    session.add(row)
    session.flush()
    assert auth.resolve_session(session=session, token=token) is None
    session.flush()
    assert session.exec(select(UserSession)).all() == []


def _age_session(session, **ages: timedelta) -> None:
    row = session.exec(select(UserSession)).one()
    for column, age in ages.items():
        setattr(row, column, getattr(row, column) - age)
    session.add(row)
    session.flush()


def test_checking_a_fresh_session_finds_its_user_with_no_write_due(session):
    user = make_user(session)
    token = auth.start_session(session=session, user_id=user.id)
    check = auth.check_session(session=session, token=token)
    assert (check.actor.id, check.write_due) == (user.id, False)


def test_checking_a_session_unseen_for_a_while_says_its_last_seen_is_due(session):
    user = make_user(session)
    token = auth.start_session(session=session, user_id=user.id)
    _age_session(session, last_seen_at=auth.LAST_SEEN_RESOLUTION * 2)
    seen = session.exec(select(UserSession.last_seen_at)).one()

    check = auth.check_session(session=session, token=token)
    assert (check.actor.id, check.write_due) == (user.id, True)
    session.flush()
    assert session.exec(select(UserSession.last_seen_at)).one() == seen
    auth.resolve_session(session=session, token=token)
    session.flush()
    assert session.exec(select(UserSession.last_seen_at)).one() > seen


def test_checking_an_expired_session_refuses_it_and_leaves_its_removal_due(session):
    user = make_user(session)
    token = auth.start_session(session=session, user_id=user.id)
    _age_session(session, expires_at=timedelta(days=400))
    assert auth.check_session(session=session, token=token) == auth.SessionCheck(actor=None, write_due=True)
    session.flush()
    assert len(session.exec(select(UserSession)).all()) == 1


def test_checking_an_unknown_token_finds_nobody(session):
    assert auth.check_session(session=session, token="nope") == auth.SessionCheck(actor=None, write_due=False)


def test_google_links_an_existing_client_by_verified_email(session):
    client = make_user(session, "client", email="client@example.com")
    linked = auth.sign_in_with_google(
        session=session, subject="g-1", email="Client@Example.com", email_verified=True, name="Client"
    )
    assert linked.id == client.id and linked.role == "client"


def test_google_creates_a_client_for_a_new_verified_email_where_self_sign_up_is_on(session, settings_env):
    settings_env(TICKIT_SELF_SIGNUP_DOMAINS="*")
    created = auth.sign_in_with_google(
        session=session, subject="g-2", email="new@example.com", email_verified=True, name="New Person"
    )
    assert created.role == "client"
    assert session.get(User, created.id).google_subject == "g-2"


def test_google_refuses_an_unverified_email(session):
    with pytest.raises(auth.SignInFailed):
        auth.sign_in_with_google(session=session, subject="g-3", email="x@example.com", email_verified=False, name="X")
    assert session.exec(select(User)).all() == []


def test_ending_other_sessions_keeps_only_this_browser(session):
    user = make_user(session)
    here, elsewhere = (auth.start_session(session=session, user_id=user.id) for _ in range(2))
    auth.end_other_sessions(session=session, user_id=user.id, keep_token=here)
    assert auth.resolve_session(session=session, token=here).id == user.id
    assert auth.resolve_session(session=session, token=elsewhere) is None
