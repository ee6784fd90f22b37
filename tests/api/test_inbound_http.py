"""`POST /inbound/email/{mailbox}` as a relay posts mail, and "show original" as staff open it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from tests.factories import add_member, make_project, make_user
from tickit.api import create_app
from tickit.models import InboundMessage, Ticket, User
from tickit.services import auth, mailboxes
from tickit.services.actors import SYSTEM

FIXTURES = Path(__file__).parent.parent / "fixtures" / "mail"
RFC822 = {"Content-Type": "message/rfc822"}


def signed_in(session: Session, user_id: int) -> dict[str, str]:
    token = auth.start_session(session=session, user_id=user_id)
    return {"Cookie": f"{auth.session_cookie_name()}={token}"}


@pytest.fixture
def http(engine, monkeypatch, fresh_settings, tmp_path) -> Iterator[TestClient]:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("TICKIT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("APP_URL", "https://help.example.com")
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def secret(engine, http) -> str:
    with Session(engine) as session:
        make_project(session, "HH")
        created = mailboxes.add_mailbox(
            session=session, actor=SYSTEM, project_key="HH", key="support", address="support@help.example.com"
        )
        session.commit()
    return created.secret


def post(http: TestClient, raw: bytes, secret: str, mailbox: str = "support", headers=RFC822):
    return http.post(f"/inbound/email/{mailbox}", content=raw, headers={**headers, "Authorization": f"Bearer {secret}"})


def test_a_posted_mail_becomes_a_ticket_and_posting_it_again_makes_nothing(http, secret, engine):
    raw = (FIXTURES / "new_with_files.eml").read_bytes()

    first = post(http, raw, secret)
    again = post(http, raw, secret)

    assert first.status_code == 200
    assert first.json() | {"id": 0} == {
        "id": 0,
        "duplicate": False,
        "outcome": "new_ticket",
        "detail": "New ticket HH-1.",
        "ticket": "HH-1",
    }
    assert again.json()["duplicate"] is True and again.json()["id"] == first.json()["id"]
    with Session(engine) as session:
        assert len(session.exec(select(Ticket)).all()) == 1


@pytest.mark.parametrize(("mailbox", "wrong"), [("support", "not-the-secret"), ("nope", None)])
def test_a_wrong_secret_or_unknown_mailbox_is_401_and_stores_nothing(http, secret, engine, mailbox, wrong):
    answer = post(http, (FIXTURES / "no_message_id.eml").read_bytes(), wrong or secret, mailbox=mailbox)
    assert answer.status_code == 401 and answer.headers["WWW-Authenticate"] == "Bearer"
    with Session(engine) as session:
        assert session.exec(select(InboundMessage)).all() == []


def test_another_content_type_is_415_and_bytes_that_are_no_mail_are_422(http, secret):
    raw = (FIXTURES / "no_message_id.eml").read_bytes()
    assert post(http, raw, secret, headers={"Content-Type": "text/plain"}).status_code == 415
    assert post(http, b"no headers at all", secret).status_code == 422


def test_staff_who_work_the_ticket_see_the_original_mail_as_plain_text_and_the_requester_does_not(http, secret, engine):
    ticket_mail = post(http, (FIXTURES / "html_script.eml").read_bytes(), secret).json()
    with Session(engine) as session:
        agent = make_user(session, "agent")
        add_member(session, 1, agent, "agent")
        outsider = make_user(session, "agent")
        requester = session.exec(select(User).where(User.email == "mallory@example.net")).one()
        cookies = [signed_in(session, user_id) for user_id in (agent.id, outsider.id, requester.id)]
        session.commit()

    shown = http.get(f"/inbound/original/{ticket_mail['id']}", headers=cookies[0])
    assert shown.status_code == 200
    assert shown.headers["content-type"].startswith("text/plain")
    assert "sandbox" in shown.headers["content-security-policy"]
    assert "<script>document.location" in shown.text
    assert http.get(f"/inbound/original/{ticket_mail['id']}", headers=cookies[1]).status_code == 404
    assert http.get(f"/inbound/original/{ticket_mail['id']}", headers=cookies[2]).status_code == 404
    assert http.get(f"/inbound/original/{ticket_mail['id']}").status_code == 401


def test_a_disabled_mailbox_answers_try_later_and_stores_nothing(http, secret, engine):
    with Session(engine) as session:
        mailboxes.update_mailbox(
            session=session, actor=SYSTEM, project_key="HH", mailbox_key="support", changes={"enabled": False}
        )
        session.commit()

    answer = post(http, (FIXTURES / "no_message_id.eml").read_bytes(), secret)

    assert answer.status_code == 503 and answer.headers["Retry-After"] == "60"
    assert "disabled" in answer.json()["detail"]
    with Session(engine) as session:
        assert session.exec(select(InboundMessage)).all() == []
