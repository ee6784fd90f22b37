"""Google sign-in, end to end: TickIt served by uvicorn, a real OpenID provider over HTTP, an httpx browser."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
import uvicorn
from oidc_provider_mock import run_server_in_thread
from sqlmodel import Session, select

from tickit import routes
from tickit.api import create_app
from tickit.api.google import OAUTH_COOKIE
from tickit.models import Role, User, UserSession
from tickit.services import auth
from tickit.services.passwords import hash_password

HTTP_TIMEOUT_SECONDS = 10
SERVER_START_SECONDS = 10


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """The origin of a mock Google that only knows the clients registered with it."""
    with run_server_in_thread(require_client_registration=True, require_nonce=True) as server:
        yield f"http://127.0.0.1:{server.server_port}"


@contextmanager
def serving(app, sock: socket.socket) -> Iterator[None]:
    """Serve `app` on `sock` from a background thread until the block ends."""
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        yield
    finally:
        server.should_exit = True
        thread.join(SERVER_START_SECONDS)
        assert not thread.is_alive(), "uvicorn did not stop"


def loopback_socket() -> tuple[socket.socket, str]:
    """A socket on a free local port, and the origin it will answer at."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock, f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def app_url(engine, provider, monkeypatch, fresh_settings) -> Iterator[str]:
    """The origin of TickIt, configured for Google sign-in through the mock provider."""
    # Bound before the app is configured, so APP_URL (and with it the redirect_uri) is known.
    sock, origin = loopback_socket()
    registration = httpx.post(
        f"{provider}/oauth2/clients",
        json={"redirect_uris": [f"{origin}{routes.GOOGLE_CALLBACK}"]},
        timeout=HTTP_TIMEOUT_SECONDS,
    )
    registration.raise_for_status()
    monkeypatch.setenv("APP_URL", origin)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("GOOGLE_CLIENT_ID", registration.json()["client_id"])
    monkeypatch.setenv("GOOGLE_CLIENT_SECRET", registration.json()["client_secret"])
    monkeypatch.setenv("GOOGLE_DISCOVERY_URL", f"{provider}/.well-known/openid-configuration")
    monkeypatch.setenv("TICKIT_SELF_SIGNUP_DOMAINS", "example.com")
    with sock, serving(create_app(), sock):
        yield origin


@pytest.fixture
def browser(app_url) -> Iterator[httpx.Client]:
    """A cookie-keeping client that stops at every redirect, so each hop can be checked."""
    with httpx.Client(follow_redirects=False, timeout=HTTP_TIMEOUT_SECONDS) as client:
        yield client


def google_knows(provider: str, subject: str, **claims: object) -> None:
    """Tell the mock provider what it says about `subject` when they sign in."""
    httpx.put(f"{provider}/users/{subject}", json=claims, timeout=HTTP_TIMEOUT_SECONDS).raise_for_status()


def consent_at_google(browser: httpx.Client, app_url: str, subject: str, next_path: str = "") -> str:
    """Start sign-in at TickIt and approve it at the provider; return the callback URL it sends back."""
    query = f"?{urlencode({'next': next_path})}" if next_path else ""
    to_google = browser.get(f"{app_url}{routes.GOOGLE_LOGIN}{query}")
    assert to_google.is_redirect, to_google.text
    authorize_url = to_google.headers["location"]
    form = browser.get(authorize_url)
    assert form.status_code == 200 and 'name="sub"' in form.text
    # The form has no action, so it posts back to the URL it was served from.
    back_to_app = browser.post(authorize_url, data={"sub": subject})
    assert back_to_app.is_redirect, back_to_app.text
    callback_url = back_to_app.headers["location"]
    assert callback_url.startswith(f"{app_url}{routes.GOOGLE_CALLBACK}?")
    return callback_url


def sign_in_with_google(browser: httpx.Client, app_url: str, subject: str, next_path: str = "") -> httpx.Response:
    return browser.get(consent_at_google(browser, app_url, subject, next_path))


def set_cookie_header(response: httpx.Response, name: str) -> str | None:
    return next((h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")), None)


def session_count(engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(UserSession)).all())


def test_google_sign_in_creates_a_client_user_and_a_session(engine, provider, app_url, browser):
    google_knows(provider, "g-100", email="Carla@Example.com", email_verified=True, name="Carla Client")

    done = sign_in_with_google(browser, app_url, "g-100")

    assert done.status_code == 303
    assert done.headers["location"] == routes.PORTAL
    cookie = set_cookie_header(done, auth.SESSION_COOKIE)
    assert cookie is not None
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    with Session(engine) as session:
        user = session.exec(select(User)).one()
        assert (user.email, user.name, user.role, user.google_subject) == (
            "carla@example.com",
            "Carla Client",
            Role.CLIENT,
            "g-100",
        )
        assert session.exec(select(UserSession)).one().user_id == user.id
        signed_in = auth.resolve_session(session=session, token=browser.cookies[auth.SESSION_COOKIE])
        assert signed_in is not None and signed_in.id == user.id


def test_sign_in_state_lives_in_a_short_cookie_scoped_to_the_google_routes(app_url, browser):
    to_google = browser.get(f"{app_url}{routes.GOOGLE_LOGIN}")

    cookie = set_cookie_header(to_google, OAUTH_COOKIE)
    assert cookie is not None
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"path=/auth/google", "httponly", "samesite=lax", "max-age=600"} <= attributes
    assert set_cookie_header(to_google, auth.SESSION_COOKIE) is None


def test_google_sign_in_returns_to_the_page_it_started_from(engine, provider, app_url, browser):
    google_knows(provider, "g-101", email="carla@example.com", email_verified=True, name="Carla")

    done = sign_in_with_google(browser, app_url, "g-101", next_path=routes.PORTAL_NEW_TICKET)

    assert (done.status_code, done.headers["location"]) == (303, routes.PORTAL_NEW_TICKET)


def test_google_sign_in_links_existing_user_by_verified_email(engine, provider, app_url, browser):
    with Session(engine) as session:
        agent = User(email="ada@example.com", name="Ada Agent", role=Role.AGENT)
        session.add(agent)
        session.commit()
        agent_id = agent.id
    google_knows(provider, "g-200", email="ada@example.com", email_verified=True, name="Ada G.")

    done = sign_in_with_google(browser, app_url, "g-200")

    assert (done.status_code, done.headers["location"]) == (303, routes.TICKETS)
    with Session(engine) as session:
        user = session.exec(select(User)).one()
        assert (user.id, user.role, user.google_subject) == (agent_id, Role.AGENT, "g-200")


def test_google_sign_in_does_not_open_a_staff_account_that_has_a_password(engine, provider, app_url, browser):
    with Session(engine) as session:
        session.add(User(email="ada@example.com", name="Ada Agent", role=Role.AGENT, password_hash=hash_password("pw")))
        session.commit()
    google_knows(provider, "g-201", email="ada@example.com", email_verified=True, name="Ada G.")

    refused = sign_in_with_google(browser, app_url, "g-201")

    assert refused.headers["location"] == routes.login_url(error="google_staff_password")
    assert session_count(engine) == 0
    with Session(engine) as session:
        assert session.exec(select(User.google_subject)).one() is None


def test_google_sign_in_creates_no_account_outside_the_self_sign_up_domains(engine, provider, app_url, browser):
    google_knows(provider, "g-202", email="eve@elsewhere.example", email_verified=True, name="Eve")

    refused = sign_in_with_google(browser, app_url, "g-202")

    assert refused.headers["location"] == routes.login_url(error="google_no_account")
    with Session(engine) as session:
        assert session.exec(select(User)).first() is None


def test_callback_with_wrong_state_is_refused_and_creates_no_session(engine, provider, app_url, browser):
    google_knows(provider, "g-300", email="mallory@example.com", email_verified=True, name="Mallory")
    callback = urlsplit(consent_at_google(browser, app_url, "g-300"))
    query = parse_qs(callback.query)
    tampered = urlunsplit(callback._replace(query=urlencode({"code": query["code"][0], "state": "forged"})))

    refused = browser.get(tampered)

    assert refused.status_code == 303
    assert refused.headers["location"] == routes.login_url(error="google")
    assert set_cookie_header(refused, auth.SESSION_COOKIE) is None
    assert session_count(engine) == 0
    with Session(engine) as session:
        assert session.exec(select(User)).first() is None


def test_unverified_email_is_refused(engine, provider, app_url, browser):
    google_knows(provider, "g-400", email="unverified@example.com", email_verified=False, name="Una")

    refused = sign_in_with_google(browser, app_url, "g-400")

    assert refused.status_code == 303
    assert refused.headers["location"] == routes.login_url(error="google_unverified")
    assert set_cookie_header(refused, auth.SESSION_COOKIE) is None
    assert session_count(engine) == 0


def test_deactivated_user_is_refused(engine, provider, app_url, browser):
    with Session(engine) as session:
        session.add(User(email="gone@example.com", name="Gone", google_subject="g-500", is_active=False))
        session.commit()
    google_knows(provider, "g-500", email="gone@example.com", email_verified=True, name="Gone")

    refused = sign_in_with_google(browser, app_url, "g-500")

    assert refused.status_code == 303
    assert refused.headers["location"] == routes.login_url(error="google_refused")
    assert session_count(engine) == 0


def test_google_login_without_settings_redirects_to_login_with_message(monkeypatch, fresh_settings):
    for name in ("GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET", "GOOGLE_DISCOVERY_URL"):
        monkeypatch.delenv(name, raising=False)

    sock, origin = loopback_socket()
    monkeypatch.setenv("APP_URL", origin)

    with sock, serving(create_app(), sock):
        response = httpx.get(f"{origin}{routes.GOOGLE_LOGIN}", timeout=HTTP_TIMEOUT_SECONDS)

    assert response.status_code == 303
    assert response.headers["location"] == routes.login_url(error="google_off")
