"""`tickit agent set ...`, `tickit project assignment ...` and `tickit project assign-queue`."""

from __future__ import annotations

import argparse

from tickit.db import session_scope
from tickit.services import assignment, assignment_admin
from tickit.services.actors import SYSTEM
from tickit.services.errors import ValidationFailed
from tickit.services.users import find_by_email


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `agent` and its subcommands to the `tickit` parser."""
    agent = subparsers.add_parser("agent", help="agents' availability, capacity and skills per project")
    actions = agent.add_subparsers(dest="agent_command", required=True, metavar="ACTION")
    changed = actions.add_parser("set", help="change an agent's availability, capacity or skills in a project")
    changed.add_argument("email", metavar="EMAIL")
    changed.add_argument("--project", required=True, metavar="K", help="the project's key, e.g. HH")
    availability = changed.add_mutually_exclusive_group()
    availability.add_argument("--available", dest="available", action="store_const", const=True)
    availability.add_argument("--away", dest="available", action="store_const", const=False)
    changed.add_argument("--capacity", metavar="N", help="most open tickets at once; 'none' for no limit")
    changed.add_argument("--skills", metavar="A,B", help="skill tags, comma-separated; '' for none")
    changed.add_argument(
        "--hours",
        metavar="CALENDAR",
        help="working hours: the key of one of the project's SLA calendars; 'none' for round the clock",
    )
    changed.set_defaults(handler=agent_set_command)


def register_project_actions(actions: argparse._SubParsersAction) -> None:
    """Add `assignment` and `assign-queue` to `tickit project`."""
    rule = actions.add_parser("assignment", help="how a project assigns new tickets")
    rule.add_argument("key", metavar="K")
    rule.add_argument("--strategy", choices=assignment_admin.STRATEGIES)
    rule.add_argument(
        "--require-skills",
        action=argparse.BooleanOptionalAction,
        help="only agents with every skill the ticket needs may get it",
    )
    rule.set_defaults(handler=assignment_command)
    queue = actions.add_parser("assign-queue", help="assign waiting tickets now (the worker does it every minute)")
    queue.set_defaults(handler=assign_queue_command)


def agent_set_command(args: argparse.Namespace) -> int:
    """Change an agent's standing in a project and print it."""
    changes: dict[str, object] = {}
    if args.available is not None:
        changes["available"] = args.available
    if args.capacity is not None:
        changes["capacity"] = None if args.capacity.strip().lower() in ("none", "") else args.capacity
    if args.skills is not None:
        changes["skills"] = args.skills
    if args.hours is not None:
        changes["calendar"] = None if args.hours.strip().lower() in ("none", "") else args.hours.strip()
    with session_scope() as session:
        user = find_by_email(session, args.email)
        if user is None:
            raise ValidationFailed({"email": f"No user with email {args.email.strip().lower()}."})
        standing = assignment_admin.set_agent(
            session=session, actor=SYSTEM, project_key=args.project, user_id=user.id, changes=changes
        )
    capacity = "no limit" if standing.capacity is None else f"capacity {standing.capacity}"
    skills = ", ".join(standing.skills) or "no skills"
    state = "available" if standing.available else "away"
    hours = f"hours {standing.calendar_key}" if standing.calendar_key else "round the clock"
    print(f"{standing.email} in {args.project.upper()}: {state}, {capacity}, {skills}, {hours}; {standing.open} open")
    return 0


def assignment_command(args: argparse.Namespace) -> int:
    """Change (or, with no options, show) how a project assigns new tickets."""
    changes: dict[str, object] = {}
    if args.strategy is not None:
        changes["strategy"] = args.strategy
    if args.require_skills is not None:
        changes["require_skills"] = args.require_skills
    with session_scope() as session:
        if changes:
            settings = assignment_admin.set_rule(session=session, actor=SYSTEM, project_key=args.key, changes=changes)
        else:
            settings = assignment_admin.assignment_settings(session=session, actor=SYSTEM, project_key=args.key)
    skills = "by skills" if settings.require_skills else "skills not required"
    print(f"{settings.project_key} assigns new tickets: {settings.strategy}, {skills}")
    return 0


def assign_queue_command(args: argparse.Namespace) -> int:
    """Assign the tickets waiting in every project's queue to agents who can take them now."""
    from tickit import tasks  # noqa: F401  registers the queue that delivers the assignees' notifications

    with session_scope() as session:
        given = assignment.assign_queue(session=session)
    print(f"Assigned {given} waiting ticket{'' if given == 1 else 's'}.")
    return 0
