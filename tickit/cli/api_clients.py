"""`tickit api-client ...`: tokens for the apps that file tickets over the integration API."""

from __future__ import annotations

import argparse

from tickit.db import session_scope
from tickit.services import api_clients
from tickit.services.actors import SYSTEM


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `api-client` and its subcommands to the `tickit` parser."""
    client = subparsers.add_parser("api-client", help="create, list and revoke integration API clients")
    actions = client.add_subparsers(dest="api_client_command", required=True, metavar="ACTION")

    create = actions.add_parser("create", help="create a client; its token is printed once, on the last line")
    create.add_argument("--project", required=True, metavar="KEY", help="the project the client files into")
    create.add_argument("--name", required=True, metavar="NAME", help="what the client is, e.g. the app's name")
    create.add_argument(
        "--read-all",
        action="store_true",
        help="let it read every ticket of the project (without it, only the tickets it filed)",
    )
    create.set_defaults(handler=create_command)

    listing = actions.add_parser("list", help="list a project's clients (never their tokens)")
    listing.add_argument("--project", required=True, metavar="KEY")
    listing.set_defaults(handler=list_command)

    revoke = actions.add_parser("revoke", help="stop a client's token from working, at once")
    revoke.add_argument("--project", required=True, metavar="KEY")
    revoke.add_argument("id", type=int, metavar="ID", help="the client's id, from `tickit api-client list`")
    revoke.set_defaults(handler=revoke_command)


def create_command(args: argparse.Namespace) -> int:
    with session_scope() as session:
        created = api_clients.create_api_client(
            session=session, actor=SYSTEM, project_key=args.project, name=args.name, may_read_all=args.read_all
        )
    reads = "every ticket of the project" if created.client.may_read_all else "only the tickets it files"
    print(
        f"Created API client {created.client.id} “{created.client.name}” for {args.project.upper()}; it reads {reads}."
    )
    print("Its token follows; it is shown only now, so store it in the integrating app's secrets:")
    print(created.token)
    return 0


def list_command(args: argparse.Namespace) -> int:
    with session_scope() as session:
        clients = api_clients.list_api_clients(session=session, actor=SYSTEM, project_key=args.project)
    if not clients:
        print(f"{args.project.upper()} has no API clients.")
    for c in clients:
        used = f"last used {c.last_used_at:%Y-%m-%d %H:%M} UTC" if c.last_used_at else "never used"
        state = f"revoked {c.revoked_at:%Y-%m-%d %H:%M} UTC" if c.revoked_at else "active"
        reads = "reads all tickets" if c.may_read_all else "reads its own tickets"
        print(f"{c.id}\t{c.name}\t{c.token_prefix}…\t{state}\t{reads}\t{used}\t{c.request_count} requests")
    return 0


def revoke_command(args: argparse.Namespace) -> int:
    with session_scope() as session:
        client = api_clients.revoke_api_client(
            session=session, actor=SYSTEM, project_key=args.project, client_id=args.id
        )
    print(f"Revoked API client {client.id} “{client.name}”; its token no longer works.")
    return 0
