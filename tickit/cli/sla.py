"""`tickit sla ...`: run the SLA sweep by hand, and explain one ticket's due times."""

from __future__ import annotations

import argparse

from tickit.db import session_scope
from tickit.services import sla, sla_sweep
from tickit.services.actors import SYSTEM


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `sla` and its subcommands to the `tickit` parser."""
    command = subparsers.add_parser("sla", help="check SLA warnings and breaches, explain a ticket's due times")
    actions = command.add_subparsers(dest="sla_command", required=True, metavar="ACTION")
    check = actions.add_parser("check", help="run one pass of the periodic SLA check and print what fired")
    check.set_defaults(handler=check_command)
    explain = actions.add_parser("explain", help="print a ticket's policy, calendar, due times and the history used")
    explain.add_argument("number", metavar="NUMBER", help="the ticket's number, e.g. HH-42")
    explain.set_defaults(handler=explain_command)


def check_command(args: argparse.Namespace) -> int:
    """Fire what is due, as the every-minute task does, and print one line per warning or breach."""
    from tickit import tasks  # noqa: F401  the outbox hands staged notifications to the queue

    fired = sla_sweep.sweep(unit_of_work=session_scope)
    for item in fired:
        print(item)
    print(f"{len(fired)} fired")
    return 0


def explain_command(args: argparse.Namespace) -> int:
    """Print how the ticket's SLA is computed."""
    with session_scope(read_only=True) as session:
        found = sla.explain(session=session, actor=SYSTEM, number=args.number)
    timing = found.timing
    if found.policy is None:
        print(f"{found.number}: no SLA policy of its project applies (priority {found.priority}).")
        return 0
    print(f"{found.number} (priority {found.priority})")
    print(f"Policy:          {found.policy}")
    print(f"Calendar:        {found.calendar}")
    print(f"Targets:         first response {found.first_response_target}, resolution {found.resolution_target}")
    print(f"First response:  due {_at(timing.first_response_due_at)}; {_met(timing.first_response_met_at)}")
    resolution_due = _at(timing.resolution_due_at) if timing.remaining is None else f"paused, {_left(timing)} left"
    print(f"Resolution:      cycle {timing.cycle + 1}, due {resolution_due}; {_met(timing.resolution_met_at)}")
    print(f"Paused:          {sla.span(timing.paused)} of business time in this cycle")
    print("History:")
    for line in timing.history:
        print(f"  {line}")
    return 0


def _at(moment) -> str:
    return "—" if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"


def _met(moment) -> str:
    return f"met {_at(moment)}" if moment else "not met yet"


def _left(timing: sla.Timing) -> str:
    return sla.span(timing.remaining) if timing.remaining is not None else ""
