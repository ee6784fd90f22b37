"""`tickit stats`: the dashboard's tiles as text or JSON; `tickit analytics backfill|snapshot`: reporting data."""

from __future__ import annotations

import argparse
import dataclasses
import json
from datetime import timedelta

from tickit.db import session_scope
from tickit.services import analytics, analytics_period, reporting_history
from tickit.services.actors import SYSTEM
from tickit.services.sla import span


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `stats` and `analytics` to the `tickit` parser."""
    stats = subparsers.add_parser("stats", help="print the analytics dashboard's figures")
    stats.add_argument("--project", default="", help="one project's key (default: every project)")
    stats.add_argument("--since", default="30d", help="the last N days (30d) or weeks (4w); default 30d")
    stats.add_argument("--json", action="store_true", help="print JSON (durations in seconds)")
    stats.set_defaults(handler=stats_command)
    command = subparsers.add_parser("analytics", help="fill in reporting data")
    actions = command.add_subparsers(dest="analytics_command", required=True, metavar="ACTION")
    backfill = actions.add_parser("backfill", help="record reporting events for tickets filed before analytics")
    backfill.set_defaults(handler=backfill_command)
    snapshot = actions.add_parser("snapshot", help="snapshot the backlog, roll up past days (as the hourly task does)")
    snapshot.set_defaults(handler=snapshot_command)


def stats_command(args: argparse.Namespace) -> int:
    """Print the tiles for the period."""
    days = analytics_period.parse_days(args.since)
    with session_scope(read_only=True) as session:
        period = analytics_period.period_for(session=session, actor=SYSTEM, project_key=args.project, days=days)
        tiles = analytics.stats(session=session, actor=SYSTEM, period=period)
    if args.json:
        figures = dataclasses.asdict(tiles)
        print(
            json.dumps(
                {
                    "project": period.project_key,
                    "from": period.start.isoformat(),
                    "to": period.end.isoformat(),
                    **figures,
                },
                indent=2,
            )
        )
        return 0
    print(f"Figures for {period.describe()}")
    for label, value in _lines(tiles):
        print(f"  {label:<28} {value}")
    return 0


def _lines(tiles: analytics.Tiles) -> list[tuple[str, str]]:
    def duration(seconds: int | None) -> str:
        return "—" if seconds is None else span(timedelta(seconds=seconds))

    def percent(value: float | None) -> str:
        return "—" if value is None else f"{value:.1f}%"

    return [
        ("Open now", str(tiles.open_now)),
        ("Created", str(tiles.created)),
        ("Resolved", str(tiles.resolved)),
        ("First response (median)", duration(tiles.first_response_median)),
        ("First response (90th pct)", duration(tiles.first_response_p90)),
        ("Resolution (median)", duration(tiles.resolution_median)),
        ("Resolution (90th pct)", duration(tiles.resolution_p90)),
        ("SLA compliance", f"{percent(tiles.sla_compliance)} ({tiles.sla_met} met, {tiles.sla_breached} breached)"),
        ("Breached now", str(tiles.breached_now)),
        ("At risk now", str(tiles.at_risk_now)),
        ("Satisfaction", f"{percent(tiles.satisfaction)} of {tiles.satisfaction_count} rated"),
    ]


def backfill_command(args: argparse.Namespace) -> int:
    """Replay the history of every ticket without reporting events, in batches of their own transactions."""
    total = 0
    while True:
        with session_scope() as session:
            done = reporting_history.backfill_batch(session=session)
        total += done
        if done < reporting_history.BACKFILL_BATCH:
            break
    # The replayed events moved the rollup's marks back to the earliest day they touched: re-roll now.
    with session_scope() as session:
        rolled = reporting_history.roll_up(session=session)
    print(f"{total} tickets backfilled, {rolled} days rolled up")
    return 0


def snapshot_command(args: argparse.Namespace) -> int:
    """Take the backlog snapshots due now and roll up the complete days, as the hourly task does."""
    with session_scope() as session:
        taken = reporting_history.snapshot_backlog(session=session)
        rolled = reporting_history.roll_up(session=session)
    print(f"{taken} projects snapshotted, {rolled} days rolled up")
    return 0
