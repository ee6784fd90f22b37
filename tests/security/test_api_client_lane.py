"""Issue 13, point 7: an integration API client stays in its project's lane.

It names as reporter only a new address or a client of its own project, reads back only the tickets
it filed (unless an admin let it read them all), and is refused before TickIt receives its body.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from tests.factories import add_member, make_api_client, make_project, make_user
from tests.state.events import run_handler
from tickit import config, db
from tickit.api import create_app
from tickit.models import ApiClient, ProjectMember, Ticket, User
from tickit.services import intake

API = "/integrations/v1"
TICKET = {"type": "bug", "title": "Checkout button does nothing", "fields": {"severity": "major"}}
TICKIT = str(Path(sys.executable).with_name("tickit"))


@pytest.fixture
def world(engine) -> dict:
    """HH with a client and an agent, OP with a client; two API clients of HH (one may read all), one of OP."""
    with Session(engine, expire_on_commit=False) as session:
        hh, op = make_project(session, "HH"), make_project(session, "OP")
        clara = make_user(session, "client", email="clara@example.com")
        add_member(session, hh.id, clara, "client")
        agnes = make_user(session, "agent", email="agnes@example.com")
        add_member(session, hh.id, agnes, "agent")
        otto = make_user(session, "client", email="otto@example.com")
        add_member(session, op.id, otto, "client")
        found = {
            "hh": hh.id,
            "otto": otto.id,
            "shop": make_api_client(session, "HH", "Shop").token,
            "crm": make_api_client(session, "HH", "CRM").token,
            "desk": make_api_client(session, "OP", "Desk").token,
        }
        crm = session.exec(select(ApiClient).where(ApiClient.name == "CRM")).one()
        crm.may_read_all = True
        session.add(crm)
        found["reader"] = make_api_client(session, "HH", "Reporting").token
        session.commit()
    return found


@pytest.fixture
def http(engine, monkeypatch) -> Iterator[TestClient]:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        yield client
    db.dispose_engine()
    config.get_settings.cache_clear()


def file(http, token: str, key: str, **extra) -> object:
    return http.post(
        f"{API}/tickets",
        content=json.dumps({**TICKET, **extra}),
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
    )


def read(http, token: str, number: str) -> object:
    return http.get(f"{API}/tickets/{number}", headers={"Authorization": f"Bearer {token}"})


def ticket_count(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Ticket)).one()


@pytest.mark.parametrize("address", ["agnes@example.com", "otto@example.com"], ids=["staff", "other-project-client"])
def test_an_api_client_cannot_name_staff_or_another_projects_client_as_reporter(http, world, engine, address):
    response = file(http, world["shop"], "k1", reporter={"email": address, "name": "Someone"})

    assert response.status_code == 422, response.text
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert errors == {"reporter.email": intake.REPORTER_OUT_OF_LANE}
    assert ticket_count(engine) == 0
    with Session(engine) as session:
        otto_in_hh = session.get(ProjectMember, (world["hh"], world["otto"]))
    assert otto_in_hh is None


def test_an_api_client_names_a_client_of_its_project_or_a_new_address(http, world, engine):
    known = file(http, world["shop"], "k1", reporter={"email": "clara@example.com"})
    new = file(http, world["shop"], "k2", reporter={"email": "newcomer@example.com", "name": "New Comer"})

    assert (known.status_code, new.status_code) == (201, 201), (known.text, new.text)
    assert known.json()["reporter"]["email"] == "clara@example.com"
    with Session(engine) as session:
        newcomer = session.exec(select(User).where(User.email == "newcomer@example.com")).one()
        assert newcomer.role == "client"
        assert session.get(ProjectMember, (world["hh"], newcomer.id)) is not None


def test_an_api_client_reads_only_the_tickets_it_filed(http, world):
    assert file(http, world["shop"], "k1").status_code == 201

    assert read(http, world["shop"], "HH-1").status_code == 200
    refused = read(http, world["reader"], "HH-1")
    assert refused.status_code == 404
    assert refused.json()["detail"] == read(http, world["reader"], "HH-99").json()["detail"].replace("99", "1")


def test_a_client_that_may_read_all_reads_every_ticket_of_its_project_only(http, world):
    assert file(http, world["shop"], "k1").status_code == 201
    assert file(http, world["desk"], "k1").status_code == 201

    assert read(http, world["crm"], "HH-1").status_code == 200
    assert read(http, world["crm"], "OP-1").status_code == 404


def test_a_bad_token_is_refused_before_the_body_is_received(http, world):
    # Driven at the ASGI level, to see whether the app ever asks for the body.
    app = http.app
    asked_for_body: list[bool] = []
    sent: list[dict] = []

    async def receive() -> dict:
        asked_for_body.append(True)
        return {"type": "http.request", "body": json.dumps(TICKET).encode(), "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "server": ("testserver", 80),
        "client": ("203.0.113.9", 4000),
        "root_path": "",
        "path": f"{API}/tickets",
        "raw_path": f"{API}/tickets".encode(),
        "query_string": b"",
        "headers": [
            (b"authorization", b"Bearer tk_not-a-token-of-ours"),
            (b"idempotency-key", b"k1"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(json.dumps(TICKET))).encode()),
        ],
    }
    run_handler(app(scope, receive, send))

    assert sent[0]["status"] == 401
    assert asked_for_body == []


def test_the_cli_creates_a_client_that_may_read_all_tickets(tmp_path):
    env = {**os.environ, "TICKIT_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}

    def tickit(*args: str) -> str:
        done = subprocess.run([TICKIT, *args], env=env, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    tickit("db", "upgrade")
    tickit("project", "create", "--key=HH", "--name=Help Hub", "--template=software-feedback")
    tickit("api-client", "create", "--project", "HH", "--name", "CRM", "--read-all")
    tickit("api-client", "create", "--project", "HH", "--name", "Shop")

    listing = tickit("api-client", "list", "--project", "HH")
    assert {line.split("\t")[1]: line.split("\t")[4] for line in listing.splitlines()} == {
        "CRM": "reads all tickets",
        "Shop": "reads its own tickets",
    }
