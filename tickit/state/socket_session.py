"""The session token of a browser tab's websocket, kept out of Reflex's state.

Reflex copies the websocket's request headers, cookies included, into the router data of every
state, and pickles that with the state to `.states/` or Redis. `hide_session_cookie` wraps the app
(as an ASGI transformer) and takes the session cookie out of a websocket's headers before Reflex
sees them, leaving in its place a handle: a random name for the token that this process knows
only while that websocket is open. Handlers resolve the user from it on every event
(`session_token`); a handle in a stored state is worth nothing once its connection has closed, and
nothing in any other process.
"""

from __future__ import annotations

import secrets
from http.cookies import CookieError, SimpleCookie

from starlette.types import ASGIApp, Receive, Scope, Send

from tickit.services import auth

SOCKET_COOKIE = "tickit_socket"
# handle -> session token, for the websockets open in this process.
_tokens: dict[str, str] = {}


def hide_session_cookie(app: ASGIApp) -> ASGIApp:
    """`app`, with every websocket's session cookie swapped for a handle valid while it is open."""

    async def without_session_cookie(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await app(scope, receive, send)
            return
        headers, token = _split_session_cookie(scope["headers"])
        if token is None:
            await app({**scope, "headers": headers}, receive, send)
            return
        handle = secrets.token_urlsafe(24)
        _tokens[handle] = token
        try:
            cookie = (b"cookie", f"{SOCKET_COOKIE}={handle}".encode())
            await app({**scope, "headers": [*headers, cookie]}, receive, send)
        finally:  # the websocket has closed: the handle names no one from now on
            del _tokens[handle]

    return without_session_cookie


def session_token(cookie_header: str) -> str | None:
    """The session token behind a tab's cookie header, as its state holds it.

    A handle is looked up; a plain session cookie (a state made outside a websocket, as tests and
    tools do) is taken as it is.
    """
    try:
        cookies = SimpleCookie(cookie_header or "")
    except CookieError:
        return None
    if SOCKET_COOKIE in cookies:
        return _tokens.get(cookies[SOCKET_COOKIE].value)
    morsel = cookies.get(auth.SESSION_COOKIE)
    return morsel.value if morsel else None


def _split_session_cookie(headers: list[tuple[bytes, bytes]]) -> tuple[list[tuple[bytes, bytes]], str | None]:
    """The headers without the session cookie (nor a handle the browser made up), and the token."""
    kept: list[tuple[bytes, bytes]] = []
    token = None
    for name, value in headers:
        if name.lower() != b"cookie":
            kept.append((name, value))
            continue
        others = []
        for pair in value.decode("latin-1").split(";"):
            key, _, cookie_value = pair.strip().partition("=")
            if key == auth.SESSION_COOKIE:
                token = cookie_value
            elif key != SOCKET_COOKIE and key:
                others.append(pair.strip())
        if others:
            kept.append((name, "; ".join(others).encode("latin-1")))
    return kept, token
