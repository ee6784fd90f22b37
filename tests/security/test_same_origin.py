"""Issue 13, point 4: same origin only.

Sign-in, sign-out and uploads come only from APP_URL's pages; other sites get no CORS grant and
no websocket; every response carries the security headers; over https the session cookie is a
`__Host-` cookie.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from starlette.websockets import WebSocketDisconnect

from tests.factories import add_member, file_ticket, make_project, make_user
from tickit.api import create_app
from tickit.api.security_headers import inline_script_hashes
from tickit.models import Attachment, UserSession
from tickit.services import auth

PASSWORD = "correct horse battery"
EVIL = "https://evil.example"


@pytest.fixture
def app_url() -> str:
    return "http://localhost:3000"


@pytest.fixture
def http(engine, monkeypatch, fresh_settings, tmp_path, app_url) -> Iterator[TestClient]:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("TICKIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("APP_URL", app_url)
    with TestClient(create_app(), base_url=app_url, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def agent(engine):
    with Session(engine, expire_on_commit=False) as session:
        user = make_user(session, "agent", email="agent@example.com", password=PASSWORD)
        session.commit()
    return user


def sign_in(http: TestClient, **headers: str):
    return http.post(
        "/auth/login",
        data={"email": "agent@example.com", "password": PASSWORD},
        headers=headers,
        follow_redirects=False,
    )


def session_count(engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(UserSession)).all())


# --- login CSRF: sign-in and sign-out -------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{"Origin": EVIL}, {"Origin": "null"}, {"Referer": f"{EVIL}/phish"}, {}],
    ids=["foreign-origin", "opaque-origin", "foreign-referer", "neither"],
)
def test_a_sign_in_form_posted_from_another_site_signs_nobody_in(http, agent, engine, headers):
    answer = sign_in(http, **headers)

    assert answer.status_code == 403
    assert "did not come from a page of http://localhost:3000" in answer.json()["detail"]
    assert "set-cookie" not in answer.headers
    assert session_count(engine) == 0


@pytest.mark.parametrize(
    "headers", [{"Origin": "http://localhost:3000"}, {"Referer": "http://localhost:3000/login?next=/tickets"}]
)
def test_the_sign_in_form_of_app_url_signs_in(http, agent, headers):
    answer = sign_in(http, **headers)

    assert answer.status_code == 303
    assert answer.cookies.get(auth.SESSION_COOKIE)


def test_a_sign_out_posted_from_another_site_keeps_the_session(http, agent, engine):
    token = sign_in(http, Origin="http://localhost:3000").cookies[auth.SESSION_COOKIE]

    answer = http.post(
        "/auth/logout",
        headers={"Origin": EVIL, "Cookie": f"{auth.SESSION_COOKIE}={token}"},
        follow_redirects=False,
    )

    assert answer.status_code == 403
    with Session(engine) as session:
        assert auth.resolve_session(session=session, token=token) is not None


# --- uploads --------------------------------------------------------------------------------------------


def test_an_upload_from_another_site_is_refused_even_with_the_tickit_header(http, engine, tmp_path):
    with Session(engine, expire_on_commit=False) as session:
        project = make_project(session, "HH")
        client = make_user(session, "client")
        add_member(session, project.id, client, "client")
        number = file_ticket(session, client)
        token = auth.start_session(session=session, user_id=client.id)
        session.commit()

    answer = http.post(
        "/attachments/upload",
        params={"ticket": number},
        files=[("files", ("a.txt", b"hello"))],
        headers={"Cookie": f"{auth.SESSION_COOKIE}={token}", "X-Requested-With": "TickIt", "Origin": EVIL},
    )

    assert answer.status_code == 403
    with Session(engine) as session:
        assert session.exec(select(Attachment)).all() == []


# --- CORS and the websocket -----------------------------------------------------------------------------


@pytest.fixture
def reflex_backend(http, app_url) -> Iterator[TestClient]:
    """The FastAPI app with the CORS middleware Reflex adds to it, configured from rxconfig.py."""
    from reflex.app import App
    from reflex.config import reload_config

    reload_config()
    app = create_app()
    App._add_cors(app)
    with TestClient(app, base_url=app_url, raise_server_exceptions=False) as client:
        yield client
    reload_config()


def test_another_site_gets_no_cors_grant_and_app_url_does(reflex_backend, agent):
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}

    foreign = reflex_backend.options("/auth/login", headers={"Origin": EVIL, **preflight})
    own = reflex_backend.options("/auth/login", headers={"Origin": "http://localhost:3000", **preflight})

    assert "access-control-allow-origin" not in foreign.headers
    assert own.headers["access-control-allow-origin"] == "http://localhost:3000"


def test_a_websocket_opened_by_a_page_of_another_site_is_refused(http):
    with pytest.raises(WebSocketDisconnect) as refused:
        with http.websocket_connect("/_event/?EIO=4&transport=websocket", headers={"Origin": EVIL}):
            pass
    assert refused.value.code == 1008


# --- headers --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/auth/google/login", "/integrations/v1/tickets", "/no-such-page"])
def test_every_response_carries_the_security_headers(http, path):
    answer = http.get(path, follow_redirects=False)

    policy = answer.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self' 'unsafe-eval'" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    assert "connect-src 'self' ws://localhost:3000" in policy
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in answer.headers


def test_inline_scripts_are_admitted_by_their_hash_only():
    page = '<script>a()</script><script type="module" async="">b()</script><script src="/c.js"></script>'
    assert inline_script_hashes(page) == {
        "'sha256-qVpDBgj7bpq5hMAcGp3AOc79J3Y1Z4HvySTwKrWDoy4='",  # a()
        "'sha256-cf242PFc/kb7xD0Qzhsmd9vvRkc+cWFmbi+k+YvtdKc='",  # b()
    }


@pytest.mark.parametrize("app_url", ["https://help.example.com"])
def test_over_https_hsts_is_sent_and_the_session_cookie_is_a_host_cookie(http, agent, engine, app_url):
    answer = sign_in(http, Origin=app_url)

    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("__Host-tickit_session=")
    assert "secure" in cookie.lower() and "path=/" in cookie.lower() and "domain" not in cookie.lower()
    assert answer.headers["strict-transport-security"].startswith("max-age=")
    token = cookie.split(";", 1)[0].split("=", 1)[1]
    signed_out = http.post(
        "/auth/logout", headers={"Origin": app_url, "Cookie": f"__Host-tickit_session={token}"}, follow_redirects=False
    )
    assert signed_out.status_code == 303
    with Session(engine) as session:
        assert auth.resolve_session(session=session, token=token) is None
