"""Requests that change something with the session cookie must come from TickIt's own pages.

A page on another site can make a browser POST a form here (the session cookie is SameSite=Lax,
but sign-in needs no cookie: login CSRF would sign the victim into the attacker's account). The
browser says where such a request comes from: `Origin` on every POST, `Referer` where an old
browser or an extension drops it. One of them must name APP_URL's origin; a request with neither
is refused too, since no page of TickIt sends one without.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import HTTPException, Request

from tickit.config import get_settings


def _origin_of(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def is_same_origin(request: Request) -> bool:
    """Whether the request's `Origin` (or, without one, its `Referer`) is APP_URL's origin."""
    expected = get_settings().app_origin
    origin = request.headers.get("origin")
    if origin is not None:
        return origin.strip().lower() == expected
    referer = request.headers.get("referer")
    return referer is not None and _origin_of(referer) == expected


def refusal() -> str:
    """What a refused request is told: where it must come from."""
    return f"Refused: this request did not come from a page of {get_settings().app_origin}."


def require_same_origin(request: Request) -> None:
    """A route dependency: 403 for a request from another site."""
    if not is_same_origin(request):
        raise HTTPException(status_code=403, detail=refusal())
