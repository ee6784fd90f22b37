"""A ticket_created event fans out to the project's agents, once, whatever the ticket's source."""

from __future__ import annotations

import email
from email import policy

import pytest
from sqlmodel import Session, select

from tests.factories import add_member, file_ticket, make_api_client, make_project, make_user
from tickit.config import get_settings
from tickit.models import OutboxMessage
from tickit.services import intake, outbox, users
from tickit.services.actors import SYSTEM


@pytest.fixture
def mail_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("TICKIT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SMTP_HOST", raising=False)
    get_settings.cache_clear()
    yield tmp_path / "mail"
    get_settings.cache_clear()


@pytest.fixture
def project_with_people(engine):
    """HH with two agents (one deactivated later), a client, and an admin who is not a member."""
    with Session(engine, expire_on_commit=False) as session:
        project = make_project(session, "HH")
        people = {role: make_user(session, role.split("_")[0]) for role in ("agent", "agent_away", "client", "admin")}
        for role in ("agent", "agent_away"):
            add_member(session, project.id, people[role], "agent")
        add_member(session, project.id, people["client"], "client")
        users.set_active(session=session, actor=SYSTEM, user_id=people["agent_away"].id, active=False)
        session.commit()
    return people


def rows(engine, **where) -> list[OutboxMessage]:
    with Session(engine) as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        for name, value in where.items():
            query = query.where(getattr(OutboxMessage, name) == value)
        return list(session.exec(query).all())


def test_a_web_ticket_mails_each_active_agent_of_the_project_once(engine, project_with_people, mail_dir):
    with Session(engine, expire_on_commit=False) as session:
        file_ticket(session, project_with_people["client"], title="Export fails")
        session.commit()
    [event] = rows(engine, channel="event")

    assert outbox.deliver(event.id, engine=engine) == "delivered"
    assert outbox.deliver(event.id, engine=engine) == "already-delivered"

    [message] = rows(engine, channel="mail")
    assert message.recipient_user_id == project_with_people["agent"].id
    assert outbox.deliver(message.id, engine=engine) == "delivered"
    [written] = list(mail_dir.glob("*.eml"))
    mail = email.message_from_bytes(written.read_bytes(), policy=policy.default)
    assert mail["Subject"] == "[HH-1] Export fails"
    assert mail["To"] == project_with_people["agent"].email
    assert "/tickets/HH-1" in mail.get_body(("plain",)).get_content()


def test_an_api_ticket_raises_the_same_event(engine, project_with_people, mail_dir):
    with Session(engine, expire_on_commit=False) as session:
        client = make_api_client(session).client
        intake.create_or_replay(
            session=session,
            client=client,
            idempotency_key="k",
            body={"type": "question", "title": "How do I export?", "fields": {"topic": "how_to"}},
        )
        session.commit()
    [event] = rows(engine, channel="event")
    assert (event.event, event.payload) == ("ticket_created", {"title": "How do I export?"})
    outbox.deliver(event.id, engine=engine)
    [message] = rows(engine, channel="mail")
    assert message.recipient_user_id == project_with_people["agent"].id
    assert (message.payload["number"], message.payload["title"]) == ("HH-1", "How do I export?")
