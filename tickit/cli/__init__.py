"""The `tickit` command: one subcommand module per family, each with a `register(subparsers)`."""

from __future__ import annotations

import argparse
import importlib
import sys

from sqlalchemy.exc import DBAPIError

from tickit.config import ConfigError
from tickit.db import dispose_engine
from tickit.services.errors import ServiceError

# The module registering each command, in the order `tickit --help` lists them. A run imports only
# its command's module: importing every family, and so every service, costs about a second, longer
# than most commands take.
COMMANDS = {
    "serve": "serve",
    "worker": "worker",
    "db": "db",
    "user": "users",
    "project": "projects",
    "api-client": "api_clients",
    "webhook": "webhooks",
    "vapid": "vapid",
    "lifecycle": "lifecycle",
    "agent": "assignment",
    "sla": "sla",
    "mailbox": "mail",
    "mail": "mail",
    "audit": "audit",
    "export": "data_export",
    "import": "data_export",
    "stats": "analytics",
    "analytics": "analytics",
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of `command` alone when it is one, else of every command (for help and errors)."""
    modules = [COMMANDS[command]] if command in COMMANDS else list(dict.fromkeys(COMMANDS.values()))
    parser = argparse.ArgumentParser(prog="tickit", description="TickIt helpdesk administration")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in modules:
        importlib.import_module(f"tickit.cli.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; expected failures print one line and exit 2, never a traceback."""
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv[0] if argv else None).parse_args(argv)
    try:
        return args.handler(args) or 0
    except (ConfigError, ServiceError) as exc:
        print(f"tickit: {exc}", file=sys.stderr)
        return 2
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        print(
            f"tickit: the database refused the command ({reason}); is DATABASE_URL right and `tickit db upgrade` done?",
            file=sys.stderr,
        )
        return 2
    finally:
        dispose_engine()


if __name__ == "__main__":
    sys.exit(main())
