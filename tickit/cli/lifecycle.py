"""`tickit lifecycle ...`: run the ticket lifecycle's periodic work by hand (the worker runs it on its own)."""

from __future__ import annotations

import argparse

from tickit.db import session_scope
from tickit.services import lifecycle, survey


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `lifecycle` and its subcommands to the `tickit` parser."""
    parser = subparsers.add_parser("lifecycle", help="auto-close resolved tickets, send due surveys")
    actions = parser.add_subparsers(dest="lifecycle_command", required=True, metavar="ACTION")
    close = actions.add_parser("auto-close", help="close tickets resolved longer ago than their project allows")
    close.set_defaults(handler=auto_close_command)
    surveys = actions.add_parser("send-surveys", help="mail the satisfaction surveys that are due")
    surveys.set_defaults(handler=send_surveys_command)


def auto_close_command(args: argparse.Namespace) -> int:
    from tickit import tasks  # noqa: F401  the outbox hands the requesters' notifications to the queue

    with session_scope() as session:
        report = lifecycle.auto_close_due(session=session)
    print(f"Closed {len(report.closed)} ticket(s){': ' + ', '.join(report.closed) if report.closed else '.'}")
    for line in report.skipped:
        print(f"Skipped {line}")
    return 0


def send_surveys_command(args: argparse.Namespace) -> int:
    from tickit import tasks  # noqa: F401  the outbox hands the survey mails to the queue

    with session_scope() as session:
        sent = survey.send_due(session=session)
    print(f"Staged {sent} survey mail(s).")
    return 0
