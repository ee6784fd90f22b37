"""`tickit audit [--since 7d] [--action user] [--search TEXT]`: the audit log, newest first."""

from __future__ import annotations

import json

from tickit.db import session_scope
from tickit.services import audit
from tickit.services.actors import SYSTEM


def register(subparsers) -> None:
    parser = subparsers.add_parser("audit", help="print the audit log, newest first")
    parser.add_argument("--since", default="7d", help="how far back: a number and m, h, d or w (default 7d)")
    parser.add_argument("--action", default="", help="one action (user.role_changed) or a family (user)")
    parser.add_argument("--search", default="", help="words in the actor or the target")
    parser.add_argument("--limit", type=int, default=1000, help="at most this many entries (default 1000)")
    parser.set_defaults(handler=_print)


def _change(line: audit.AuditLine) -> str:
    parts = []
    if line.before:
        parts.append("before " + json.dumps(line.before, sort_keys=True, ensure_ascii=False))
    if line.after:
        parts.append("after " + json.dumps(line.after, sort_keys=True, ensure_ascii=False))
    return "  ".join(parts)


def _print(args) -> int:
    since = audit.parse_since(args.since)
    with session_scope(read_only=True) as session:
        lines = audit.entries(
            session=session, actor=SYSTEM, since=since, action=args.action, text=args.search, limit=max(1, args.limit)
        )
    for line in lines:
        who = f"by {line.actor}" + (f" from {line.address}" if line.address else "")
        print(f"{line.at:%Y-%m-%d %H:%M:%S}Z  {line.action:<24} {line.target}  {who}  {_change(line)}".rstrip())
    if not lines:
        print(f"No audit entries in the last {args.since.strip()}.")
    return 0
