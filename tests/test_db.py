"""Read-only scopes: a slow read holds up no writer, and nothing is written in one."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from tests.factories import make_user
from tickit.db import session_scope
from tickit.models import User

# Far below SQLite's busy timeout: a writer queued behind the reader would still be waiting.
WRITER_WAIT_SECONDS = 5


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_read_only_scope_on_sqlite_does_not_hold_up_a_writer(engine):
    written = threading.Event()

    def write():
        with session_scope(engine) as session:
            make_user(session, email="writer@example.com")
        written.set()

    with session_scope(engine, read_only=True) as session:
        session.exec(select(User)).all()
        writer = threading.Thread(target=write)
        writer.start()
        finished_while_reading = written.wait(WRITER_WAIT_SECONDS)
    writer.join()

    assert finished_while_reading
    with session_scope(engine, read_only=True) as session:
        assert session.exec(select(User.email)).all() == ["writer@example.com"]


def test_write_in_read_only_scope_is_refused(engine):
    with pytest.raises(DBAPIError, match=r"read-?only"):
        with session_scope(engine, read_only=True) as session:
            make_user(session, email="sneaky@example.com")

    with session_scope(engine, read_only=True) as session:
        assert session.exec(select(User)).all() == []


def test_write_scope_after_read_only_scope_writes(engine):
    with session_scope(engine, read_only=True) as session:
        session.exec(select(User)).all()
    with session_scope(engine) as session:
        make_user(session, email="after@example.com")

    with session_scope(engine, read_only=True) as session:
        assert session.exec(select(User.email)).all() == ["after@example.com"]
