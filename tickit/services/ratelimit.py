"""Fixed-window rate limits, counted in Redis when configured, otherwise in the database."""

from __future__ import annotations

import functools
import logging
import time

from redis.exceptions import RedisError
from sqlalchemy import text
from sqlmodel import Session

from tickit.config import get_settings
from tickit.models.base import utcnow

logger = logging.getLogger(__name__)

# Long enough for a busy server's answer, short enough that a hung Redis cannot stall a request.
REDIS_TIMEOUT_SECONDS = 5
# Longer than any window a limit counts in, so no live count is dropped.
COUNTER_RETENTION_SECONDS = 24 * 3600


@functools.cache
def _redis():
    import redis

    return redis.Redis.from_url(get_settings().redis_url, socket_timeout=REDIS_TIMEOUT_SECONDS)


def redis_client():
    """The process's client of REDIS_URL for counting (sign-in throttling counts there too)."""
    return _redis()


# Count a hit and start the window's expiry with the first one: one command, one round trip
# (a MULTI/INCR/EXPIRE/EXEC pipeline is four commands on every API request).
_HIT_SCRIPT = """
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return hits
"""


@functools.cache
def _hit_script(client):
    return client.register_script(_HIT_SCRIPT)


def _window(window_seconds: int) -> tuple[int, int]:
    # The project's clock, so a test can say what time it is.
    now = int(utcnow().timestamp())
    start = now - now % window_seconds
    return start, start + window_seconds - now


def count(session: Session, key: str, *, window_seconds: int) -> int:
    """How many hits `key` has in the current window (in Redis, plus any counted in the database while it failed)."""
    start, _ = _window(window_seconds)
    in_redis = 0
    if get_settings().redis_url:
        try:
            in_redis = int(_redis().get(f"tickit:rl:{key}:{start}") or 0)
        except RedisError:
            logger.warning("Redis failed reading %s; using the database's count", key, exc_info=True)
    row = (
        session.connection()
        .execute(
            text("SELECT count FROM rate_limit_counters WHERE key = :key AND window_start = :start"),
            {"key": key, "start": start},
        )
        .first()
    )
    return in_redis + (row[0] if row else 0)


def hit(session: Session, key: str, *, window_seconds: int) -> int:
    """Count one hit for `key` and return the window's new total.

    When Redis fails (down, or too slow to answer), the hit is counted in the database instead:
    a limit that protects sign-in must not switch off, and a request must not fail for it.
    """
    start, remaining = _window(window_seconds)
    if get_settings().redis_url:
        redis_key = f"tickit:rl:{key}:{start}"
        try:
            return int(_hit_script(_redis())(keys=[redis_key], args=[remaining + 1]))
        except RedisError:
            logger.warning("Redis failed counting %s; counting it in the database", key, exc_info=True)
    # Upsert keeps concurrent hits exact without a read-modify-write race.
    return (
        session.connection()
        .execute(
            text(
                "INSERT INTO rate_limit_counters (key, window_start, count) VALUES (:key, :start, 1) "
                "ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limit_counters.count + 1 "
                "RETURNING count"
            ),
            {"key": key, "start": start},
        )
        .one()[0]
    )


def seconds_left(window_seconds: int) -> int:
    """Seconds until the current window ends (the Retry-After of a refusal)."""
    return _window(window_seconds)[1]


def prune(*, session: Session, older_than_seconds: int = COUNTER_RETENTION_SECONDS) -> int:
    """Drop database counters of windows that started more than `older_than_seconds` ago; returns how many."""
    cutoff = int(time.time()) - older_than_seconds
    result = session.connection().execute(
        text("DELETE FROM rate_limit_counters WHERE window_start < :cutoff"), {"cutoff": cutoff}
    )
    return int(result.rowcount or 0)
