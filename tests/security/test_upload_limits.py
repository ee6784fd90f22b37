"""Uploads cannot fill the disk: quotas per person and per ticket and an hourly rate, refused with a clear message."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from tests.api.conftest import fresh_settings  # noqa: F401  (a fixture)
from tests.factories import add_member, file_ticket, make_project, make_user
from tickit.api import create_app
from tickit.models import Attachment
from tickit.services import auth

KIB = 1024
PIECE = 700 * KIB  # under the 1 MiB per-file limit; three of them pass a 2 MiB quota
CSRF = {"X-Requested-With": "TickIt", "Origin": "http://localhost:3000"}  # the same-origin check on uploads


@dataclass
class Desk:
    number: str  # HH-1, filed by the client
    second_number: str  # HH-2, also the client's
    client: dict[str, str]  # request headers carrying each one's session cookie
    agent: dict[str, str]


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def limits(monkeypatch) -> dict[str, str]:
    """Small limits, set before the app reads its settings; a test may change them first."""
    values = {
        "TICKIT_UPLOAD_LIMIT_MB": "1",
        "TICKIT_UPLOAD_QUOTA_USER_MB": "3",
        "TICKIT_UPLOAD_QUOTA_TICKET_MB": "2",
        "TICKIT_UPLOAD_RATE_PER_HOUR": "100",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.fixture
def http(engine, monkeypatch, fresh_settings, data_dir, limits) -> Iterator[TestClient]:  # noqa: F811
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("TICKIT_DATA_DIR", str(data_dir))
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def desk(engine, http) -> Desk:
    with Session(engine, expire_on_commit=False) as session:
        hh = make_project(session, "HH")
        client, agent = make_user(session, "client"), make_user(session, "agent")
        add_member(session, hh.id, client, "client")
        add_member(session, hh.id, agent, "agent")
        desk = Desk(
            number=file_ticket(session, client),
            second_number=file_ticket(session, client),
            client=_signed_in(session, client.id),
            agent=_signed_in(session, agent.id),
        )
        session.commit()
    return desk


def _signed_in(session: Session, user_id: int) -> dict[str, str]:
    return {"Cookie": f"{auth.SESSION_COOKIE}={auth.start_session(session=session, user_id=user_id)}"}


def upload(http, who: dict[str, str], number: str, *sizes: int):
    parts = [("files", (f"part{i}.bin", b"x" * size, "application/octet-stream")) for i, size in enumerate(sizes)]
    return http.post("/attachments/upload", params={"ticket": number}, files=parts, headers={**who, **CSRF})


def stored_files(data_dir: Path) -> list[Path]:
    root = data_dir / "attachments"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def attachment_count(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Attachment)).one()


def test_a_ticket_full_to_its_quota_refuses_the_next_file_with_what_is_left(http, desk, engine, data_dir):
    assert upload(http, desk.client, desk.number, PIECE, PIECE).status_code == 201
    refused = upload(http, desk.agent, desk.number, PIECE)
    assert refused.status_code == 413
    assert refused.json()["detail"] == (
        "part0.bin (700 KiB) does not fit: a ticket's files may take at most 2 MiB in all, "
        "and this one has 648 KiB left."
    )
    assert attachment_count(engine) == 2 and len(stored_files(data_dir)) == 2
    assert upload(http, desk.agent, desk.number, 600 * KIB).status_code == 201  # what is left still fits


def test_a_person_full_to_their_quota_is_refused_on_every_ticket(http, desk, engine, data_dir):
    assert upload(http, desk.client, desk.number, PIECE, PIECE).status_code == 201
    assert upload(http, desk.client, desk.second_number, PIECE, PIECE).status_code == 201
    refused = upload(http, desk.client, desk.second_number, PIECE)
    assert refused.status_code == 413
    assert refused.json()["detail"].startswith(
        "part0.bin (700 KiB) does not fit: your files may take at most 3 MiB in all, and you have 272 KiB left."
    )
    assert attachment_count(engine) == 4 and len(stored_files(data_dir)) == 4
    # The quota is the person's: the agent still attaches to the same ticket.
    assert upload(http, desk.agent, desk.second_number, 100 * KIB).status_code == 201


def test_a_batch_that_would_pass_a_quota_stores_none_of_its_files(http, desk, engine, data_dir):
    refused = upload(http, desk.client, desk.number, PIECE, PIECE, PIECE)
    assert refused.status_code == 413 and "2 MiB" in refused.json()["detail"]
    assert attachment_count(engine) == 0 and stored_files(data_dir) == []


def test_a_removed_file_still_counts_until_it_is_purged(http, desk, engine):
    first, _second = upload(http, desk.client, desk.number, PIECE, PIECE).json()
    with Session(engine) as session:
        row = session.get(Attachment, first["id"])
        row.removed_at = row.created_at
        session.add(row)
        session.commit()
    assert upload(http, desk.client, desk.number, PIECE).status_code == 413


def test_a_used_up_quota_is_refused_before_the_body_is_read(http, desk, engine, data_dir):
    assert upload(http, desk.client, desk.number, 1024 * KIB, 1024 * KIB).status_code == 201
    boundary = "tickitboundary"
    sent = []

    def body():
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="more.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        for _ in range(8):
            sent.append(1)
            yield b"x" * 65536
        yield f"\r\n--{boundary}--\r\n".encode()

    refused = http.post(
        "/attachments/upload",
        params={"ticket": desk.number},
        content=body(),
        headers={**desk.client, **CSRF, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert refused.status_code == 413
    assert refused.json()["detail"] == "A ticket's files may take at most 2 MiB in all, and this one has no room left."
    assert attachment_count(engine) == 2 and len(stored_files(data_dir)) == 2


def test_more_files_an_hour_than_allowed_are_refused_with_retry_after(limits, http, desk, engine, monkeypatch):
    monkeypatch.setenv("TICKIT_UPLOAD_RATE_PER_HOUR", "3")
    from tickit import config

    config.get_settings.cache_clear()
    assert upload(http, desk.client, desk.number, 10, 10).status_code == 201
    over = upload(http, desk.client, desk.second_number, 10, 10)
    assert over.status_code == 429
    assert over.json()["detail"].startswith("You may attach at most 3 files an hour; try again in ")
    assert 1 <= int(over.headers["retry-after"]) <= 3600
    assert attachment_count(engine) == 2
    assert upload(http, desk.client, desk.number, 10).status_code == 201  # the third file of the hour
    assert upload(http, desk.client, desk.number, 10).status_code == 429  # refused before its body
    assert upload(http, desk.agent, desk.number, 10).status_code == 201  # the rate is each person's
