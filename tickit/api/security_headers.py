"""The headers every response carries (pages, UI events, API), and the websocket's origin check.

The FastAPI app of `tickit.api` is the outermost app of the Reflex backend: Reflex mounts its own
routes (the built pages, the `/_event` websocket) beneath it, so this middleware sees them all.

The Content-Security-Policy allows scripts from this origin only, plus the inline scripts the
Reflex build writes into its pages (theme before first paint, router context, hydration), each by
its SHA-256, read from the built pages once per process. `'unsafe-eval'` stays because Reflex
runs `rx.call_script` (used to keep the board's and the list's address in step with their
filters) through `eval`. Emotion writes style elements at run time, hence inline styles.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
import sys
from pathlib import Path

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tickit.config import get_settings

HSTS_SECONDS = 2 * 365 * 24 * 3600
# A script element without src, and its text (what the browser hashes).
_INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)
# Sent as the websocket's close code before accepting it, which the server answers with 403.
POLICY_VIOLATION = 1008


def inline_script_hashes(html: str) -> set[str]:
    """CSP source expressions (`'sha256-…'`) for each inline script of an HTML page."""
    return {
        "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode("ascii") + "'"
        for text in _INLINE_SCRIPT.findall(html)
    }


@functools.cache
def _built_pages_dir() -> Path:
    # Where Reflex's production frontend mount serves the built pages from (reflex.utils.exec).
    from reflex import constants
    from reflex.config import get_config
    from reflex.utils import prerequisites

    return (prerequisites.get_web_dir() / constants.Dirs.STATIC / get_config().frontend_path.strip("/")).resolve()


@functools.cache
def _hashes_of_pages_in(pages_dir: Path) -> frozenset[str]:
    hashes: set[str] = set()
    for page in sorted(pages_dir.rglob("*.html")):
        hashes |= inline_script_hashes(page.read_text(encoding="utf-8", errors="replace"))
    return frozenset(hashes)


def built_page_script_hashes() -> frozenset[str]:
    """The inline scripts of every built page, read once the build exists (none while serving the API alone)."""
    # Only a process running the Reflex app serves pages, and it has imported Reflex; the API
    # served alone (`uvicorn --factory tickit.api:create_app`) should not pay for importing it.
    if "reflex" not in sys.modules:
        return frozenset()
    pages_dir = _built_pages_dir()
    return _hashes_of_pages_in(pages_dir) if pages_dir.is_dir() else frozenset()


def content_security_policy(origin: str, script_hashes: frozenset[str]) -> str:
    """The policy of every response that sets none itself; `script_hashes` admit inline scripts."""
    socket_origin = ("wss" if origin.startswith("https:") else "ws") + origin[origin.index(":") :]
    scripts = " ".join(["'self'", "'unsafe-eval'", *sorted(script_hashes)])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            f"connect-src 'self' {socket_origin}",
            "worker-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _headers() -> dict[str, str]:
    # The same policy on every response, pages or not: a 304 revalidating a cached page replaces
    # the cached page's headers with its own, so it must carry the page's hashes too.
    settings = get_settings()
    return _header_set(settings.app_origin, settings.cookie_secure, built_page_script_hashes())


@functools.cache
def _header_set(origin: str, https: bool, script_hashes: frozenset[str]) -> dict[str, str]:
    headers = {
        "content-security-policy": content_security_policy(origin, script_hashes),
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "referrer-policy": "same-origin",
        "cross-origin-opener-policy": "same-origin",
    }
    if https:
        headers["strict-transport-security"] = f"max-age={HSTS_SECONDS}"
    return headers


class SecurityHeaders:
    """ASGI middleware: the headers above on every HTTP response (a response's own CSP wins), and
    a websocket from a page of another origin refused before it is accepted."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            origin = Headers(scope=scope).get("origin")
            if origin is not None and origin.strip().lower() != get_settings().app_origin:
                await receive()  # websocket.connect
                await send({"type": "websocket.close", "code": POLICY_VIOLATION})
                return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _headers().items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
