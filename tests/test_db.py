"""The engine's transaction helpers (tickit.db), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from tickit.db import execute_last
from tickit.models import RateLimitCounter

COUNTERS = RateLimitCounter.__table__
ADD = insert(COUNTERS).values(window_start=0, count=1)


def keys(connection) -> list[str]:
    return connection.execute(select(COUNTERS.c.key).order_by(COUNTERS.c.key)).scalars().all()


def test_a_failed_last_statement_rolls_back_to_its_savepoint_and_the_next_one_commits_many_times_over(engine):
    """As an intake that loses a race: a savepoint, a last statement that fails, back to the
    savepoint, another last statement, the commit. Rounds past psycopg's prepare threshold (5
    runs of a statement) on one connection, so the statements are prepared by then."""
    with engine.connect() as connection:
        for round_ in range(12):
            execute_last(connection, ADD, {"key": f"filed-{round_}"})
            connection.commit()
            savepoint = connection.begin_nested()
            with pytest.raises(IntegrityError):
                execute_last(connection, ADD, {"key": f"filed-{round_}"})
            savepoint.rollback()
            execute_last(connection, ADD, {"key": f"replayed-{round_}"})
            connection.commit()
        assert keys(connection) == sorted(f"{kind}-{round_}" for kind in ("filed", "replayed") for round_ in range(12))


def test_on_postgresql_the_commit_goes_with_the_last_statement(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite commits when the session or connection does")
    with engine.connect() as connection, engine.connect() as other:
        execute_last(connection, ADD, {"key": "a"})
        assert keys(other) == ["a"]  # committed before the caller's own commit
        connection.commit()
    with engine.connect() as connection:
        assert keys(connection) == ["a"]
