"""A large upload stalls no other request: its file is copied and hashed before the short transaction recording it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, func, select

from tests.api.conftest import fresh_settings  # noqa: F401  (a fixture)
from tests.factories import add_member, file_ticket, make_project, make_user
from tickit.api import attachments as attachment_routes
from tickit.api import create_app
from tickit.models import Attachment
from tickit.services import attachments, auth

CSRF = {"X-Requested-With": "TickIt", "Origin": "http://localhost:3000"}  # the same-origin check on uploads


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def http(engine, monkeypatch, fresh_settings, data_dir) -> Iterator[TestClient]:  # noqa: F811
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("TICKIT_DATA_DIR", str(data_dir))
    monkeypatch.setenv("TICKIT_UPLOAD_LIMIT_MB", "1")
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def client_on_ticket(engine, http) -> tuple[dict[str, str], str]:
    """A client's session headers and a ticket of theirs, committed for the app to see."""
    with Session(engine, expire_on_commit=False) as session:
        hh = make_project(session, "HH")
        client = make_user(session, "client")
        add_member(session, hh.id, client, "client")
        number = file_ticket(session, client)
        headers = {"Cookie": f"{auth.SESSION_COOKIE}={auth.start_session(session=session, user_id=client.id)}"}
        session.commit()
    return headers, number


def another_writer_gets_through(engine) -> bool:
    """Whether another request could write to the ticket right now, without waiting."""
    if engine.dialect.name == "sqlite":
        probe = sqlite3.connect(engine.url.database, timeout=0)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:  # database is locked
            return False
        finally:
            probe.close()
    with engine.connect() as conn:
        try:
            conn.execute(text("SET LOCAL lock_timeout = '1ms'"))
            conn.execute(text("SELECT id FROM tickets FOR UPDATE NOWAIT")).all()
            return True
        except OperationalError:  # the upload holds the ticket's row
            return False
        finally:
            conn.rollback()


def test_another_writer_is_never_held_up_while_files_are_copied(http, engine, client_on_ticket, monkeypatch):
    headers, number = client_on_ticket
    copy = attachment_routes._chunks
    seen_while_copying: list[bool] = []

    def watched_copy(file):
        for chunk in copy(file):
            seen_while_copying.append(another_writer_gets_through(engine))
            yield chunk

    monkeypatch.setattr(attachment_routes, "_chunks", watched_copy)
    big = b"x" * (600 * 1024)
    response = http.post(
        "/attachments/upload",
        params={"ticket": number},
        files=[("files", ("one.bin", big, "application/octet-stream")), ("files", ("two.bin", big, "text/plain"))],
        headers={**headers, **CSRF},
    )
    assert response.status_code == 201, response.text
    assert seen_while_copying and all(seen_while_copying)


def test_a_refused_recording_leaves_none_of_the_copied_files(http, engine, client_on_ticket, data_dir, monkeypatch):
    headers, number = client_on_ticket
    recorded = attachments.store_upload

    def second_one_fails(**kwargs):
        if kwargs["filename"] == "two.bin":
            raise RuntimeError("the database went away")
        return recorded(**kwargs)

    monkeypatch.setattr(attachments, "store_upload", second_one_fails)
    response = http.post(
        "/attachments/upload",
        params={"ticket": number},
        files=[("files", ("one.bin", b"1" * 1000, "text/plain")), ("files", ("two.bin", b"2" * 1000, "text/plain"))],
        headers={**headers, **CSRF},
    )
    assert response.status_code == 500
    root = data_dir / "attachments"
    assert not root.exists() or [p for p in root.rglob("*") if p.is_file()] == []
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Attachment)).one() == 0
