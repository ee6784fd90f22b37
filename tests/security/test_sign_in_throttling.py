"""Issue 13, point 1: sign-in slows a guesser where they guess from, and never locks the owner out."""

from __future__ import annotations

import socket
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from starlette.requests import Request

from tests.factories import PASSWORD, make_user
from tests.security.sign_in_form import login_error, sign_in_form
from tickit import routes
from tickit.api.client_address import client_address
from tickit.config import get_settings
from tickit.db import session_scope
from tickit.services import auth, ratelimit, sign_in_throttle
from tickit.services.errors import RateLimited, ValidationFailed

PER_PAIR = sign_in_throttle.FREE_FAILURES_PER_ACCOUNT_AND_ADDRESS
PER_ADDRESS = sign_in_throttle.FREE_FAILURES_PER_ADDRESS
OWNER_AT_HOME = "198.51.100.20"
GUESSER = "203.0.113.66"
PROXY = "10.0.0.2"


class HeldClock:
    """The throttle's clock, standing still until the test moves it on."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> HeldClock:
    held = HeldClock()
    monkeypatch.setattr(sign_in_throttle, "clock", held)
    return held


@pytest.fixture(params=["database", "redis"])
def counting(request, engine, settings_env):
    """Where attempts are counted: in the database (each backend), or in a Redis of the test's own."""
    if request.param == "redis":
        if engine.dialect.name != "sqlite":
            pytest.skip("Redis counts alike whatever the database; once is enough")
        settings_env(REDIS_URL=request.getfixturevalue("private_redis").url)
    ratelimit._redis.cache_clear()
    yield request.param
    ratelimit._redis.cache_clear()


def _account(engine, role: str = "client"):
    with session_scope(engine) as session:
        return make_user(session, role)


def _sign_in(engine, email: str, password: str, address: str):
    return auth.sign_in_with_password(engine=engine, email=email, password=password, ip=address)


def _fail(engine, email: str, address: str, times: int = 1) -> None:
    for _ in range(times):
        with pytest.raises(auth.SignInFailed):
            _sign_in(engine, email, "a wrong guess", address)


def test_guessing_from_one_address_does_not_keep_the_owner_out_from_another(engine, counting, clock):
    owner = _account(engine, "admin")
    _fail(engine, owner.email, GUESSER, times=PER_PAIR)

    with pytest.raises(RateLimited):
        _sign_in(engine, owner.email, PASSWORD, GUESSER)
    assert _sign_in(engine, owner.email, PASSWORD, OWNER_AT_HOME).id == owner.id


def test_each_further_failure_doubles_the_wait(engine, counting, clock):
    owner = _account(engine)
    _fail(engine, owner.email, GUESSER, times=PER_PAIR)
    waits = []
    for _ in range(3):
        with pytest.raises(RateLimited) as caught:
            _sign_in(engine, owner.email, "another guess", GUESSER)
        waits.append(caught.value.retry_after)
        clock.advance(caught.value.retry_after)
        _fail(engine, owner.email, GUESSER)

    assert waits == [1, 2, 4]


def test_once_the_wait_is_over_the_right_password_gets_in_and_forgets_the_failures(engine, counting, clock):
    owner = _account(engine)
    _fail(engine, owner.email, GUESSER, times=PER_PAIR)
    with pytest.raises(RateLimited) as caught:
        _sign_in(engine, owner.email, PASSWORD, GUESSER)
    clock.advance(caught.value.retry_after)

    assert _sign_in(engine, owner.email, PASSWORD, GUESSER).id == owner.id
    _fail(engine, owner.email, GUESSER, times=PER_PAIR)


def test_guessing_many_accounts_from_one_address_slows_that_address_only(engine, counting, clock):
    owner = _account(engine)
    for n in range(PER_ADDRESS):
        _fail(engine, f"made-up-{n}@example.com", GUESSER)

    with pytest.raises(RateLimited):
        _sign_in(engine, owner.email, PASSWORD, GUESSER)
    assert _sign_in(engine, owner.email, PASSWORD, OWNER_AT_HOME).id == owner.id


def test_addresses_of_one_ipv6_network_are_slowed_together(engine, counting, clock):
    owner = _account(engine)
    for n in range(PER_ADDRESS):
        _fail(engine, f"made-up-{n}@example.com", f"2001:db8:1:2::{n + 1:x}")

    with pytest.raises(RateLimited):
        _sign_in(engine, owner.email, PASSWORD, "2001:db8:1:2:ffff::1")
    assert _sign_in(engine, owner.email, PASSWORD, "2001:db8:1:3::1").id == owner.id


def test_parallel_guesses_are_each_counted_before_any_is_checked(engine, counting, clock):
    owner = _account(engine)
    guesses = 20
    start = threading.Barrier(guesses)

    def guess(n: int) -> str:
        start.wait()
        try:
            _sign_in(engine, owner.email, f"guess {n}", GUESSER)
        except (auth.SignInFailed, RateLimited) as refusal:
            return type(refusal).__name__
        return "signed in"

    with ThreadPoolExecutor(max_workers=guesses) as pool:
        outcomes = Counter(pool.map(guess, range(guesses)))

    assert outcomes == {"SignInFailed": PER_PAIR, "RateLimited": guesses - PER_PAIR}


def test_an_over_long_email_is_a_clear_error_and_its_attempt_counts(engine, counting, clock):
    owner = _account(engine)
    for n in range(PER_ADDRESS):
        with pytest.raises(ValidationFailed) as caught:
            _sign_in(engine, f"{n}{'a' * auth.MAX_EMAIL_LENGTH}@example.com", PASSWORD, GUESSER)
        assert caught.value.errors == {"email": auth.EMAIL_TOO_LONG}

    with pytest.raises(RateLimited):
        _sign_in(engine, owner.email, PASSWORD, GUESSER)


def test_the_form_answers_an_over_long_email_with_a_message(engine, settings_env):
    with sign_in_form(engine, settings_env) as post:
        answer = post("a" * 400 + "@example.com", "whatever", peer=GUESSER)

    assert login_error(answer) == "email_too_long"


def test_behind_a_trusted_proxy_one_clients_failures_do_not_slow_another(engine, settings_env, clock):
    owner = _account(engine)
    with sign_in_form(engine, settings_env, TICKIT_TRUSTED_PROXIES="10.0.0.0/8") as post:
        for n in range(PER_ADDRESS):
            refused = post(f"made-up-{n}@example.com", "guess", peer=PROXY, headers={"x-forwarded-for": GUESSER})
            assert login_error(refused) == "invalid"
        held_back = post("made-up@example.com", "guess", peer=PROXY, headers={"x-forwarded-for": GUESSER})
        owner_in = post(owner.email, PASSWORD, peer=PROXY, headers={"x-forwarded-for": OWNER_AT_HOME})

    assert login_error(held_back) == "rate"
    assert (login_error(owner_in), owner_in.headers["location"]) == ("", routes.PORTAL)


def test_a_client_that_is_no_trusted_proxy_cannot_name_another_address(engine, settings_env, clock):
    owner = _account(engine)
    with sign_in_form(engine, settings_env, TICKIT_TRUSTED_PROXIES="10.0.0.0/8") as post:
        for n in range(PER_ADDRESS):
            spoofed = {"x-forwarded-for": f"198.51.100.{n}", "forwarded": f"for=198.51.100.{n}"}
            assert login_error(post(f"made-up-{n}@example.com", "guess", peer=GUESSER, headers=spoofed)) == "invalid"
        held_back = post(owner.email, PASSWORD, peer=GUESSER, headers={"x-forwarded-for": OWNER_AT_HOME})

    assert login_error(held_back) == "rate"


def _request(peer: str, *headers: tuple[str, str]) -> Request:
    raw = [(name.encode(), value.encode()) for name, value in headers]
    return Request({"type": "http", "client": (peer, 443), "headers": raw})


@pytest.mark.parametrize(
    ("peer", "headers", "client"),
    [
        (PROXY, [("x-forwarded-for", GUESSER)], GUESSER),
        # Whatever the client wrote itself stands left of what the proxies appended.
        (PROXY, [("x-forwarded-for", f"{OWNER_AT_HOME}, {GUESSER}, 10.0.0.9")], GUESSER),
        (PROXY, [("x-forwarded-for", OWNER_AT_HOME), ("x-forwarded-for", GUESSER)], GUESSER),
        (PROXY, [("forwarded", 'for="[2001:db8::7]:4711";proto=https, for=10.0.0.9')], "2001:db8::7"),
        (PROXY, [("forwarded", "for=192.0.2.60:8080")], "192.0.2.60"),
        (PROXY, [("forwarded", "for=unknown")], PROXY),
        (PROXY, [], PROXY),
        (GUESSER, [("x-forwarded-for", OWNER_AT_HOME)], GUESSER),
    ],
)
def test_the_client_is_the_last_address_before_the_trusted_proxies(settings_env, peer, headers, client):
    settings_env(TICKIT_TRUSTED_PROXIES="10.0.0.0/8")
    assert get_settings().trusted_proxies
    assert client_address(_request(peer, *headers)) == client


def test_without_trusted_proxies_forwarded_headers_are_ignored(settings_env):
    settings_env(TICKIT_TRUSTED_PROXIES="")
    assert client_address(_request(PROXY, ("x-forwarded-for", GUESSER))) == PROXY


def test_with_redis_unreachable_attempts_are_still_counted_in_the_database(engine, settings_env, clock):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        settings_env(REDIS_URL=f"redis://127.0.0.1:{probe.getsockname()[1]}/0")
    ratelimit._redis.cache_clear()
    try:
        owner = _account(engine)
        _fail(engine, owner.email, GUESSER, times=PER_PAIR)
        with pytest.raises(RateLimited):
            _sign_in(engine, owner.email, PASSWORD, GUESSER)
        assert _sign_in(engine, owner.email, PASSWORD, OWNER_AT_HOME).id == owner.id
    finally:
        ratelimit._redis.cache_clear()
