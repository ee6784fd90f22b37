"""Shared fixtures: every service test runs on SQLite and on a fresh PostgreSQL database."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid

# Settings are read once per process; point them at a scratch data dir before any import,
# and keep tests that stage outbox rows off any Redis the developer's shell points at.
os.environ.setdefault("TICKIT_DATA_DIR", tempfile.mkdtemp(prefix="tickit-test-data-"))
os.environ.pop("REDIS_URL", None)
# The local push service (tests/push_receiver.py) listens on plain http on loopback, which
# production refuses; tests/security/test_push_targets.py checks that refusal with this unset.
os.environ.setdefault("TICKIT_PUSH_ALLOWED_HOSTS", "127.0.0.1")

import psycopg
import pytest
from argon2 import PasswordHasher
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from tests.processes import RedisServer
from tickit import migrations
from tickit.config import get_settings
from tickit.db import create_db_engine
from tickit.models import metadata
from tickit.services import passwords

# The server that hosts the throw-away test databases (CI and dev machines run one here).
POSTGRES_ADMIN_URL = os.environ.get("TICKIT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing():
    """argon2 at its cheapest in the test process: at the real cost (about 90 ms a hash, by design)
    the users the factories make would take minutes of every run. Hashes stay argon2id and verify
    the same way; the app servers and commands the tests start hash at the real cost."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        yield


@pytest.fixture(scope="session")
def postgresql_url():
    """A fresh PostgreSQL database for this test process, dropped afterwards."""
    name = f"tickit_test_{uuid.uuid4().hex[:12]}"
    admin = make_url(POSTGRES_ADMIN_URL)
    conninfo = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield admin.set(drivername="postgresql+psycopg", database=name)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory):
    return make_url(f"sqlite:///{tmp_path_factory.mktemp('db') / 'tickit.db'}")


@pytest.fixture(scope="session")
def migrated_engines(request):
    """Engines by backend, each migrated to head once per test run."""
    engines = {}

    def get(backend: str):
        if backend not in engines:
            url = request.getfixturevalue(f"{backend}_url")
            engine = create_db_engine(url)
            migrations.upgrade(engine)
            engines[backend] = engine
        return engines[backend]

    yield get
    for engine in engines.values():
        engine.dispose()


def _empty_all_tables(engine) -> None:
    tables = [t.name for t in metadata.sorted_tables]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(text(f"DELETE FROM {table}"))


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, migrated_engines):
    """A migrated, empty database; each test using it runs once per backend."""
    engine = migrated_engines(request.param)
    _empty_all_tables(engine)
    return engine


@pytest.fixture
def session(engine):
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def settings_env(monkeypatch, tmp_path):
    """Settings read from a scratch data dir without SMTP; call it with more variables to change them."""

    def apply(**env: str) -> None:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    monkeypatch.setenv("TICKIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("APP_URL", "https://help.example.com")
    monkeypatch.delenv("SMTP_HOST", raising=False)
    get_settings.cache_clear()
    yield apply
    get_settings.cache_clear()


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of the test's own. Tests sharing the machine's Redis would see each other's
    keys (rate counters) and take each other's tasks off the one "tickit" queue."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()
