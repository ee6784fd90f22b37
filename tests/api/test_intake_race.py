"""Fifty retries of one request at the same instant, served by two uvicorn worker processes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlmodel import Session, func, select

from tests.factories import make_api_client, make_project
from tickit.models import ActivityEntry, OutboxMessage, Ticket

API = "/integrations/v1"
WORKERS = 2
RETRIES = 50
START_SECONDS = 60
BODY = {"type": "bug", "title": "Payment page times out", "fields": {"severity": "blocker"}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def token(engine) -> str:
    with Session(engine) as session:
        make_project(session, "HH")
        created = make_api_client(session)
        session.commit()
    return created.token


@pytest.fixture
def api_origin(engine, tmp_path) -> Iterator[str]:
    """The API alone, as `uvicorn --factory tickit.api:create_app` serves it, in two worker processes."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "TICKIT_DATA_DIR": str(tmp_path),
        "TICKIT_API_RATE_LIMIT": "100000",
    }
    env.pop("REDIS_URL", None)
    log = tmp_path / "uvicorn.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "tickit.api:create_app",
             "--host", "127.0.0.1", "--port", str(port), "--workers", str(WORKERS), "--log-level", "warning"],
            env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    origin = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                if httpx.get(f"{origin}{API}/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield origin
    finally:
        server.terminate()
        server.wait(20)
    assert "database is locked" not in log.read_text()
    assert "Traceback" not in log.read_text(), log.read_text()


def send_together(origin: str, token: str, key: str) -> list[httpx.Response]:
    """Send RETRIES identical requests, each on its own connection, released at one instant."""
    barrier = threading.Barrier(RETRIES)
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key, "Content-Type": "application/json"}

    def one(_):
        with httpx.Client(base_url=origin, timeout=60) as client:
            client.get(f"{API}/ticket-types", headers=headers)  # connected and warmed before the start
            barrier.wait()
            return client.post(f"{API}/tickets", content=json.dumps(BODY), headers=headers)

    with ThreadPoolExecutor(RETRIES) as pool:
        return list(pool.map(one, range(RETRIES)))


def rows(engine, model, *where) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


def test_fifty_simultaneous_retries_make_exactly_one_ticket(engine, token, api_origin):
    responses = send_together(api_origin, token, "order-1009")

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * (RETRIES - 1) + [201], [r.text for r in responses if r.status_code >= 300]
    replays = [r for r in responses if r.status_code == 200]
    assert all(r.headers["idempotent-replayed"] == "true" for r in replays)
    assert len({r.content for r in responses}) == 1, "every answer carries the same bytes"
    assert len({r.json()["id"] for r in responses}) == 1

    assert rows(engine, Ticket) == 1
    assert rows(engine, ActivityEntry) == 1
    assert rows(engine, OutboxMessage) == 1
    # Losers rolled their number back with their savepoint: the next ticket has the next number.
    with httpx.Client(base_url=api_origin) as client:
        following = client.post(
            f"{API}/tickets",
            content=json.dumps(BODY),
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "order-1010"},
        )
    assert following.json()["number"] == "HH-2"
