"""Real peers for the delivery tests: an SMTP server, a Redis of the test's own, Huey consumer
processes and the integration API as a process, all on this test's database."""

from __future__ import annotations

import email
import os
import signal
import subprocess
import sys
from email import policy
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller

from tests.processes import free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]
APP_URL = "http://helpdesk.test"


def run_python(code: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """Run a snippet in a child process with the app's environment, as an app worker would."""
    result = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result


class Inbox:
    """An aiosmtpd handler that keeps what it accepts and refuses the addresses in `refused`."""

    def __init__(self):
        self.envelopes = []
        self.refused: set[str] = set()
        self.port = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self):
        return [email.message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    inbox.port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    yield inbox
    controller.stop()


@pytest.fixture
def worker_env(request, engine, smtp_server, tmp_path):
    """The environment of the app and the consumer: this test's database, data dir and SMTP
    server, and Huey on SQLite next to a SQLite database, on Redis next to PostgreSQL."""
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL" and not key.startswith("SMTP_")}
    env.update(
        TICKIT_DATA_DIR=str(tmp_path / "data"),
        DATABASE_URL=engine.url.render_as_string(hide_password=False),
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp_server.port),
        SMTP_SECURITY="none",
        APP_URL=APP_URL,
        PYTHONPATH=str(ROOT),
    )
    if engine.dialect.name == "postgresql":
        env["REDIS_URL"] = request.getfixturevalue("private_redis").url
    return env


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def start_consumer(worker_env, tmp_path):
    """Start real Huey consumer processes (one worker thread each); all are stopped afterwards.

    Their periodic relay is off (it also runs as a consumer starts), so a delivery comes from the
    after-commit hand-off or a task's own retry, or from a relay run the test starts itself.
    """
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        log_path = tmp_path / f"consumer-{len(started) + 1}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "huey.bin.huey_consumer",
                    "tickit.tasks.huey",
                    "-k",
                    "thread",
                    "-w",
                    "1",
                    "--delay",
                    "0.05",
                    "--max-delay",
                    "0.2",
                    "--no-periodic",
                ],
                cwd=ROOT,
                env=worker_env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        process.log_path = log_path
        started.append(process)
        return process

    yield start
    for process in started:
        _stop(process)


@pytest.fixture
def consumer(start_consumer):
    return start_consumer()


@pytest.fixture
def api_server(worker_env, tmp_path):
    """The integration API as its own uvicorn process; yields its base URL."""
    port = free_port()
    log_path = tmp_path / "api.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "tickit.api:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=worker_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    process.log_path = log_path
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        if process.poll() is not None:
            pytest.fail("the API process exited:\n" + log_path.read_text(errors="replace"))
        try:
            return httpx.get(f"{base}/integrations/v1/openapi.json", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(answers, what="the API to answer", log_of=process)
    yield base
    _stop(process)


@pytest.fixture
def settings_env(settings_env):
    """The shared scratch settings, with the app address the delivery tests' links use."""
    settings_env(APP_URL=APP_URL)
    return settings_env
