"""Engine and session scope.

SQLite gets WAL, a busy timeout, foreign keys, and BEGIN IMMEDIATE so that two writers
queue on the lock instead of failing with "database is locked" when a read transaction
tries to become a write transaction.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import psycopg
from sqlalchemy import Executable, event
from sqlalchemy.engine import URL, Connection, CursorResult, Engine
from sqlmodel import Session, create_engine

from tickit.config import get_settings

SQLITE_BUSY_TIMEOUT_MS = 15_000


def create_db_engine(url: URL) -> Engine:
    """An engine for `url`, configured for TickIt's workload on SQLite or PostgreSQL."""
    if url.get_backend_name() != "sqlite":
        # At most 30 connections a process, as before, but most of them kept between requests:
        # connections past pool_size are closed when returned, and reopening them costs more
        # than the queries a busy API worker runs on them.
        engine = create_engine(url, pool_pre_ping=True, pool_size=20, max_overflow=10)
        if psycopg.Pipeline.is_supported():  # libpq 14 or later
            event.listen(engine, "do_execute", _send_commit_along)
        return engine
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
    )

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see `_begin`).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


# The execution option by which `execute_last` asks `_send_commit_along` to commit with the statement.
_COMMIT_ALONG = "tickit_commit_along"


def execute_last(connection: Connection, statement: Executable, parameters: Mapping[str, Any]) -> CursorResult:
    """Run the last statement of the connection's transaction; on PostgreSQL the COMMIT goes with it.

    Rows a statement writes stay locked until the commit. Sent on its own, the COMMIT waits for
    this process to get to it (under load, behind every other thread wanting the GIL), and every
    other writer of those rows waits too: for a row every request writes, such as a project's
    ticket numbering or an API client's usage, that wait is what limits throughput. Sent in the
    same round trip (psycopg's pipeline mode), the locks last as long as the server's own work.

    The caller still commits the session, as after any statement: on PostgreSQL that finds the
    transaction ended and costs no round trip (its after-commit hooks run as usual); elsewhere it
    is the commit. Nothing may run on the connection in between. When the statement fails,
    nothing is committed and the transaction is left as any failed statement leaves it.
    """
    return connection.execute(statement, parameters, execution_options={_COMMIT_ALONG: True})


def _send_commit_along(cursor, statement, parameters, context) -> bool:
    """SQLAlchemy's `do_execute` hook: the cursor's execute, plus a COMMIT in the same flight when asked to."""
    if not context.execution_options.get(_COMMIT_ALONG):
        return False
    connection = cursor.connection
    failed: psycopg.Error | None = None
    try:
        with connection.pipeline():
            try:
                cursor.execute(statement, parameters)
                connection.commit()  # queues the COMMIT and sends both
            except psycopg.Error as error:
                # The statement's own error: raised once the pipeline has ended, instead of psycopg
                # logging a warning as it ends with an error of its own.
                failed = error
    except psycopg.errors.PipelineAborted:
        if failed is None:
            raise
        # Otherwise it is the COMMIT, which the server skipped behind the failed statement.
    if failed is not None:
        raise failed
    return True


@functools.cache
def get_engine() -> Engine:
    """The process-wide engine for DATABASE_URL."""
    return create_db_engine(get_settings().database_url)


def dispose_engine() -> None:
    """Close pooled connections (on SQLite the last close checkpoints the WAL into the file)."""
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_engine.cache_clear()


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One unit of work: commits when the block ends, rolls back when it raises."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
