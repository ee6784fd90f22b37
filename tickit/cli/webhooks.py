"""`tickit webhook ...`: the endpoints a project's events are posted to."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from tickit.db import session_scope
from tickit.services import webhook_events, webhook_schemas, webhooks
from tickit.services.actors import SYSTEM


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `webhook` and its subcommands to the `tickit` parser."""
    webhook = subparsers.add_parser("webhook", help="add and list a project's outbound webhook endpoints")
    actions = webhook.add_subparsers(dest="webhook_command", required=True, metavar="ACTION")

    add = actions.add_parser("add", help="add an endpoint; its signing secret is printed alone on the last line")
    add.add_argument("--project", required=True, metavar="KEY")
    add.add_argument("--url", required=True, metavar="URL", help="where the events are posted (https)")
    add.add_argument(
        "--events",
        metavar="A,B",
        help=f"the event types to send (default: all): {', '.join(webhook_events.EVENT_TYPES)}",
    )
    add.add_argument("--description", default="", metavar="TEXT")
    add.add_argument(
        "--allow-private-address",
        action="store_true",
        help="let the URL be on a private or local address, http included (a receiver inside your network)",
    )
    add.set_defaults(handler=add_command)

    listing = actions.add_parser("list", help="list the endpoints (never their secrets)")
    listing.add_argument("--project", metavar="KEY", help="one project's (default: every project's)")
    listing.set_defaults(handler=list_command)

    schemas = actions.add_parser("schemas", help="write the JSON Schema of each event's body, one file per event")
    schemas.add_argument("--out", required=True, metavar="DIR", type=Path, help="e.g. docs/webhooks")
    schemas.set_defaults(handler=schemas_command)


def add_command(args: argparse.Namespace) -> int:
    events = [e.strip() for e in args.events.split(",") if e.strip()] if args.events else None
    with session_scope() as session:
        created = webhooks.create_endpoint(
            session=session,
            actor=SYSTEM,
            project_key=args.project,
            url=args.url,
            event_types=events,
            description=args.description,
            allow_private_address=args.allow_private_address,
        )
    endpoint = created.endpoint
    print(f"Added webhook endpoint {endpoint.id} for {endpoint.project_key}: {endpoint.url}")
    print(f"Events: {', '.join(endpoint.event_types)}")
    print("Its signing secret follows; the receiver verifies each delivery with it:")
    print(created.secret)
    return 0


def list_command(args: argparse.Namespace) -> int:
    with session_scope() as session:
        endpoints = webhooks.list_endpoints(session=session, actor=SYSTEM, project_key=args.project)
    if not endpoints:
        print("No webhook endpoints.")
    for e in endpoints:
        state = "enabled" if e.enabled else f"disabled ({e.disabled_reason or 'by an admin'})"
        private = "\tprivate address allowed" if e.allow_private_address else ""
        print(f"{e.id}\t{e.project_key}\t{e.url}\t{state}\t{','.join(e.event_types)}{private}")
    return 0


def schemas_command(args: argparse.Namespace) -> int:
    args.out.mkdir(parents=True, exist_ok=True)
    for event in webhook_schemas.event_types():
        text = json.dumps(webhook_schemas.schema(event), indent=2, ensure_ascii=False) + "\n"
        (args.out / f"{event}.json").write_text(text, encoding="utf-8")
    print(f"Wrote {len(webhook_schemas.event_types())} schemas to {args.out}")
    return 0
