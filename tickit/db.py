"""Engine and session scope.

SQLite gets WAL, a busy timeout, foreign keys, and BEGIN IMMEDIATE so that two writers
queue on the lock instead of failing with "database is locked" when a read transaction
tries to become a write transaction.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine
from sqlmodel import Session, create_engine

from tickit.config import get_settings

SQLITE_BUSY_TIMEOUT_MS = 15_000


def create_db_engine(url: URL) -> Engine:
    """An engine for `url`, configured for TickIt's workload on SQLite or PostgreSQL."""
    if url.get_backend_name() != "sqlite":
        # At most 30 connections a process, most of them kept between requests:
        # connections past pool_size are closed when returned, and reopening them costs more
        # than the queries a busy API worker runs on them.
        return create_engine(url, pool_pre_ping=True, pool_size=20, max_overflow=10)
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
