"""`tickit serve`: migrate, create the first admin on first start, run the web workers and a Huey consumer."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

from tickit import migrations
from tickit.config import ConfigError, Settings, get_settings
from tickit.db import get_engine, session_scope
from tickit.migrations import ROOT
from tickit.services import users, vapid

CONSUMER_MAX_POLL_SECONDS = 0.25
DEFAULT_CONSUMER_THREADS = 2
NODE_BIN = ROOT / ".tools" / "node" / "node_modules" / ".bin"  # Node 22, installed by scripts/start


@dataclass(frozen=True)
class Child:
    """One process that `tickit serve` or `tickit worker` starts and watches."""

    command: list[str]
    env: dict[str, str]


def positive_int(raw: str) -> int:
    """An argparse type for counts: a whole number of at least one."""
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {raw!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def register(subparsers) -> None:
    serve = subparsers.add_parser("serve", help="migrate, then run the web app, the API and a background worker")
    serve.add_argument(
        "--web-workers",
        type=positive_int,
        metavar="N",
        help="web processes (pages, UI events, API); default one per core with REDIS_URL, else 1",
    )
    serve.add_argument(
        "--no-worker", action="store_true", help="run only the web processes; run `tickit worker` elsewhere"
    )
    add_thread_count(serve, "--worker-threads")
    serve.set_defaults(handler=_serve)


def add_thread_count(parser: argparse.ArgumentParser, flag: str) -> None:
    """The background worker's thread count, offered by `serve` and `worker` alike."""
    parser.add_argument(
        flag,
        type=positive_int,
        default=DEFAULT_CONSUMER_THREADS,
        metavar="N",
        help=f"threads of the background worker (default {DEFAULT_CONSUMER_THREADS})",
    )


def frontend_env() -> dict[str, str]:
    """The environment Reflex needs here: Node 22 first on PATH, npm for packages (bun's installer downloads)."""
    env = dict(os.environ)
    if NODE_BIN.exists():
        env["PATH"] = os.pathsep.join([str(NODE_BIN), env.get("PATH", "")])
    env.setdefault("REFLEX_USE_NPM", "1")
    env.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    return env


def child_env(settings: Settings) -> dict[str, str]:
    """The children run in the checkout, so a relative data directory is passed on resolved."""
    return {**frontend_env(), "TICKIT_DATA_DIR": str(settings.data_dir)}


def consumer_command(workers: int) -> list[str]:
    """The Huey consumer `tickit serve` and `tickit worker` run (bench/notify.py measures this very command).

    On Huey's SQLite queue an idle worker polls, and by default its pause grows to 10 s, which
    would be a push's delay after a quiet spell; capped at a quarter second, a poll costs a
    fraction of a millisecond. On Redis the workers block on the queue and these do not matter.
    """
    return [
        sys.executable, "-m", "huey.bin.huey_consumer", "tickit.tasks.huey",
        "-k", "thread", "-w", str(workers), "--delay", "0.05", "--max-delay", str(CONSUMER_MAX_POLL_SECONDS),
    ]  # fmt: skip


def web_command(port: int) -> list[str]:
    """Reflex in production on one port: the built pages, the UI's websocket and the API."""
    return [sys.executable, "-m", "reflex", "run", "--env", "prod", "--single-port", "--backend-port", str(port)]


def web_worker_count(requested: int | None, *, redis_url: str | None) -> int:
    """How many web processes to run: one per core with Redis, else one; more than one needs Redis."""
    if requested is None:
        return (os.cpu_count() or 1) if redis_url else 1
    if requested > 1 and not redis_url:
        raise ConfigError(
            f"--web-workers {requested} needs REDIS_URL: without Redis each web process keeps its own "
            "UI state, and a tab whose events reach another process would lose it"
        )
    return requested


def web_child(settings: Settings, workers: int) -> Child:
    """The web processes: Granian forks `workers` of them, which keep UI state in Reflex's Redis."""
    # Pinned to Granian: with gunicorn installed, Reflex would switch to it and read the count as threads.
    env = {**child_env(settings), "REFLEX_USE_GRANIAN": "true", "GRANIAN_WORKERS": str(workers)}
    return Child(command=web_command(settings.port), env=env)


def consumer_child(settings: Settings, threads: int) -> Child:
    """One Huey consumer with `threads` worker threads."""
    return Child(command=consumer_command(threads), env=child_env(settings))


def serve_children(settings: Settings, *, web_workers: int, worker_threads: int, with_worker: bool) -> list[Child]:
    """What `tickit serve` starts: the web processes and, unless told otherwise, a consumer."""
    web = web_child(settings, web_workers)
    return [consumer_child(settings, worker_threads), web] if with_worker else [web]


def announce_first_admin() -> None:
    settings = get_settings()
    with session_scope() as session:
        created = users.ensure_first_admin(session=session, email=settings.first_admin_email)
    if created is None:
        return
    banner = "=" * 64
    print(
        f"\n{banner}\n TickIt is set up. Sign in as the first admin:\n"
        f"   URL:      {settings.app_url}/login\n"
        f"   Email:    {created.user.email}\n"
        f"   Password: {created.generated_password}\n"
        f" It works for {users.FIRST_PASSWORD_LIFETIME.total_seconds() / 3600:.0f} hours, and only to choose your own\n"
        f" password at the first sign-in.\n{banner}\n",
        flush=True,
    )


def _serve(args) -> int:
    settings = get_settings()
    # Decided first: a refused --web-workers must not leave a migrated database behind it.
    web_workers = web_worker_count(args.web_workers, redis_url=settings.redis_url)
    migrations.upgrade(get_engine())
    announce_first_admin()
    # Before any worker starts: the app and the consumer would otherwise race to make the pair.
    vapid.ensure()
    children = serve_children(
        settings, web_workers=web_workers, worker_threads=args.worker_threads, with_worker=not args.no_worker
    )
    print(f"TickIt is starting at {settings.app_url} with {web_workers} web worker(s) (Ctrl+C stops it)", flush=True)
    return supervise(children)


def supervise(children: list[Child]) -> int:
    """Start the children and run until one exits or we are told to stop; then stop the others."""
    stopping = False

    def _stop(_signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    processes = [subprocess.Popen(child.command, cwd=ROOT, env=child.env) for child in children]
    exit_code = 0
    while not stopping:
        for process in processes:
            if process.poll() is not None:
                exit_code = process.returncode
                stopping = True
        time.sleep(0.5)
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    return exit_code
