"""Notification benchmark: ticket created → push received, with one Huey consumer.

Issue 6: "with one consumer, prints ticket-created → push-received latency p50 and p95 over 200
tickets. Target: p95 ≤ 1 s."

One run:
1. sets up a temporary data dir and database through the `tickit` CLI (SQLite and Huey's SQLite
   queue, the embedded default; or with --pg a scratch PostgreSQL database and a redis-server of
   the bench's own on a free port), with project HH, agents subscribed to push and an API client;
   `tickit vapid generate` makes the key pair;
2. starts a local push service (tests/push_receiver.py) that verifies each request's VAPID JWT
   against that public key and decrypts the payload with the subscription's own private key, the
   integration API as a uvicorn process, and one consumer with exactly the command `tickit serve`
   runs (`tickit.cli.serve.consumer_command`, one worker thread unless --workers);
3. files the tickets one after another over the API, one every --interval seconds; each latency
   runs from just before the POST is sent until the push service has decrypted that ticket's push
   (every agent's: the slowest counts), so it includes the API's own time, the after-commit
   hand-off, the fan-out task and the push task;
4. checks that every push arrived exactly once and every outbox row was delivered, and prints one
   line: p50, p95 and max against the target. Everything is removed afterwards.

Run from the repository root: `.venv/bin/python bench/notify.py` (`--help` for the options).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import psycopg  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from bench.intake import _tickit  # noqa: E402  (the CLI in a child process, as every bench sets up)
from tests.push_receiver import PushService  # noqa: E402
from tickit.cli.serve import consumer_command  # noqa: E402

PROJECT_KEY = "HH"
TARGET_P95_SECONDS = 1.0
BUG = {"type": "bug", "title": "Checkout button does nothing", "fields": {"severity": "major"}}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=200, help="tickets to file (default 200)")
    parser.add_argument("--interval", type=float, default=0.25, help="seconds between tickets (default 0.25)")
    parser.add_argument("--agents", type=int, default=1, help="subscribed agents of the project (default 1)")
    parser.add_argument("--workers", type=int, default=1, help="worker threads of the one consumer (default 1)")
    parser.add_argument(
        "--max-poll",
        type=float,
        default=None,
        help="override the consumer's --max-delay (seconds an idle worker may wait between polls of "
        "the SQLite queue; Huey's own default is 10)",
    )
    parser.add_argument("--pg", action="store_true", help="PostgreSQL and a private Redis instead of SQLite")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432", help="PostgreSQL server")
    return parser.parse_args(argv)


@dataclass
class Setup:
    env: dict[str, str]
    token: str
    public_key: str
    data_dir: Path
    database_url: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait(condition, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"gave up waiting for {what}")
        time.sleep(0.05)


@contextmanager
def _redis_server(data_dir: Path) -> Iterator[str]:
    import redis

    port = _free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(data_dir)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    client = redis.Redis(host="127.0.0.1", port=port)

    def pings() -> bool:
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False

    try:
        _wait(pings, "redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def setup(args: argparse.Namespace) -> Iterator[Setup]:
    """A data dir and database set up through the CLI, agents and an API client; removed after."""
    data_dir = Path(tempfile.mkdtemp(prefix="tickit-bench-notify-"))
    database = f"tickit_bench_{secrets.token_hex(4)}"
    env = {
        **{k: v for k, v in os.environ.items() if k != "REDIS_URL" and not k.startswith("SMTP_")},
        "TICKIT_DATA_DIR": str(data_dir),
        "TICKIT_API_RATE_LIMIT": str(10**9),
        "TICKIT_PUSH_ALLOWED_HOSTS": "127.0.0.1",  # the local push service is plain http on loopback
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    try:
        with contextmanager_or_none(args.pg, data_dir) as redis_url:
            if args.pg:
                with psycopg.connect(f"{args.pg_url}/postgres", autocommit=True) as admin:
                    admin.execute(f'CREATE DATABASE "{database}"')
                env["DATABASE_URL"] = f"{args.pg_url}/{database}"
                env["REDIS_URL"] = redis_url
            _tickit(env, "db", "upgrade")
            public_key = _tickit(env, "vapid", "generate").split()[-1]
            _tickit(
                env, "project", "create", "--key", PROJECT_KEY, "--name", "Bench", "--template", "software-feedback"
            )
            for n in range(1, args.agents + 1):
                _tickit(env, "user", "create", "--email", f"agent{n}@example.com", "--name", f"Agent {n}",
                        "--role", "agent", "--password", "bench-password-1")  # fmt: skip
                _tickit(env, "project", "member", "add", PROJECT_KEY, f"agent{n}@example.com", "--role", "agent")
            token = _tickit(env, "api-client", "create", "--project", PROJECT_KEY, "--name", "bench").split()[-1]
            database_url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'tickit.db'}"
            yield Setup(env, token, public_key, data_dir, database_url)
    finally:
        if args.pg:
            with psycopg.connect(f"{args.pg_url}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        shutil.rmtree(data_dir, ignore_errors=True)


@contextmanager
def contextmanager_or_none(wanted: bool, data_dir: Path) -> Iterator[str | None]:
    if not wanted:
        yield None
        return
    with _redis_server(data_dir) as url:
        yield url


def _engine(database_url: str):
    url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    return create_engine(url)


def subscribe_agents(setup_: Setup, service: PushService) -> None:
    engine = _engine(setup_.database_url)
    with engine.begin() as conn:
        agent_ids = conn.execute(text("SELECT id FROM users WHERE role = 'agent' ORDER BY id")).scalars().all()
        for user_id in agent_ids:
            browser = service.subscribe()
            conn.execute(
                text(
                    "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, vapid_public_key, created_at) "
                    "VALUES (:u, :e, :p, :a, :k, CURRENT_TIMESTAMP)"
                ),
                {"u": user_id, "e": browser.endpoint, "p": browser.p256dh, "a": browser.auth, "k": setup_.public_key},
            )
    engine.dispose()


def undelivered_rows(setup_: Setup) -> int:
    engine = _engine(setup_.database_url)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM notification_outbox WHERE delivered_at IS NULL")).scalar_one()
    engine.dispose()
    return count


@contextmanager
def process(command: list[str], env: dict[str, str], log_path: Path) -> Iterator[subprocess.Popen]:
    with log_path.open("wb") as log:
        child = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield child
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()


def post_ticket(base: str, token: str, key: str) -> int:
    request = urllib.request.Request(
        f"{base}/integrations/v1/tickets",
        data=json.dumps(BUG).encode(),
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key, "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        if response.status != 201:
            raise RuntimeError(f"POST answered {response.status}")
        return int(json.loads(response.read())["number"].split("-")[1])


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    command = consumer_command(args.workers)
    if args.max_poll is not None:
        command[command.index("--max-delay") + 1] = str(args.max_poll)
    with setup(args) as s, PushService(s.public_key) as service:
        subscribe_agents(s, service)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        api = [sys.executable, "-m", "uvicorn", "--factory", "tickit.api:create_app", "--host", "127.0.0.1",
               "--port", str(port), "--log-level", "warning"]  # fmt: skip
        with (
            process(api, s.env, s.data_dir / "api.log"),
            process(command, s.env, s.data_dir / "consumer.log") as consumer,
        ):

            def answers() -> bool:
                try:
                    with urllib.request.urlopen(f"{base}/integrations/v1/openapi.json", timeout=2):
                        return True
                except (urllib.error.URLError, OSError):
                    return False

            _wait(answers, "the API", timeout=120)
            sent: dict[int, float] = {}
            api_seconds: list[float] = []
            started = time.monotonic()
            for i in range(args.tickets):
                due = started + i * args.interval
                time.sleep(max(0.0, due - time.monotonic()))
                t0 = time.time()
                number = post_ticket(base, s.token, f"bench-{i}")
                api_seconds.append(time.time() - t0)
                sent[number] = t0
            expected = args.tickets * args.agents
            try:
                service.wait_for(expected, timeout=60)
                _wait(lambda: undelivered_rows(s) == 0, "every outbox row to be delivered", timeout=60)
            except (AssertionError, RuntimeError) as exc:
                print((s.data_dir / "consumer.log").read_text(errors="replace")[-3000:], file=sys.stderr)
                print(f"bench: {exc}", file=sys.stderr)
                return 1
            if consumer.poll() is not None:
                print("bench: the consumer exited", file=sys.stderr)
                return 1
    arrivals: dict[int, list[float]] = {}
    for received in service.received:
        arrivals.setdefault(int(received.payload["tag"].rsplit("-", 1)[1]), []).append(received.at)
    problems = [f"HH-{n}: {len(arrivals.get(n, []))} pushes" for n in sent if len(arrivals.get(n, [])) != args.agents]
    if service.errors or problems:
        print(f"bench: push service errors {service.errors[:3]}, wrong counts {problems[:5]}", file=sys.stderr)
        return 1
    latencies = [max(arrivals[n]) - t0 for n, t0 in sent.items()]
    p50, p95 = statistics.median(latencies), percentile(latencies, 0.95)
    backend = "PostgreSQL + Redis" if args.pg else "SQLite + Huey's SQLite queue"
    poll = command[command.index("--max-delay") + 1]
    verdict = "met" if p95 <= TARGET_P95_SECONDS else "NOT met"
    print(
        f"ticket created → push received, {args.tickets} tickets every {args.interval:g} s to {args.agents} "
        f"agent(s), one consumer ({args.workers} thread, max poll {poll} s), {backend}: "
        f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms "
        f"(API answer p50 {statistics.median(api_seconds) * 1000:.0f} ms); target p95 ≤ 1 s: {verdict}"
    )
    return 0 if p95 <= TARGET_P95_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
