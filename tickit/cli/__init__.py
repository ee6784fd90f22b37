"""The `tickit` command: one subcommand module per family, each with a `register(subparsers)`."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.exc import DBAPIError

from tickit.config import ConfigError
from tickit.db import dispose_engine
from tickit.services.errors import ServiceError


def build_parser() -> argparse.ArgumentParser:
    from tickit.cli import (
        analytics,
        api_clients,
        assignment,
        audit,
        data_export,
        db,
        lifecycle,
        mail,
        projects,
        serve,
        sla,
        users,
        vapid,
        webhooks,
        worker,
    )

    parser = argparse.ArgumentParser(prog="tickit", description="TickIt helpdesk administration")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (
        serve,
        worker,
        db,
        users,
        projects,
        api_clients,
        webhooks,
        vapid,
        lifecycle,
        assignment,
        sla,
        mail,
        audit,
        data_export,
        analytics,
    ):
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; expected failures print one line and exit 2, never a traceback."""
    parser = build_parser()
    args = parser.parse_args(argv)
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
