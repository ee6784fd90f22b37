"""`tickit export` and `tickit import`: a project's whole archive (docs/export.md)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from tickit.db import session_scope
from tickit.services.actors import SYSTEM
from tickit.services.data_export import parse_since, read_archive, record_export, write_archive


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `export` and `import` to the `tickit` parser."""
    export = subparsers.add_parser("export", help="write a project's tickets, comments, activity and files to a zip")
    export.add_argument("--project", required=True, metavar="K", help="the project's key, e.g. HH")
    export.add_argument("--since", metavar="DATE", help="only tickets changed since then (2026-11-01 or ISO 8601)")
    export.add_argument("--out", required=True, metavar="FILE.zip", help="where to write the archive")
    export.set_defaults(handler=export_command)

    imported = subparsers.add_parser(
        "import", help="restore an archive written by `tickit export` into an empty project"
    )
    imported.add_argument("file", metavar="FILE.zip")
    imported.add_argument("--key", metavar="K", help="restore under this project key (default: the archive's)")
    imported.set_defaults(handler=import_command)


def export_command(args: argparse.Namespace) -> int:
    """Write the archive beside `--out` and move it into place once complete, so no half archive is left."""
    since = parse_since(args.since) if args.since else None
    target = Path(args.out)
    try:
        fd, partial = tempfile.mkstemp(dir=target.parent if str(target.parent) else ".", prefix=".tickit-export-")
    except OSError as exc:
        print(f"tickit: cannot write {args.out}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        with os.fdopen(fd, "wb") as out, session_scope(read_only=True) as session:
            summary = write_archive(session=session, actor=SYSTEM, project_key=args.project, out=out, since=since)
        os.replace(partial, target)
        with session_scope() as session:
            record_export(session, actor=SYSTEM, summary=summary)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    print(
        f"Exported {summary.project_key} to {args.out}: {summary.tickets} tickets, {summary.comments} comments, "
        f"{summary.attachments} attachments, {summary.users} people"
    )
    return 0


def import_command(args: argparse.Namespace) -> int:
    """Restore the archive and say what it held."""
    try:
        source = open(args.file, "rb")  # noqa: SIM115 - closed below, after the transaction
    except OSError as exc:
        print(f"tickit: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    with source, session_scope() as session:
        summary = read_archive(session=session, actor=SYSTEM, source=source, project_key=args.key)
    made = "created" if summary.created_project else "empty"
    print(
        f"Imported into {summary.project_key} ({made}): {summary.tickets} tickets, {summary.comments} comments, "
        f"{summary.attachments} attachments; {summary.users_created} people created"
    )
    return 0
