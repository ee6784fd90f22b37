"""`tickit worker`: only the Huey consumer, for a machine that runs no web processes."""

from __future__ import annotations

from tickit.cli.serve import add_thread_count, consumer_child, supervise
from tickit.config import get_settings


def register(subparsers) -> None:
    worker = subparsers.add_parser(
        "worker", help="run only the background worker (mail, push, housekeeping) against the shared queue"
    )
    add_thread_count(worker, "--threads")
    worker.set_defaults(handler=_worker)


def _worker(args) -> int:
    settings = get_settings()
    print(f"TickIt's background worker is starting with {args.threads} thread(s) (Ctrl+C stops it)", flush=True)
    return supervise([consumer_child(settings, args.threads)])
