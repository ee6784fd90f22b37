"""Issue 13, point 8 (sign-in): where a sign-in may send the browser, what a malformed sign-in page
address does, and which accounts Google may open or create."""

from __future__ import annotations

import pytest
from reflex.istate.data import RouterData
from reflex.state import State
from sqlmodel import select

from tests.factories import PASSWORD, make_user
from tests.security.sign_in_form import sign_in_form
from tests.state.events import run_handler
from tickit import db, routes
from tickit.db import session_scope
from tickit.models import User
from tickit.services import auth
from tickit.state.login import LoginState


@pytest.mark.parametrize(
    "hostile",
    [
        "//evil.example/",
        "/\\evil.example",
        "/\t/evil.example",  # browsers drop the tab and go to //evil.example
        "/\n/evil.example",
        "/\r/evil.example",
        "/\x00/evil.example",
        "/\u2028/evil.example",
        "/\u200b/evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_next_refuses_anything_but_a_path_on_this_site(hostile):
    assert routes.safe_next(hostile) is None


@pytest.mark.parametrize("path", ["/tickets/HH-7", "/tickets/board?project=HH&q=export fails", "/portal#comments"])
def test_next_keeps_a_path_on_this_site(path):
    assert routes.safe_next(path) == path


def test_signing_in_with_a_hostile_next_lands_on_the_users_home(engine, settings_env):
    with session_scope(engine) as session:
        user = make_user(session, "agent")
    with sign_in_form(engine, settings_env) as post:
        signed_in = post(user.email, PASSWORD, peer="198.51.100.40", next_path="/\t/evil.example")

    assert (signed_in.status_code, signed_in.headers["location"]) == (303, routes.TICKETS)


def _sign_in_page(address: str) -> LoginState:
    root = State(_reflex_internal_init=True)
    root.router = RouterData.from_router_data({"headers": {}, "pathname": routes.LOGIN, "asPath": address})
    return root.get_substate(LoginState.get_full_name().split(".")[1:])


@pytest.mark.parametrize("retry", ["soon", "-5", "1e9", "٣", "9" * 5000, ""])
def test_a_malformed_wait_on_the_sign_in_page_shows_the_refusal_without_it(engine, monkeypatch, retry):
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    page = _sign_in_page(routes.login_url(error="rate", retry=retry))

    run_handler(page.load())

    assert page.error == "Too many failed sign-in attempts. Wait a moment before trying again."


def test_the_sign_in_page_shows_the_wait_it_was_sent(engine, monkeypatch):
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    page = _sign_in_page(routes.login_url(error="rate", retry="30"))

    run_handler(page.load())

    assert page.error == "Too many failed sign-in attempts; try again in 30 seconds."


def _google(session, subject: str, email: str):
    return auth.sign_in_with_google(session=session, subject=subject, email=email, email_verified=True, name="G")


def test_google_does_not_open_a_staff_account_that_has_a_password(session, settings_env):
    settings_env(TICKIT_SELF_SIGNUP_DOMAINS="*")
    agent = make_user(session, "agent", email="ada@example.com")

    with pytest.raises(auth.SignInFailed) as caught:
        _google(session, "g-ada", "ada@example.com")

    assert str(caught.value) == auth.GOOGLE_STAFF_HAS_PASSWORD
    assert session.get(User, agent.id).google_subject is None


def test_google_opens_a_staff_account_that_has_no_password(session, settings_env):
    settings_env()
    agent = make_user(session, "admin", email="root@example.com")
    session.get(User, agent.id).password_hash = None

    assert _google(session, "g-root", "root@example.com").id == agent.id


def test_google_opens_a_staff_account_with_a_password_in_a_domain_the_admin_allowed(session, settings_env):
    settings_env(TICKIT_GOOGLE_STAFF_DOMAINS="example.com")
    agent = make_user(session, "agent", email="ada@example.com")

    assert _google(session, "g-ada", "ada@example.com").id == agent.id
    with pytest.raises(auth.SignInFailed):
        _google(session, "g-bob", make_user(session, "agent", email="bob@partner.example").email)


def test_google_creates_no_account_where_self_sign_up_is_off(session, settings_env):
    settings_env()

    with pytest.raises(auth.SignInFailed) as caught:
        _google(session, "g-new", "new@example.com")

    assert str(caught.value) == auth.GOOGLE_NO_SIGNUP
    assert session.exec(select(User)).all() == []


def test_google_creates_clients_only_in_the_self_sign_up_domains(session, settings_env):
    settings_env(TICKIT_SELF_SIGNUP_DOMAINS="customer.example")

    assert _google(session, "g-carla", "carla@customer.example").role == "client"
    with pytest.raises(auth.SignInFailed):
        _google(session, "g-eve", "eve@elsewhere.example")
    assert [user.email for user in session.exec(select(User))] == ["carla@customer.example"]
