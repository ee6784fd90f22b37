"""Sign-in throttles kept in the database: failures are forgotten after a quiet day, then pruned."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tickit.models import SignInThrottle
from tickit.services import sign_in_throttle
from tickit.services.errors import RateLimited

GUESSER = "203.0.113.9"


@pytest.fixture
def now(monkeypatch) -> list[float]:
    """The throttle's clock, held; move it on by changing `now[0]`."""
    held = [1_800_000_000.0]
    monkeypatch.setattr(sign_in_throttle, "clock", lambda: held[0])
    return held


def _attempts(session, email: str, times: int) -> None:
    for _ in range(times):
        sign_in_throttle.admit(session=session, email=email, address=GUESSER)


def test_failures_are_forgotten_a_day_after_the_last(session, now):
    _attempts(session, "ada@example.com", sign_in_throttle.FREE_FAILURES_PER_ACCOUNT_AND_ADDRESS)
    with pytest.raises(RateLimited):
        _attempts(session, "ada@example.com", 1)

    now[0] += sign_in_throttle.FORGET_AFTER_SECONDS + 1

    _attempts(session, "ada@example.com", sign_in_throttle.FREE_FAILURES_PER_ACCOUNT_AND_ADDRESS)


def test_pruning_drops_the_forgotten_throttles_and_keeps_the_live_ones(session, now):
    _attempts(session, "old@example.com", 1)
    now[0] += sign_in_throttle.FORGET_AFTER_SECONDS / 2
    _attempts(session, "new@example.com", 1)
    now[0] += sign_in_throttle.FORGET_AFTER_SECONDS / 2 + 1

    # The old pair's throttle is forgotten; the address's was renewed by the second attempt.
    assert sign_in_throttle.prune(session=session) == 1

    live = set(session.exec(select(SignInThrottle.key)))
    assert live == {t.key for t in sign_in_throttle.throttles_for("new@example.com", GUESSER)}


def test_throttles_hold_neither_the_email_nor_the_address(session, now):
    _attempts(session, "ada@example.com", 1)

    keys = " ".join(session.exec(select(SignInThrottle.key)))
    assert "ada" not in keys and GUESSER not in keys
