"""`tickit serve`: migrate, create the first admin on first start, run the app and a Huey consumer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from tickit import migrations
from tickit.config import get_settings
from tickit.db import get_engine, session_scope
from tickit.migrations import ROOT
from tickit.services import users, vapid

CONSUMER_MAX_POLL_SECONDS = 0.25
NODE_BIN = ROOT / ".tools" / "node" / "node_modules" / ".bin"  # Node 22, installed by scripts/start


def register(subparsers) -> None:
    serve = subparsers.add_parser("serve", help="run TickIt (web app, API and background worker)")
    serve.add_argument("--workers", type=int, default=2, help="Huey worker threads (default 2)")
    serve.set_defaults(handler=_serve)


def frontend_env() -> dict[str, str]:
    """The environment Reflex needs here: Node 22 first on PATH, npm for packages (bun's installer downloads)."""
    env = dict(os.environ)
    if NODE_BIN.exists():
        env["PATH"] = os.pathsep.join([str(NODE_BIN), env.get("PATH", "")])
    env.setdefault("REFLEX_USE_NPM", "1")
    env.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    return env


def consumer_command(workers: int) -> list[str]:
    """The Huey consumer `tickit serve` runs (bench/notify.py measures this very command).

    On Huey's SQLite queue an idle worker polls, and by default its pause grows to 10 s, which
    would be a push's delay after a quiet spell; capped at a quarter second, a poll costs a
    fraction of a millisecond. On Redis the workers block on the queue and these do not matter.
    """
    return [
        sys.executable, "-m", "huey.bin.huey_consumer", "tickit.tasks.huey",
        "-k", "thread", "-w", str(workers), "--delay", "0.05", "--max-delay", str(CONSUMER_MAX_POLL_SECONDS),
    ]  # fmt: skip


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
        f" This password is shown only now; change it after signing in.\n{banner}\n",
        flush=True,
    )


def _serve(args) -> int:
    settings = get_settings()
    migrations.upgrade(get_engine())
    announce_first_admin()
    # Before any worker starts: the app and the consumer would otherwise race to make the pair.
    vapid.ensure()
    env = frontend_env()
    children = [
        subprocess.Popen(consumer_command(args.workers), cwd=ROOT, env=env),
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "reflex",
                "run",
                "--env",
                "prod",
                "--single-port",
                "--backend-port",
                str(settings.port),
            ],
            cwd=ROOT,
            env=env,
        ),
    ]
    print(f"TickIt is starting at {settings.app_url} (Ctrl+C stops it)", flush=True)
    return _supervise(children)


def _supervise(children: list[subprocess.Popen]) -> int:
    """Run until a child exits or we are told to stop; then stop the others."""
    stopping = False

    def _stop(_signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    exit_code = 0
    while not stopping:
        for child in children:
            if child.poll() is not None:
                exit_code = child.returncode
                stopping = True
        time.sleep(0.5)
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()
    return exit_code
