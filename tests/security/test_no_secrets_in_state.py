"""Issue 13, point 5: no secret is kept in Reflex's state, which is pickled to `.states/` or Redis.

Not the session token behind a tab's websocket, not an API token just made, not a generated
password: each reaches the one browser that needs it, and a pickled state never holds it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from reflex.app import _decode_asgi_headers
from reflex.state import BaseState, State
from sqlmodel import select

from tests.factories import make_project, make_user
from tests.state.events import run_handler
from tickit import db
from tickit.db import session_scope
from tickit.models import ApiClient, Mailbox
from tickit.services import api_clients, auth, mailboxes, users
from tickit.state.admin_api_clients import AdminApiClientsState
from tickit.state.admin_mail import AdminMailState
from tickit.state.admin_users import AdminUsersState
from tickit.state.socket_session import hide_session_cookie

API_CLIENTS_PATH = "/admin/projects/HH/api-clients"
# A whole token (`tk_` and 43 characters); a list row shows only its first six.
WHOLE_TOKEN = re.compile(rb"tk_[A-Za-z0-9_-]{40,}")


@pytest.fixture
def admin(engine, monkeypatch) -> Iterator[tuple[str, str]]:
    """An admin signed in, with project HH: their email and session token."""
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    with session_scope(engine) as session:
        make_project(session, "HH")
        user = make_user(session, "admin", email="ada@example.com")
        token = auth.start_session(session=session, user_id=user.id)
    yield user.email, token


def tab(state_class: type[BaseState], headers: dict[str, str] | None = None, path: str = "/admin") -> Any:
    """`state_class` in a tab whose websocket brought `headers` (None: they come later, by `connect`)."""
    root = State(_reflex_internal_init=True)
    state = root.get_substate(state_class.get_full_name().split(".")[1:])
    if headers is not None:
        connect(state, headers, path)
    return state


def connect(state: BaseState, headers: dict[str, str], path: str = "/admin") -> None:
    """Give the tab the router data of its websocket, as Reflex does when an event arrives."""
    root = state._get_root_state()
    root.router_data = root._update_router_vars({"headers": headers, "pathname": path, "asPath": path}, {})


def pickled(state: BaseState) -> bytes:
    """What Reflex writes to `.states/` or Redis for the tab: every state of its tree, pickled."""
    root = state._get_root_state()
    found, stack = b"", [root]
    while stack:
        current = stack.pop()
        found += current._serialize()
        stack.extend(current.substates.values())
    return found


def test_a_tabs_state_holds_no_session_token_yet_each_event_knows_who_is_signed_in(admin):
    email, token = admin
    seen: dict[str, Any] = {}
    state = tab(AdminUsersState)

    async def reflex_socket_app(scope, receive, send):
        # What Reflex does with the websocket's request: its headers become the tab's router data.
        connect(state, _decode_asgi_headers(scope["headers"]))
        seen["actor"] = await state.actor()
        seen["state"] = pickled(state)
        seen["headers"] = state.router.headers

    websocket = {
        "type": "websocket",
        "path": "/_event",
        "headers": [(b"cookie", f"theme=dark; tickit_session={token}".encode())],
    }
    run_handler(hide_session_cookie(reflex_socket_app)(websocket, None, None))

    assert seen["actor"] is not None and seen["actor"].email == email
    assert token.encode() not in seen["state"]
    assert "theme=dark" in seen["headers"].cookie  # other cookies pass through
    # Once the websocket has closed, what the stored state holds names no one.
    closed = tab(AdminUsersState, {"cookie": seen["headers"].cookie})
    assert run_handler(closed.actor()) is None


def test_a_new_api_token_reaches_the_browser_once_and_never_the_state(admin):
    _, token = admin
    state = tab(AdminApiClientsState, {"cookie": f"{auth.SESSION_COOKIE}={token}"}, API_CLIENTS_PATH)
    state.project_key = "HH"

    shown = repr(run_handler(state.create({"name": "Shop"})))

    [new_token] = set(WHOLE_TOKEN.findall(shown.encode()))  # the script appears twice in the event
    with session_scope(read_only=True) as session:
        stored = session.exec(select(ApiClient.token_hash)).one()
    assert api_clients.hash_token(new_token.decode()) == stored
    assert state.new_token_client == "Shop"
    assert WHOLE_TOKEN.findall(pickled(state)) == []


def test_a_generated_password_reaches_the_browser_once_and_never_the_state(admin, monkeypatch):
    _, token = admin
    generated = "Kq7mP-x2Tzw-9Hnd4-RtYb8"
    monkeypatch.setattr(users, "generate_password", lambda: generated)
    state = tab(AdminUsersState, {"cookie": f"{auth.SESSION_COOKIE}={token}"}, "/admin/users")

    shown = repr(run_handler(state.create({"email": "grace@example.com", "name": "Grace Hopper"})))

    assert generated in shown
    assert state.password_generated
    assert generated.encode() not in pickled(state)


def test_a_mailboxs_imap_password_and_http_secret_never_enter_the_state(admin):
    _, token = admin
    password = "wombat-imap-Zq81"
    state = tab(AdminMailState, {"cookie": f"{auth.SESSION_COOKIE}={token}"}, "/admin/projects/HH/mail")
    state.project_key, state.form_imap, state.form_type = "HH", True, "bug"
    form = {
        "key": "desk",
        "address": "desk@hh.example.com",
        "imap_host": "imap.example.com",
        "imap_port": "993",
        "imap_username": "desk",
        "imap_password": password,
        "imap_folder": "INBOX",
        "imap_move_to": "",
    }

    shown = repr(run_handler(state.save(form)))
    rotated = repr(run_handler(state.rotate("desk")))

    with session_scope(read_only=True) as session:
        stored = session.exec(select(Mailbox)).one()
    [secret] = set(re.findall(r"[A-Za-z0-9_-]{43}", shown))  # the script appears twice in the event
    assert mailboxes.hash_secret(secret) != stored.secret_hash  # rotated since
    [new_secret] = set(re.findall(r"[A-Za-z0-9_-]{43}", rotated))
    assert mailboxes.hash_secret(new_secret) == stored.secret_hash
    assert stored.imap_password == password and password not in shown
    assert state.new_secret_key == "desk" and state.boxes[0].imap_host == "imap.example.com"
    state_bytes = pickled(state)
    for value in (password, secret, new_secret):
        assert value.encode() not in state_bytes
