"""Issue 13, point 5: the first admin's printed password is good for one thing, for one day.

Printed once at the first start so a newcomer can sign in, it leads only to the form where the
admin chooses their own, and stops working after 24 hours unused, so a copy left in a log is
worthless.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from tickit import config, db, routes
from tickit.api import create_app
from tickit.models import User, utcnow
from tickit.services import auth, users

OWN_PASSWORD = "my own long passphrase"


@pytest.fixture
def printed(engine) -> users.CreatedUser:
    """The first start: the first admin, with the password TickIt printed."""
    with Session(engine, expire_on_commit=False) as session:
        created = users.ensure_first_admin(session=session, email="admin@example.com")
        session.commit()
    assert created is not None and created.generated_password
    return created


@pytest.fixture
def browser(engine, monkeypatch, tmp_path) -> Iterator[TestClient]:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("TICKIT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("APP_URL", "http://testserver")
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    with TestClient(create_app(), follow_redirects=False, headers={"Origin": "http://testserver"}) as client:
        yield client
    db.dispose_engine()
    config.get_settings.cache_clear()


def sign_in(browser: TestClient, password: str) -> httpx.Response:
    return browser.post(routes.AUTH_LOGIN, data={"email": "admin@example.com", "password": password})


def who(engine, browser: TestClient) -> str | None:
    """Whom the browser's session cookie signs in, as every page and handler sees it."""
    with Session(engine) as session:
        actor = auth.resolve_session(session=session, token=browser.cookies.get(auth.SESSION_COOKIE))
    return actor.email if actor else None


def expire(engine, after: timedelta = timedelta(0)) -> None:
    """Move the printed password's end to `after` from now (a day passing, as far as it can tell)."""
    with Session(engine) as session:
        admin = session.exec(select(User)).one()
        admin.password_expires_at = utcnow() + after
        session.add(admin)
        session.commit()


def test_the_printed_password_leads_only_to_choosing_ones_own(engine, printed, browser):
    signed_in = sign_in(browser, printed.generated_password)

    assert signed_in.status_code == 303 and signed_in.headers["location"] == routes.CHOOSE_PASSWORD
    assert who(engine, browser) is None  # no page, handler or download sees anyone behind this session

    chose = browser.post(routes.AUTH_CHOOSE_PASSWORD, data={"new": OWN_PASSWORD, "confirm": OWN_PASSWORD})

    assert chose.status_code == 303 and chose.headers["location"] == routes.ADMIN
    assert who(engine, browser) == "admin@example.com"
    assert sign_in(browser, printed.generated_password).headers["location"].startswith(routes.LOGIN + "?error=")
    assert sign_in(browser, OWN_PASSWORD).headers["location"] == routes.ADMIN


def test_a_visit_without_the_printed_password_cannot_choose_one(engine, printed, browser):
    chose = browser.post(routes.AUTH_CHOOSE_PASSWORD, data={"new": OWN_PASSWORD, "confirm": OWN_PASSWORD})

    assert chose.headers["location"] == routes.login_url(error="choose_again")
    assert sign_in(browser, OWN_PASSWORD).headers["location"].startswith(routes.LOGIN + "?error=invalid")


@pytest.mark.parametrize(
    ("new", "confirm", "error"),
    [("short", "short", "new"), (OWN_PASSWORD, OWN_PASSWORD + "!", "confirm"), (None, None, "same")],
)
def test_the_chosen_password_must_be_long_typed_twice_and_not_the_printed_one(
    engine, printed, browser, new, confirm, error
):
    sign_in(browser, printed.generated_password)
    new = new or printed.generated_password
    confirm = confirm or printed.generated_password

    refused = browser.post(routes.AUTH_CHOOSE_PASSWORD, data={"new": new, "confirm": confirm})

    assert refused.headers["location"] == f"{routes.CHOOSE_PASSWORD}?error={error}"
    assert who(engine, browser) is None


def test_the_printed_password_lasts_a_day(engine, printed):
    with Session(engine) as session:
        admin = session.exec(select(User)).one()
    assert timedelta(hours=23, minutes=59) < admin.password_expires_at - utcnow() <= timedelta(hours=24)


def test_the_printed_password_stops_working_once_its_day_is_over(engine, printed, browser):
    expire(engine)

    refused = sign_in(browser, printed.generated_password)

    assert refused.headers["location"].startswith(routes.login_url(error="expired"))
    assert who(engine, browser) is None


def test_a_start_after_the_day_prints_a_new_password_and_before_it_prints_none(engine, printed, browser):
    with Session(engine, expire_on_commit=False) as session:
        assert users.ensure_first_admin(session=session, email="admin@example.com") is None
    expire(engine)
    with Session(engine, expire_on_commit=False) as session:
        again = users.ensure_first_admin(session=session, email="admin@example.com")
        session.commit()

    assert again is not None and again.generated_password != printed.generated_password
    assert sign_in(browser, printed.generated_password).headers["location"].startswith(routes.LOGIN + "?error=")
    assert sign_in(browser, again.generated_password).headers["location"] == routes.CHOOSE_PASSWORD


def test_an_admin_who_chose_their_password_is_never_asked_again(engine, printed, browser):
    sign_in(browser, printed.generated_password)
    browser.post(routes.AUTH_CHOOSE_PASSWORD, data={"new": OWN_PASSWORD, "confirm": OWN_PASSWORD})

    with Session(engine) as session:
        admin = session.exec(select(User)).one()
        assert (admin.password_change_required, admin.password_expires_at) == (False, None)
        assert users.ensure_first_admin(session=session, email="admin@example.com") is None
    assert sign_in(browser, OWN_PASSWORD).headers["location"] == routes.ADMIN
