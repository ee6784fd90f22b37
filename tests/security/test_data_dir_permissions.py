"""Issue 13, point 5: the data directory is TickIt's own: created 0700, every file in it 0600.

Written with that mode from the first byte (not chmod'ed after), so the test runs under the usual
umask 022, which would otherwise leave files readable by every local user.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tickit import migrations, tasks
from tickit.config import get_settings
from tickit.db import create_db_engine, session_scope
from tickit.services import mail, vapid


@pytest.fixture
def usual_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.fixture
def data_dir(settings_env, monkeypatch, usual_umask, tmp_path) -> Path:
    """A data directory TickIt creates itself, on the embedded default (SQLite, Huey's SQLite queue)."""
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings_env(TICKIT_DATA_DIR=str(tmp_path / "fresh" / "data"))
    return get_settings().data_dir


def modes(root: Path) -> dict[str, str]:
    """Every path under `root` (and root itself) with its permission bits, as `ls` would show them."""
    found = {".": stat.filemode(root.stat().st_mode)}
    for path in root.rglob("*"):
        found[str(path.relative_to(root))] = stat.filemode(path.stat().st_mode)
    return found


def test_the_data_directory_is_created_private_with_a_private_secret_key(data_dir):
    assert modes(data_dir) == {".": "drwx------", "secret_key": "-rw-------"}


def test_database_wal_queue_mails_and_keys_are_written_private(data_dir):
    engine = create_db_engine(get_settings().database_url)
    migrations.upgrade(engine)
    with session_scope(engine) as session:  # a write, so the WAL and its index exist
        session.execute(text("UPDATE users SET name = name"))
    queue = tasks._create_huey()
    queue.storage.enqueue(b"a task")
    mail.send(mail.welcome_message(to="ada@example.com", name="Ada", role="agent"))
    vapid.generate()

    written = modes(data_dir)
    engine.dispose()

    assert {"tickit.db", "tickit.db-wal", "tickit.db-shm", "huey.db", "mail", "vapid_private.pem"} <= set(written)
    assert [name for name, mode in written.items() if mode not in ("drwx------", "-rw-------")] == []
