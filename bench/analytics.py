"""Analytics benchmark: the dashboard over 1,000,000 tickets and their reporting events on PostgreSQL.

PRODUCT.md ("Performance budgets") and issue 20: the 30-day dashboard, for one project and for
all, is served in <= 500 ms of database time; the two-year range in <= 2 s.

One run:
1. creates a scratch PostgreSQL database (bench/sla.py's), migrated, with four projects from the
   software-feedback template;
2. bulk-loads tickets spread evenly over the last two years and the projects, with the events
   their lives leave (created; a first response for 95 %; a resolution for 90 %; an SLA outcome
   for each; a rating for 20 % of the resolved) and a backlog snapshot per project and day;
   indexes are rebuilt after the load, the days up to yesterday rolled up as the nightly task
   does (`reporting_history.roll_up`), and the tables analysed;
3. builds the whole dashboard (`analytics.dashboard`: tiles, daily and weekly series, shares,
   the agent table) for one project and for all, over 30 days and over two years: median of
   `--runs` runs, the time spent inside the database (statement execution, from SQLAlchemy's
   cursor events) and the wall time; then prints the plans of the slowest statements.

Run from the repository root: `.venv/bin/python bench/analytics.py` (`--help` for the options).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.sla import _tickit, scratch_database  # noqa: E402  (after the path is set)

BUDGETS_MS = {30: 500, 730: 2000}
PROJECTS = ("HH", "OP", "QA", "SU")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/analytics.py", description="Time the analytics dashboard.")
    parser.add_argument("--tickets", type=int, default=1_000_000, help="tickets to load (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each dashboard (default 5)")
    parser.add_argument(
        "--pg", default="postgresql://postgres@127.0.0.1:5432", help="server URL without a database name"
    )
    parser.add_argument("--keep-db", action="store_true", help="leave the scratch database in place")
    return parser.parse_args(argv)


def load(database_url: str, args: argparse.Namespace, now: datetime) -> None:
    """Tickets over two years, their reporting events, and the daily backlog snapshots."""
    from sqlalchemy.engine import make_url
    from sqlmodel import Session

    from tickit.db import create_db_engine
    from tickit.models import User
    from tickit.services import reporting_history

    env = {**os.environ}
    for key in PROJECTS[1:]:
        _tickit(env, "project", "create", "--key", key, "--name", f"Bench {key}", "--template", "software-feedback")
    engine = create_db_engine(make_url(database_url).set(drivername="postgresql+psycopg"))
    with Session(engine) as session:
        people = [User(email=f"agent{n}@bench.example", name=f"Agent {n}", role="agent") for n in range(20)]
        session.add_all(people)
        session.commit()
        agents = [person.id for person in people]
    engine.dispose()
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("SELECT setseed(0.42)")
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET session_replication_role = replica")
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('tickets', 'reporting_events') "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        projects = conn.execute(
            "SELECT p.id, t.id, "
            "(SELECT min(s.id) FROM ticket_statuses s WHERE s.type_id = t.id AND s.category = 'todo'), "
            "(SELECT min(s.id) FROM ticket_statuses s WHERE s.type_id = t.id AND s.category = 'done') "
            "FROM projects p JOIN ticket_types t ON t.project_id = p.id AND t.key = 'bug' ORDER BY p.id"
        ).fetchall()
        started = time.perf_counter()
        per_project = args.tickets // len(projects)
        for index, (project_id, type_id, open_status, done_status) in enumerate(projects):
            # Ticket g of the project is filed at an even pace over 730 days; the last 10 % are open.
            conn.execute(
                """
                INSERT INTO tickets (project_id, type_id, status_id, number, title, description, priority, source,
                    fields, metadata, board_rank, created_at, updated_at, public_updated_at, sla_cycle,
                    assignee_id, first_responded_at, resolved_at, sla_next_due_at)
                SELECT %(project)s, %(type)s, CASE WHEN open THEN %(open_status)s ELSE %(done_status)s END,
                    g + 1, 'Bench ticket ' || g, '', (ARRAY['low','normal','high','urgent'])[1 + g %% 4],
                    (ARRAY['web','api','email'])[1 + g %% 3], '{}', '{}', g, c, c, c, 0,
                    (%(agents)s::int[])[1 + g %% 20],
                    CASE WHEN g %% 20 <> 0 THEN c + (g %% 600) * interval '1 minute' END,
                    CASE WHEN NOT open THEN c + (g %% 5000) * interval '1 minute' END,
                    CASE WHEN open THEN c + interval '3 days' END
                FROM (
                    SELECT g, %(now)s::timestamptz - interval '730 days' + g * (interval '730 days' / %(count)s) AS c,
                        g %% 10 = 9 OR g > %(count)s - 500 AS open
                    FROM generate_series(0, %(count)s - 1) g
                ) r
                """,
                {
                    "project": project_id,
                    "type": type_id,
                    "open_status": open_status,
                    "done_status": done_status,
                    "count": per_project,
                    "agents": agents,
                    "now": now,
                },
            )
            conn.execute("UPDATE projects SET last_ticket_number = %s WHERE id = %s", (per_project, project_id))
            print(f"  project {PROJECTS[index]}: {per_project:,} tickets", flush=True)
        # The events, as services.reporting writes them (UTC projects: the day is the UTC date).
        conn.execute(
            """
            INSERT INTO reporting_events (ticket_id, project_id, kind, at, day, week, cycle, type_id, priority,
                source, assignee_id, target, rating, business_seconds, calendar_seconds)
            SELECT t.id, t.project_id, e.kind, e.at, (e.at AT TIME ZONE 'UTC')::date,
                date_trunc('week', e.at AT TIME ZONE 'UTC')::date, 0, t.type_id, t.priority, t.source,
                t.assignee_id, e.target, e.rating, e.seconds, e.seconds
            FROM tickets t
            CROSS JOIN LATERAL (VALUES
                ('created', t.created_at, '', '', NULL::int),
                ('first_response', t.first_responded_at, '', '',
                    extract(epoch FROM t.first_responded_at - t.created_at)::int),
                ('resolved', t.resolved_at, '', '', extract(epoch FROM t.resolved_at - t.created_at)::int),
                (CASE WHEN t.id % 7 = 0 THEN 'sla_breached' ELSE 'sla_met' END, t.first_responded_at,
                    'first_response', '', extract(epoch FROM t.first_responded_at - t.created_at)::int),
                (CASE WHEN t.id % 9 = 0 THEN 'sla_breached' ELSE 'sla_met' END, t.resolved_at,
                    'resolution', '', extract(epoch FROM t.resolved_at - t.created_at)::int),
                ('rated', CASE WHEN t.id % 5 = 0 THEN t.resolved_at + interval '2 hours' END, '',
                    CASE WHEN t.id % 4 = 0 THEN 'bad' ELSE 'good' END, NULL::int)
            ) AS e(kind, at, target, rating, seconds)
            WHERE e.at IS NOT NULL
            """
        )
        conn.execute(
            """
            INSERT INTO backlog_snapshots (project_id, day, category, assignee_id, assignee_key, open_count)
            SELECT p.id, d::date, 'todo', NULL, 0, 1000 + (random() * 500)::int
            FROM projects p CROSS JOIN generate_series(%(now)s::date - 730, %(now)s::date - 1, interval '1 day') d
            """,
            {"now": now},
        )
        loaded = time.perf_counter()
        conn.execute("SET session_replication_role = origin")
        for _, definition in indexes:
            conn.execute(definition)
        indexed = time.perf_counter()
    engine = create_db_engine(make_url(database_url).set(drivername="postgresql+psycopg"))
    with Session(engine) as session:
        days = reporting_history.roll_up(session=session, now=now)
        session.commit()
    engine.dispose()
    rolled = time.perf_counter()
    with psycopg.connect(database_url, autocommit=True) as conn:
        for table in ("tickets", "reporting_events", "backlog_snapshots", "reporting_day_counts"):
            conn.execute(f"VACUUM ANALYZE {table}")
        events = conn.execute("SELECT count(*) FROM reporting_events").fetchone()[0]
        counts = conn.execute("SELECT count(*) FROM reporting_day_counts").fetchone()[0]
        done = time.perf_counter()
    print(
        f"loaded {args.tickets:,} tickets and {events:,} events in {loaded - started:.0f} s; "
        f"{len(indexes)} indexes rebuilt in {indexed - loaded:.0f} s; {days:,} project days rolled up into "
        f"{counts:,} rows in {rolled - indexed:.0f} s; VACUUM ANALYZE {done - rolled:.0f} s",
        flush=True,
    )


def bench(database_url: str, args: argparse.Namespace, now: datetime) -> list[str]:
    """Time each dashboard, print the slowest statements' plans; the budgets missed."""
    from sqlalchemy import event
    from sqlalchemy.engine import make_url
    from sqlmodel import Session

    from tickit.db import create_db_engine
    from tickit.services import analytics, analytics_durations, analytics_period
    from tickit.services.actors import SYSTEM

    engine = create_db_engine(make_url(database_url).set(drivername="postgresql+psycopg"))
    statements: list[tuple[float, str, object]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        conn.info["started"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):
        statements.append(((time.perf_counter() - conn.info["started"]) * 1000, statement, parameters))

    missed: list[str] = []
    slowest: list[tuple[float, str, object]] = []
    for days in (30, 730):
        for project in ("HH", None):
            db_times, wall_times = [], []
            for run in range(args.runs + 1):
                statements.clear()
                started = time.perf_counter()
                with Session(engine) as session:
                    period = analytics_period.period_for(
                        session=session, actor=SYSTEM, project_key=project, days=days, now=now
                    )
                    board = analytics.dashboard(session=session, actor=SYSTEM, period=period, now=now)
                if run == 0:
                    continue  # warms the caches
                wall_times.append((time.perf_counter() - started) * 1000)
                db_times.append(sum(ms for ms, _, _ in statements))
                slowest = sorted([*slowest, *statements], key=lambda item: -item[0])[:3]
            db, wall = statistics.median(db_times), statistics.median(wall_times)
            scope = project or "all projects"
            print(
                f"dashboard {scope}, {days} days: database {db:.0f} ms, wall {wall:.0f} ms (median of {args.runs}); "
                f"{board.tiles.created:,} created, {board.tiles.resolved:,} resolved, {len(board.agents)} agents",
                flush=True,
            )
            for ms, statement, _ in sorted(statements, key=lambda item: -item[0])[:4]:
                print(f"    {ms:6.0f} ms  {' '.join(statement.split())[:150]}")
            if db > BUDGETS_MS[days]:
                missed.append(f"{scope}, {days} days: {db:.0f} ms > {BUDGETS_MS[days]} ms")
    with engine.connect() as conn:
        for ms, statement, parameters in slowest:
            print(f"plan of a statement that took {ms:.0f} ms:")
            raw = conn.connection.dbapi_connection
            with raw.cursor() as cursor:
                cursor.execute(
                    f"SET work_mem = '{analytics_durations.WORK_MEM}'"
                )  # as the dashboard's transaction has it
                cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {statement}", parameters)
                for (line,) in cursor.fetchall():
                    print(f"  {line}")
    engine.dispose()
    return missed


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"load average before: {' '.join(f'{value:.1f}' for value in os.getloadavg())}")
    now = datetime.now(UTC)
    with scratch_database(args) as database_url:
        load(database_url, args, now)
        missed = bench(database_url, args, now)
    print(f"load average after: {' '.join(f'{value:.1f}' for value in os.getloadavg())}")
    for line in missed:
        print(f"missed: {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
