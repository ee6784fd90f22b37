"""Sign-in throttling: growing delays per (account, address) and per address, never a lock-out.

A guesser is slowed where they guess from; the owner signing in from an address that has not been
failing is never held up, whatever others try against their account. Each attempt is counted
before its password is checked, in one atomic step that also decides whether it may be checked at
all, so parallel guesses cannot slip past the count together. A correct password takes its attempt
back. Counted in Redis when configured (one Lua script), otherwise, or while Redis fails, in the
database (a row lock on PostgreSQL; SQLite's write transactions are serial already).
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from redis.exceptions import RedisError
from sqlalchemy import delete, text
from sqlmodel import Session, select

from tickit.config import get_settings
from tickit.models import SignInThrottle
from tickit.services import ratelimit
from tickit.services.errors import RateLimited

# Failures allowed without delay; a few typos from home never meet a delay, a guesser soon does.
FREE_FAILURES_PER_ACCOUNT_AND_ADDRESS = 5
# Higher, since several people behind one office router may each mistype.
FREE_FAILURES_PER_ADDRESS = 20
# Past the free failures the wait doubles with each failure, from a second up to a quarter hour.
FIRST_DELAY_SECONDS = 1
MAX_DELAY_SECONDS = 15 * 60
# Failures are forgotten once a day has passed without any; a success forgets them at once.
FORGET_AFTER_SECONDS = 24 * 3600
# An IPv6 client usually holds a whole /64, so one throttle covers it.
IPV6_PREFIX_LENGTH = 64
REFUSAL = "Too many failed sign-in attempts"

logger = logging.getLogger(__name__)

# The throttle's clock in unix seconds; tests hold it still.
clock: Callable[[], float] = time.time


@dataclass(frozen=True)
class Throttle:
    """One counter of failed sign-ins and the delays it imposes."""

    key: str
    free_failures: int

    def delay_after(self, failures: int) -> float:
        """Seconds the next attempt must wait after the `failures`-th failure."""
        if failures < self.free_failures:
            return 0
        return min(FIRST_DELAY_SECONDS * 2 ** (failures - self.free_failures), MAX_DELAY_SECONDS)

    def schedule(self) -> list[float]:
        """`delay_after(1)`, `delay_after(2)`, … up to the first that reaches the maximum, which holds after it."""
        delays = [self.delay_after(1)]
        while delays[-1] < MAX_DELAY_SECONDS:
            delays.append(self.delay_after(len(delays) + 1))
        return delays


def _hashed(*parts: str) -> str:
    # Keys hold no email or address in the clear, and have one length however long the input.
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _address_group(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, IPV6_PREFIX_LENGTH), strict=False))
    return str(ip)


def throttles_for(email: str, address: str) -> tuple[Throttle, Throttle]:
    """The (account, address) throttle and the address's, for a sign-in as `email` from `address`."""
    group = _address_group(address)
    pair = _hashed(email.strip().lower(), group)
    return (
        Throttle(f"signin:account-address:{pair}", FREE_FAILURES_PER_ACCOUNT_AND_ADDRESS),
        Throttle(f"signin:address:{_hashed(group)}", FREE_FAILURES_PER_ADDRESS),
    )


def admit(*, session: Session, email: str, address: str) -> None:
    """Count a sign-in attempt as `email` from `address` before its password is checked.

    Raises RateLimited, counting nothing, while either throttle still holds the attempt back. The
    count is written in `session` (when not in Redis): the caller commits it before checking the
    password, so it stands even when the check fails or is never made.
    """
    pair, by_address = throttles_for(email, address)
    wait = _admit_in_redis(pair, by_address) if get_settings().redis_url else None
    if wait is None:
        wait = _admit_in_database(session, pair, by_address)
    if wait > 0:
        raise RateLimited(math.ceil(wait), REFUSAL)


def succeeded(*, session: Session, email: str, address: str) -> None:
    """The password was right: forget the pair's failures, and give the address its attempt back."""
    pair, by_address = throttles_for(email, address)
    if get_settings().redis_url:
        try:
            _success_script(ratelimit.redis_client())(keys=[pair.key, by_address.key])
            return
        except RedisError:
            logger.warning("Redis failed recording a sign-in; recording it in the database", exc_info=True)
    session.exec(delete(SignInThrottle).where(SignInThrottle.key == pair.key))
    row = session.exec(select(SignInThrottle).where(SignInThrottle.key == by_address.key).with_for_update()).first()
    if row is not None and row.failures > 0:
        row.failures -= 1
        session.add(row)
    session.flush()


def prune(*, session: Session) -> int:
    """Drop the database's throttles whose failures are forgotten by now; returns how many."""
    result = session.exec(delete(SignInThrottle).where(SignInThrottle.forget_at < clock()))
    return int(result.rowcount or 0)


def _admit_in_database(session: Session, *throttles: Throttle) -> float:
    now = clock()
    rows = []
    # Sorted, so two attempts lock the same rows in the same order and cannot deadlock.
    for throttle in sorted(throttles, key=lambda t: t.key):
        session.connection().execute(
            text(
                "INSERT INTO sign_in_throttles (key, failures, blocked_until, forget_at) "
                "VALUES (:key, 0, 0, 0) ON CONFLICT (key) DO NOTHING"
            ),
            {"key": throttle.key},
        )
        # FOR UPDATE: a parallel attempt on PostgreSQL waits here, then reads this attempt's count.
        query = select(SignInThrottle).where(SignInThrottle.key == throttle.key).with_for_update()
        row = session.exec(query.execution_options(populate_existing=True)).one()
        if row.forget_at < now:
            row.failures, row.blocked_until = 0, 0
        rows.append((throttle, row))
    wait = max(row.blocked_until - now for _, row in rows)
    if wait > 0:
        return wait
    for throttle, row in rows:
        row.failures += 1
        row.blocked_until = now + throttle.delay_after(row.failures)
        row.forget_at = now + FORGET_AFTER_SECONDS
        session.add(row)
    session.flush()
    return 0


# KEYS: the throttles. ARGV: now, seconds until forgotten, then for each key the length of its
# schedule followed by the schedule (the delay after each failure; the last holds beyond it).
# Checks every key before counting any, so a refused attempt counts nowhere.
_ADMIT_SCRIPT = """
local now = tonumber(ARGV[1])
local wait = 0
for _, key in ipairs(KEYS) do
  local blocked_until = tonumber(redis.call('HGET', key, 'blocked_until') or '0')
  wait = math.max(wait, blocked_until - now)
end
if wait > 0 then return tostring(wait) end
local at = 3
for _, key in ipairs(KEYS) do
  local length = tonumber(ARGV[at])
  local failures = redis.call('HINCRBY', key, 'failures', 1)
  local delay = tonumber(ARGV[at + math.min(failures, length)])
  redis.call('HSET', key, 'blocked_until', tostring(now + delay))
  redis.call('EXPIRE', key, ARGV[2])
  at = at + length + 1
end
return '0'
"""

# KEYS[1]: the pair's throttle, forgotten; KEYS[2]: the address's, refunded one failure.
_SUCCESS_SCRIPT = """
redis.call('DEL', KEYS[1])
if tonumber(redis.call('HGET', KEYS[2], 'failures') or '0') > 0 then
  redis.call('HINCRBY', KEYS[2], 'failures', -1)
end
return 0
"""


@functools.cache
def _admit_script(client):
    return client.register_script(_ADMIT_SCRIPT)


@functools.cache
def _success_script(client):
    return client.register_script(_SUCCESS_SCRIPT)


def _admit_in_redis(*throttles: Throttle) -> float | None:
    """Seconds to wait (0: admitted and counted), or None when Redis failed and the database must count."""
    args: list[str | float | int] = [repr(clock()), FORGET_AFTER_SECONDS]
    for throttle in throttles:
        schedule = throttle.schedule()
        args += [len(schedule), *schedule]
    try:
        return float(_admit_script(ratelimit.redis_client())(keys=[t.key for t in throttles], args=args))
    except RedisError:
        logger.warning("Redis failed counting a sign-in attempt; counting it in the database", exc_info=True)
        return None
