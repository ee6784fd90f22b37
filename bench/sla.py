"""SLA sweep benchmark: the every-minute check over 1,000,000 tickets on PostgreSQL.

PRODUCT.md ("Performance budgets"): a sweep that fires nothing takes <= 50 ms; issue 15: one that
fires 5,000 takes <= 10 s.

One run:
1. creates a scratch PostgreSQL database (dropped at the end), migrated and with one project from
   the software-feedback template (whose default policy times every ticket round the clock);
2. bulk-loads tickets with INSERT ... SELECT generate_series: most are done (nothing pending),
   `--open` are open with their warning and due times spread over the next 30 days, and `--due`
   of those have a warning or due time that passed within the last minute; indexes are rebuilt
   after the load and the tables analysed;
3. prints the query plan of the sweep's selection (EXPLAIN ANALYZE), then times a pass that finds
   nothing due (median and p95 of N runs), then one pass that fires everything due (each firing
   writes its ledger row and stages its notification, as in production), and says whether each
   met its budget.

Run from the repository root: `.venv/bin/python bench/sla.py` (`--help` for the options).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

QUIET_BUDGET_MS, FIRING_BUDGET_S = 50, 10


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/sla.py", description="Time the SLA sweep on PostgreSQL.")
    parser.add_argument("--tickets", type=int, default=1_000_000, help="tickets to load (default 1,000,000)")
    parser.add_argument("--open", type=int, default=100_000, help="of them open, with SLA times (default 100,000)")
    parser.add_argument("--due", type=int, default=5_000, help="of the open, due in the last minute (default 5,000)")
    parser.add_argument("--runs", type=int, default=40, help="timed runs of the quiet sweep (default 40)")
    parser.add_argument(
        "--pg", default="postgresql://postgres@127.0.0.1:5432", help="server URL without a database name"
    )
    parser.add_argument("--keep-db", action="store_true", help="leave the scratch database in place")
    return parser.parse_args(argv)


def _tickit(env: dict[str, str], *argv: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from tickit.cli import main; sys.exit(main(sys.argv[1:]))", *argv],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"tickit {' '.join(argv)} failed:\n{done.stdout}{done.stderr}")


@contextmanager
def scratch_database(args: argparse.Namespace) -> Iterator[str]:
    """A migrated database with project HH; its URL. Dropped afterwards unless --keep-db."""
    database = f"tickit_bench_sla_{secrets.token_hex(4)}"
    data_dir = Path(tempfile.mkdtemp(prefix="tickit-bench-"))
    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    database_url = f"{args.pg}/{database}"
    try:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "TICKIT_DATA_DIR": str(data_dir),
            "SECRET_KEY": secrets.token_urlsafe(32),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        }
        env.pop("REDIS_URL", None)
        _tickit(env, "db", "upgrade")
        _tickit(env, "project", "create", "--key", "HH", "--name", "Bench HH", "--template", "software-feedback")
        # The services read settings once; point them at the scratch database before importing them.
        os.environ.update(DATABASE_URL=database_url, TICKIT_DATA_DIR=str(data_dir))
        os.environ.pop("REDIS_URL", None)
        yield database_url
    finally:
        if args.keep_db:
            print(f"kept database {database_url}")
        else:
            with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        shutil.rmtree(data_dir, ignore_errors=True)


def load(database_url: str, args: argparse.Namespace, now: datetime) -> None:
    """Done tickets with nothing pending, open ones due over 30 days, and `--due` that came due in the last minute."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("SELECT setseed(0.42)")
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET session_replication_role = replica")
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'tickets' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        project_id, type_id, policy_id = conn.execute(
            "SELECT p.id, t.id, s.id FROM projects p JOIN ticket_types t ON t.project_id = p.id "
            "JOIN sla_policies s ON s.project_id = p.id WHERE t.key = 'bug'"
        ).fetchone()
        open_status, done_status = conn.execute(
            "SELECT min(id) FILTER (WHERE category = 'todo'), min(id) FILTER (WHERE category = 'done') "
            "FROM ticket_statuses WHERE type_id = %s",
            (type_id,),
        ).fetchone()
        started = time.perf_counter()
        # g < due: the warning time passed within the last minute; g < open: pending within 30 days.
        conn.execute(
            """
            INSERT INTO tickets (project_id, type_id, status_id, number, title, description, priority, source,
                fields, metadata, board_rank, created_at, updated_at, public_updated_at, sla_cycle,
                sla_policy_id, first_response_warn_at, first_response_due_at, resolution_warn_at,
                resolution_due_at, sla_next_due_at, sla_next_check_at, first_responded_at, resolved_at)
            SELECT %(project)s, %(type)s, CASE WHEN g < %(open)s THEN %(open_status)s ELSE %(done_status)s END,
                g + 1, 'Bench ticket ' || g, '', 'normal', 'web', '{}', '{}', g, c, c, c, 0,
                %(policy)s,
                CASE WHEN g < %(open)s THEN w END, CASE WHEN g < %(open)s THEN w + interval '4 hours' END,
                CASE WHEN g < %(open)s THEN w + interval '1 day' END,
                CASE WHEN g < %(open)s THEN w + interval '2 days' END,
                CASE WHEN g < %(open)s THEN w + interval '4 hours' END,
                CASE WHEN g < %(open)s THEN w END,
                NULL, CASE WHEN g >= %(open)s THEN c + interval '1 day' END
            FROM (
                SELECT g, %(now)s::timestamptz - interval '400 days' + g * interval '30 seconds' AS c,
                    CASE WHEN g < %(due)s THEN %(now)s::timestamptz - random() * interval '59 seconds'
                         ELSE %(now)s::timestamptz + interval '2 minutes' + random() * interval '30 days' END AS w
                FROM generate_series(0, %(tickets)s - 1) g
            ) r
            """,
            {
                "project": project_id,
                "type": type_id,
                "policy": policy_id,
                "open": args.open,
                "due": args.due,
                "tickets": args.tickets,
                "open_status": open_status,
                "done_status": done_status,
                "now": now,
            },
        )
        conn.execute("UPDATE projects SET last_ticket_number = %s WHERE id = %s", (args.tickets, project_id))
        loaded = time.perf_counter()
        conn.execute("SET session_replication_role = origin")
        for _, definition in indexes:
            conn.execute(definition)
        indexed = time.perf_counter()
        conn.execute("VACUUM ANALYZE tickets")
        done = time.perf_counter()
    print(
        f"loaded {args.tickets:,} tickets ({args.open:,} open, {args.due:,} due) in {loaded - started:.0f} s; "
        f"{len(indexes)} indexes rebuilt in {indexed - loaded:.0f} s, VACUUM ANALYZE {done - indexed:.0f} s",
        flush=True,
    )


def bench(database_url: str, args: argparse.Namespace, now: datetime) -> list[str]:
    """Print the plan and the timings; the budgets missed."""
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.engine import make_url
    from sqlmodel import Session

    from tickit.db import create_db_engine
    from tickit.services import sla_sweep

    engine = create_db_engine(make_url(database_url).set(drivername="postgresql+psycopg"))
    missed: list[str] = []

    selection = sla_sweep.due_tickets_query(now, sla_sweep.BATCH).compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
    )
    with psycopg.connect(database_url) as conn:
        plan = conn.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {selection}").fetchall()
    print("query plan of the sweep's selection:")
    for (line,) in plan:
        print(f"  {line}")

    quiet_at = now - timedelta(minutes=2)  # before anything is due: the pass finds nothing

    def quiet_pass() -> int:
        with Session(engine) as session:
            examined, fired = sla_sweep.sweep_batch(session=session, now=quiet_at)
            session.rollback()
        return examined + len(fired)

    for _ in range(2):
        quiet_pass()
    timings = []
    for _ in range(args.runs):
        started = time.perf_counter()
        found = quiet_pass()
        timings.append((time.perf_counter() - started) * 1000)
    median, p95 = statistics.median(timings), statistics.quantiles(timings, n=20, method="inclusive")[-1]
    print(f"sweep with nothing due: median {median:.1f} ms, p95 {p95:.1f} ms ({found} tickets examined)", flush=True)
    if p95 > QUIET_BUDGET_MS:
        missed.append(f"quiet sweep p95 {p95:.0f} ms > {QUIET_BUDGET_MS} ms")

    def unit_of_work():
        return _committing(Session(engine, expire_on_commit=False))

    started = time.perf_counter()
    fired = sla_sweep.sweep(unit_of_work=unit_of_work, now=now + timedelta(seconds=1))
    took = time.perf_counter() - started
    print(f"sweep firing {len(fired):,} warnings and breaches: {took:.2f} s", flush=True)
    if took > FIRING_BUDGET_S:
        missed.append(f"firing sweep {took:.1f} s > {FIRING_BUDGET_S} s")
    engine.dispose()
    return missed


@contextmanager
def _committing(session):
    with session:
        yield session
        session.commit()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not 0 <= args.due <= args.open <= args.tickets:
        raise SystemExit("--due <= --open <= --tickets")
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
