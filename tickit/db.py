"""Engine and session scope.

SQLite gets WAL, a busy timeout, foreign keys, and BEGIN IMMEDIATE so that two writers
queue on the lock instead of failing with "database is locked" when a read transaction
tries to become a write transaction. A read-only scope begins deferred instead: in WAL mode
readers neither wait for the writer nor hold it up, so a slow search does not queue every
other event behind it; the database refuses any write in it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine
from sqlmodel import Session, create_engine

from tickit.config import get_settings
from tickit.private_files import create_private

SQLITE_BUSY_TIMEOUT_MS = 15_000
# The execution option that marks a read-only transaction, read by the SQLite `begin` listener.
READ_ONLY_OPTION = "tickit_read_only"


def create_db_engine(url: URL) -> Engine:
    """An engine for `url`, configured for TickIt's workload on SQLite or PostgreSQL."""
    if url.get_backend_name() != "sqlite":
        # At most 30 connections a process, most of them kept between requests:
        # connections past pool_size are closed when returned, and reopening them costs more
        # than the queries a busy API worker runs on them.
        return create_engine(url, pool_pre_ping=True, pool_size=20, max_overflow=10)
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        create_private(Path(url.database))
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
        read_only = bool(conn.get_execution_options().get(READ_ONLY_OPTION))
        # A pooled connection keeps its pragmas, so every transaction sets query_only afresh.
        conn.exec_driver_sql(f"PRAGMA query_only={int(read_only)}")
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


@functools.cache
def get_engine() -> Engine:
    """The process-wide engine for DATABASE_URL."""
    return create_db_engine(get_settings().database_url)


def dispose_engine() -> None:
    """Close pooled connections (on SQLite the last close checkpoints the WAL into the file)."""
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_engine.cache_clear()


def _read_only(engine: Engine) -> Engine:
    """`engine` with its transactions read-only: deferred on SQLite, READ ONLY on PostgreSQL."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(**{READ_ONLY_OPTION: True}, postgresql_readonly=True)
    return engine.execution_options(**{READ_ONLY_OPTION: True})


@contextmanager
def session_scope(engine: Engine | None = None, *, read_only: bool = False) -> Iterator[Session]:
    """One unit of work: commits when the block ends, rolls back when it raises.

    `read_only` is for work that only reads: on SQLite its transaction does not take the write lock,
    so a slow read holds up no writer, and the database refuses any write made in it.
    """
    bind = engine or get_engine()
    with Session(_read_only(bind) if read_only else bind, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
