"""Rate-limit counters kept in the database: pruned once their window is long over."""

from __future__ import annotations

import time

from sqlalchemy import text

from tickit.services import ratelimit


def _counters(session) -> dict[str, int]:
    rows = session.connection().execute(text("SELECT key, window_start FROM rate_limit_counters")).all()
    return {key: start for key, start in rows}


def test_pruning_drops_counters_of_windows_over_a_day_ago_and_keeps_the_live_ones(session):
    now = int(time.time())
    for key, start in (("login:old", now - 25 * 3600), ("api:1", now - 3600)):
        session.connection().execute(
            text("INSERT INTO rate_limit_counters (key, window_start, count) VALUES (:key, :start, 3)"),
            {"key": key, "start": start},
        )
    ratelimit.hit(session, "login:now", window_seconds=900)

    assert ratelimit.prune(session=session) == 1

    assert set(_counters(session)) == {"api:1", "login:now"}
    assert ratelimit.count(session, "login:now", window_seconds=900) == 1
