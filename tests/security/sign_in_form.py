"""Posting the sign-in form to TickIt's HTTP app, as a browser at some address would."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import httpx
from fastapi.testclient import TestClient

from tickit import db, routes
from tickit.api import create_app
from tickit.config import get_settings

Post = Callable[..., httpx.Response]


@contextmanager
def sign_in_form(engine, settings_env, **env: str) -> Iterator[Post]:
    """The app on `engine`'s database with `env` set; yields `post(email, password, peer=…, headers=…, next_path=…)`."""
    settings_env(DATABASE_URL=engine.url.render_as_string(hide_password=False), **env)
    db.dispose_engine()
    app = create_app()

    def post(email: str, password: str, *, peer: str, headers: dict[str, str] | None = None, next_path: str = ""):
        # A browser on the app's own origin posts the form, so a same-origin check would pass it.
        client = TestClient(app, client=(peer, 50000), follow_redirects=False)
        return client.post(
            routes.AUTH_LOGIN,
            data={"email": email, "password": password, "next": next_path},
            headers={"origin": get_settings().app_url, **(headers or {})},
        )

    try:
        yield post
    finally:
        db.dispose_engine()


def login_error(response: httpx.Response) -> str:
    """The reason code the form was sent back with ("" when the sign-in went through)."""
    assert response.status_code == 303, response.text
    location = urlsplit(response.headers["location"])
    if location.path != routes.LOGIN:
        return ""
    return parse_qs(location.query).get("error", [""])[0]
