"""`tickit project ...`: create projects from templates, export and import workflows, list projects."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tickit.cli import assignment as assignment_cli
from tickit.db import session_scope
from tickit.services import projects as project_members
from tickit.services.actors import SYSTEM
from tickit.services.project_setup import ProjectSummary, create_project
from tickit.services.projects import list_projects
from tickit.services.templates import export_project, load_template, parse_workflow
from tickit.services.users import find_by_email


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `project` and its subcommands to the `tickit` parser."""
    project = subparsers.add_parser("project", help="create, export, import and list projects")
    actions = project.add_subparsers(dest="project_command", required=True, metavar="ACTION")

    create = actions.add_parser("create", help="create a project from a shipped template")
    _add_project_options(create)
    create.add_argument(
        "--template",
        required=True,
        metavar="T",
        help="software-feedback, it-helpdesk or customer-support (any file in tickit/templates/)",
    )
    create.set_defaults(handler=create_command)

    export = actions.add_parser("export", help="print a project's workflow as YAML")
    export.add_argument("key", metavar="KEY", help="the project's key, e.g. HH")
    export.set_defaults(handler=export_command)

    imported = actions.add_parser("import", help="create a project from a workflow YAML file")
    imported.add_argument("file", metavar="FILE", help="a file written by `tickit project export`, or - for stdin")
    _add_project_options(imported)
    imported.set_defaults(handler=import_command)

    listing = actions.add_parser("list", help="list every project with its ticket types")
    listing.set_defaults(handler=list_command)

    member = actions.add_parser("member", help="who belongs to a project")
    member_actions = member.add_subparsers(dest="member_command", required=True, metavar="ACTION")
    add = member_actions.add_parser("add", help="add a user to a project as agent, admin (configures it) or client")
    add.add_argument("key", metavar="KEY")
    add.add_argument("email", metavar="EMAIL")
    add.add_argument("--role", required=True, choices=["agent", "admin", "client"])
    add.set_defaults(handler=member_add_command)
    remove = member_actions.add_parser("remove", help="take a user out of a project")
    remove.add_argument("key", metavar="KEY")
    remove.add_argument("email", metavar="EMAIL")
    remove.set_defaults(handler=member_remove_command)
    members = member_actions.add_parser("list", help="list a project's members")
    members.add_argument("key", metavar="KEY")
    members.set_defaults(handler=member_list_command)

    assignment_cli.register_project_actions(actions)


def _add_project_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--key", required=True, metavar="K", help="2-10 letters or digits, e.g. HH")
    parser.add_argument("--name", required=True, metavar="N", help="the project's display name")
    parser.add_argument("--description", metavar="D", help="defaults to the workflow's description")


def create_command(args: argparse.Namespace) -> int:
    """Create a project from a shipped template and print it."""
    workflow = load_template(args.template)
    with session_scope() as session:
        summary = create_project(
            session=session,
            actor=SYSTEM,
            key=args.key,
            name=args.name,
            workflow=workflow,
            description=args.description,
        )
    _print_created(summary, f"template {args.template}")
    return 0


def import_command(args: argparse.Namespace) -> int:
    """Create a project from a workflow file (as written by export) and print it."""
    if args.file == "-":
        text, source = sys.stdin.read(), "<stdin>"
    else:
        path = Path(args.file)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            print(f"tickit: cannot read {args.file}: {reason}", file=sys.stderr)
            return 2
        source = path.name
    workflow = parse_workflow(text, source)
    with session_scope() as session:
        summary = create_project(
            session=session,
            actor=SYSTEM,
            key=args.key,
            name=args.name,
            workflow=workflow,
            description=args.description,
        )
    _print_created(summary, source)
    return 0


def export_command(args: argparse.Namespace) -> int:
    """Print the project's workflow as YAML, ready for `tickit project import`."""
    with session_scope() as session:
        text = export_project(session=session, project_key=args.key)
    sys.stdout.write(text)
    return 0


def list_command(args: argparse.Namespace) -> int:
    """Print one line per project: key, name, ticket count and ticket types."""
    with session_scope() as session:
        projects = list_projects(session=session, actor=SYSTEM)
    if not projects:
        print("No projects yet. Create one with: tickit project create --key K --name N --template T")
        return 0
    key_width = max(len("KEY"), *(len(p.key) for p in projects))
    name_width = max(len("NAME"), *(len(p.name) for p in projects))
    print(f"{'KEY':<{key_width}}  {'NAME':<{name_width}}  {'TICKETS':>7}  TYPES")
    for row in projects:
        types = ", ".join(row.type_names) or "-"
        print(f"{row.key:<{key_width}}  {row.name:<{name_width}}  {row.ticket_count:>7}  {types}")
    return 0


def _print_created(summary: ProjectSummary, origin: str) -> None:
    print(f"Created project {summary.key} ({summary.name}) from {origin}")
    print(f"  types: {', '.join(summary.type_names)}")


def member_add_command(args: argparse.Namespace) -> int:
    """Add a user to a project (or change their role in it)."""
    with session_scope() as session:
        row = project_members.add_member(
            session=session, actor=SYSTEM, project_key=args.key, email=args.email, project_role=args.role
        )
    print(f"{row.email} is {row.project_role} in {args.key.upper()}")
    return 0


def member_remove_command(args: argparse.Namespace) -> int:
    """Take a user out of a project; their tickets stay."""
    with session_scope() as session:
        user = find_by_email(session, args.email)
        if user is None:
            print(f"tickit: no user with email {args.email.strip().lower()}", file=sys.stderr)
            return 2
        project_members.remove_member(session=session, actor=SYSTEM, project_key=args.key, user_id=user.id)
    print(f"{user.email} removed from {args.key.upper()}")
    return 0


def member_list_command(args: argparse.Namespace) -> int:
    """Print the project's members: agents first, then clients."""
    with session_scope() as session:
        rows = project_members.list_members(session=session, actor=SYSTEM, project_key=args.key)
    for row in rows:
        print(f"{row.project_role:<7} {row.email:<40} {row.name}")
    if not rows:
        print(f"{args.key.upper()} has no members yet.")
    return 0
