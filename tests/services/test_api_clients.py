"""API clients: tokens shown once and stored hashed, admission, revocation and the rate limit."""

import hashlib
import socket
import time

import pytest
import redis
from sqlmodel import select

from tests.factories import make_api_client, make_project, make_user
from tickit.config import get_settings
from tickit.models import ApiClient
from tickit.services import api_clients, ratelimit
from tickit.services.errors import NotFound, PermissionDenied, RateLimited, Unauthenticated, ValidationFailed


@pytest.fixture
def project(session):
    return make_project(session, "HH")


def test_a_new_token_is_long_random_recognisable_and_stored_only_as_its_hash(session, project):
    first, second = make_api_client(session, name="Shop"), make_api_client(session, name="CRM")
    assert first.token.startswith("tk_") and second.token.startswith("tk_")
    assert first.token != second.token
    assert len(first.token) - 3 >= 43  # 32 random bytes in URL-safe base64: 256 bits
    row = session.get(ApiClient, first.client.id)
    assert row.token_hash == hashlib.sha256(first.token.encode()).hexdigest()
    stored = " ".join(str(v) for v in row.model_dump().values())
    assert first.token not in stored
    assert first.client.token_prefix == first.token[:9] and first.token.startswith(row.token_prefix)


def test_only_admins_manage_api_clients(session, project):
    agent = make_user(session, "agent")
    with pytest.raises(PermissionDenied):
        api_clients.create_api_client(session=session, actor=agent, project_key="HH", name="Shop")
    with pytest.raises(PermissionDenied):
        api_clients.list_api_clients(session=session, actor=agent, project_key="HH")
    created = make_api_client(session)
    with pytest.raises(PermissionDenied):
        api_clients.revoke_api_client(session=session, actor=agent, project_key="HH", client_id=created.client.id)


def test_a_name_is_required_and_unique_among_the_projects_active_clients(session, project):
    admin = make_user(session, "admin")
    with pytest.raises(ValidationFailed) as caught:
        api_clients.create_api_client(session=session, actor=admin, project_key="HH", name="  ")
    assert "name" in caught.value.errors
    shop = make_api_client(session, name="Shop")
    with pytest.raises(ValidationFailed) as caught:
        api_clients.create_api_client(session=session, actor=admin, project_key="HH", name="Shop")
    assert "already has an active client" in caught.value.errors["name"]
    api_clients.revoke_api_client(session=session, actor=admin, project_key="HH", client_id=shop.client.id)
    assert make_api_client(session, name="Shop").client.name == "Shop"


def test_admit_counts_each_request_and_stamps_last_use(session, project):
    created = make_api_client(session)
    for _ in range(3):
        client = api_clients.admit(session, created.token, limit_per_minute=100)
    assert client.id == created.client.id
    assert client.request_count == 3
    assert client.last_used_at is not None


@pytest.mark.parametrize("token", [None, "", "tk_unknown", "not-a-tk-token", "tk_" + "x" * 200])
def test_missing_unknown_or_malformed_tokens_are_refused(session, project, token):
    make_api_client(session)
    with pytest.raises(Unauthenticated):
        api_clients.admit(session, token, limit_per_minute=100)


def test_a_revoked_token_stops_working_at_once_and_keeps_its_first_revocation_time(session, project):
    admin = make_user(session, "admin")
    created = make_api_client(session)
    api_clients.admit(session, created.token, limit_per_minute=100)
    first = api_clients.revoke_api_client(session=session, actor=admin, project_key="HH", client_id=created.client.id)
    with pytest.raises(Unauthenticated):
        api_clients.admit(session, created.token, limit_per_minute=100)
    again = api_clients.revoke_api_client(session=session, actor=admin, project_key="HH", client_id=created.client.id)
    assert first.revoked_at == again.revoked_at
    listed = api_clients.list_api_clients(session=session, actor=admin, project_key="HH")
    assert [(c.name, c.is_revoked, c.request_count) for c in listed] == [("Shop", True, 1)]


def test_a_client_of_another_project_cannot_be_revoked_through_this_one(session, project):
    make_project(session, "OP")
    other = make_api_client(session, project_key="OP")
    admin = make_user(session, "admin")
    with pytest.raises(NotFound):
        api_clients.revoke_api_client(session=session, actor=admin, project_key="HH", client_id=other.client.id)
    assert session.exec(select(ApiClient.revoked_at).where(ApiClient.id == other.client.id)).one() is None


def test_a_client_over_its_rate_is_told_when_to_retry(session, project):
    created = make_api_client(session)
    for _ in range(2):
        api_clients.admit(session, created.token, limit_per_minute=2)
    with pytest.raises(RateLimited) as caught:
        api_clients.admit(session, created.token, limit_per_minute=2)
    assert 1 <= caught.value.retry_after <= 60
    other = make_api_client(session, name="CRM")
    assert api_clients.admit(session, other.token, limit_per_minute=2).name == "CRM"


@pytest.fixture
def counting_in_redis(private_redis, monkeypatch):
    """Rate counters in a Redis of the test's own, as in production; the client to read it."""
    monkeypatch.setenv("REDIS_URL", private_redis.url)
    get_settings.cache_clear()
    ratelimit._redis.cache_clear()
    client = redis.Redis.from_url(private_redis.url)
    yield client
    client.close()
    get_settings.cache_clear()
    ratelimit._redis.cache_clear()


def test_with_redis_the_rate_is_counted_there_and_the_count_ends_with_its_window(session, project, counting_in_redis):
    created = make_api_client(session)
    started = time.time()
    for _ in range(2):
        api_clients.admit(session, created.token, limit_per_minute=2)
    with pytest.raises(RateLimited) as caught:
        api_clients.admit(session, created.token, limit_per_minute=2)
    (key,) = counting_in_redis.keys(f"tickit:rl:api:{created.client.id}:*")
    assert int(counting_in_redis.get(key)) == 3
    assert 1 <= caught.value.retry_after <= api_clients.RATE_WINDOW_SECONDS
    # The counter lasts its window and outlives it by under two seconds, give or take the time the
    # first hit took: its expiry is the seconds left counted from the whole second the hit read,
    # plus one. The expiry instant is bracketed by the clock read on either side of PTTL, and the
    # first hit by the clock read before it, so time passing under load cannot fail this.
    window_end = int(key.rsplit(b":", 1)[1]) + api_clients.RATE_WINDOW_SECONDS
    before = time.time()
    left = counting_in_redis.pttl(key) / 1000
    after = time.time()
    assert after + left >= window_end
    assert before + left <= window_end + 2 + (before - started)
    assert session.connection().exec_driver_sql("SELECT count(*) FROM rate_limit_counters").scalar() == 0


def test_with_redis_unreachable_requests_are_still_admitted_and_limited_in_the_database(session, project, monkeypatch):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{port}/0")
    get_settings.cache_clear()
    ratelimit._redis.cache_clear()
    try:
        created = make_api_client(session)
        for _ in range(2):
            assert api_clients.admit(session, created.token, limit_per_minute=2).id == created.client.id
        with pytest.raises(RateLimited):
            api_clients.admit(session, created.token, limit_per_minute=2)
    finally:
        get_settings.cache_clear()
        ratelimit._redis.cache_clear()
