"""The survey page over HTTP: a prefetched link votes nothing, only the form's submit records."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from tests.factories import add_member, file_ticket, make_project, make_user
from tickit.api import create_app
from tickit.models import OutboxMessage, SatisfactionRating, utcnow
from tickit.services import survey, workflow

ORIGIN = {"Origin": "http://localhost:3000"}


@pytest.fixture
def token(engine) -> str:
    with Session(engine, expire_on_commit=False) as session:
        project = make_project(session, "CS", template="customer-support")
        agent, client = make_user(session, "agent"), make_user(session, "client")
        add_member(session, project.id, agent, "agent")
        add_member(session, project.id, client, "client")
        file_ticket(session, client, "CS", "Where is my order?", type_key="question")
        workflow.move(session=session, actor=agent, number="CS-1", to_status="solved")
        survey.send_due(session=session, now=utcnow() + timedelta(hours=2))
        message = session.exec(select(OutboxMessage).where(OutboxMessage.event == survey.SURVEY_EVENT)).one()
        session.commit()
    return message.payload["good_url"].split("/survey/")[1].split("?")[0]


@pytest.fixture
def http(engine, monkeypatch, fresh_settings) -> Iterator[TestClient]:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        yield client


def _rating(engine) -> str | None:
    with Session(engine) as session:
        return session.exec(select(SatisfactionRating)).one().rating


def test_opening_the_link_shows_the_choice_preselected_and_records_nothing(http, token, engine):
    page = http.get(f"/survey/{token}?rating=bad")
    assert page.status_code == 200 and "How did we do?" in page.text
    assert 'value="bad" checked' in page.text and 'value="good" checked' not in page.text
    assert page.headers["cache-control"] == "no-store"
    assert _rating(engine) is None


def test_submitting_the_form_records_the_answer_and_another_site_cannot(http, token, engine):
    forged = http.post(f"/survey/{token}", data={"rating": "bad"}, headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403 and _rating(engine) is None

    sent = http.post(f"/survey/{token}", data={"rating": "good", "comment": "Thanks!"}, headers=ORIGIN)
    assert sent.status_code == 200 and "Thank you" in sent.text
    assert _rating(engine) == "good"


def test_an_unknown_link_says_it_expired(http, token):
    page = http.get("/survey/nope?rating=good")
    assert page.status_code == 404 and "expired" in page.text
