"""Issue 13, point 2 (sign-in): a password is checked with no transaction open, so a flood of
failed sign-ins cannot hold SQLite's one write lock, or a PostgreSQL connection, while argon2 works."""

from __future__ import annotations

import sqlite3

from tests.factories import PASSWORD, make_user
from tests.security.sign_in_form import login_error, sign_in_form
from tickit import db
from tickit.db import session_scope
from tickit.services import auth

ADDRESS = "198.51.100.30"


def _while_checking_passwords(monkeypatch, observe) -> list:
    """Run `observe()` inside every password check the app makes; returns what it saw, in order."""
    seen = []
    check = auth.verify_password

    def observed_check(password_hash, password):
        seen.append(observe())
        return check(password_hash, password)

    monkeypatch.setattr(auth, "verify_password", observed_check)
    return seen


def _another_writer_gets_the_lock(database: str) -> bool:
    # Another request's write transaction, not willing to wait at all for the lock.
    other = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


def test_other_writers_go_ahead_while_a_failed_sign_in_checks_its_password(migrated_engines, settings_env, monkeypatch):
    engine = migrated_engines("sqlite")
    with session_scope(engine) as session:
        user = make_user(session)
    got_the_lock = _while_checking_passwords(monkeypatch, lambda: _another_writer_gets_the_lock(engine.url.database))

    with sign_in_form(engine, settings_env) as post:
        wrong = post(user.email, "a wrong guess", peer=ADDRESS)
        right = post(user.email, PASSWORD, peer=ADDRESS)

    assert (login_error(wrong), login_error(right)) == ("invalid", "")
    assert got_the_lock == [True, True]


def test_a_password_check_holds_no_database_connection(engine, settings_env, monkeypatch):
    with session_scope(engine) as session:
        user = make_user(session)
    connections_held = _while_checking_passwords(monkeypatch, lambda: db.get_engine().pool.checkedout())

    with sign_in_form(engine, settings_env) as post:
        wrong = post(user.email, "a wrong guess", peer=ADDRESS)
        unknown = post("nobody@example.com", "a wrong guess", peer=ADDRESS)
        right = post(user.email, PASSWORD, peer=ADDRESS)

    assert [login_error(answer) for answer in (wrong, unknown, right)] == ["invalid", "invalid", ""]
    assert connections_held == [0, 0, 0]
