"""The `tickit` command as an admin runs it: real processes, real databases."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from tickit.db import create_db_engine
from tickit.models import metadata

TICKIT = str(Path(sys.executable).with_name("tickit"))


def run(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **env_overrides}
    return subprocess.run([TICKIT, *args], env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def sqlite_env(tmp_path):
    return {"TICKIT_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}


@pytest.fixture(scope="module")
def prepared_db(tmp_path_factory):
    """A migrated database holding agent ada@example.com, prepared once and copied per test."""
    path = tmp_path_factory.mktemp("prepared") / "cli.db"
    env = {"TICKIT_DATA_DIR": str(path.parent), "DATABASE_URL": f"sqlite:///{path}"}
    run(env, "db", "upgrade")
    run(env, "user", "create", "--email", "ada@example.com", "--name", "Ada", "--role", "agent")
    return path


def test_db_upgrade_creates_the_schema_on_an_empty_sqlite_file(sqlite_env):
    result = run(sqlite_env, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    engine = create_db_engine(make_url(sqlite_env["DATABASE_URL"]))
    assert set(metadata.tables) <= set(inspect(engine).get_table_names())


def test_db_upgrade_creates_the_schema_on_an_empty_postgresql_database(postgresql_url, tmp_path):
    url = postgresql_url.render_as_string(hide_password=False).replace("+psycopg", "")
    result = run({"TICKIT_DATA_DIR": str(tmp_path), "DATABASE_URL": url}, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert set(metadata.tables) <= set(inspect(create_db_engine(postgresql_url)).get_table_names())


def test_user_create_prints_a_generated_password_that_signs_in(sqlite_env):
    run(sqlite_env, "db", "upgrade")
    result = run(sqlite_env, "user", "create", "--email", "ada@example.com", "--name", "Ada", "--role", "agent")
    assert result.returncode == 0, result.stderr
    password = result.stdout.strip().splitlines()[-1].removeprefix("Password: ")
    assert len(password) >= 20
    listing = run(sqlite_env, "user", "list")
    assert "ada@example.com" in listing.stdout and "agent" in listing.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "ada@example.com", "--name", "Again", "--role", "client"], "already exists"),
        (
            ["--email", "bob@example.com", "--name", "Bob", "--role", "owner"],
            "Role must be one of client, agent, admin",
        ),
        (["--email", "not-an-email", "--name", "Bob", "--role", "client"], "email"),
        (["--email", "bob@example.com", "--name", "Bob", "--role", "client", "--password", "short"], "at least 12"),
    ],
)
def test_user_create_refuses_bad_input_with_one_line_and_exit_2(sqlite_env, prepared_db, tmp_path, args, message):
    shutil.copy(prepared_db, tmp_path / "cli.db")
    result = run(sqlite_env, "user", "create", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert "bob@example.com" not in run(sqlite_env, "user", "list").stdout


@pytest.mark.parametrize(
    "database_url",
    ["not a url", "mysql://root@localhost/tickit", "postgresql://localhost", "sqlite://"],
)
@pytest.mark.parametrize("command", [["db", "upgrade"], ["serve"]])
def test_malformed_database_url_is_a_one_line_error_naming_the_variable(tmp_path, database_url, command):
    result = run({"TICKIT_DATA_DIR": str(tmp_path), "DATABASE_URL": database_url}, *command)
    assert result.returncode == 2
    assert result.stderr.startswith("tickit: DATABASE_URL")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_deactivate_and_role_change_from_the_command_line(sqlite_env):
    run(sqlite_env, "db", "upgrade")
    run(sqlite_env, "user", "create", "--email", "boss@example.com", "--name", "Boss", "--role", "admin")
    run(sqlite_env, "user", "create", "--email", "ada@example.com", "--name", "Ada", "--role", "client")
    assert run(sqlite_env, "user", "role", "ada@example.com", "agent").returncode == 0
    assert run(sqlite_env, "user", "deactivate", "ada@example.com").returncode == 0
    listing = run(sqlite_env, "user", "list").stdout
    assert "agent   ada@example.com" in listing and "(deactivated)" in listing


def test_a_database_without_the_schema_gets_a_one_line_hint(sqlite_env):
    result = run(sqlite_env, "user", "list")
    assert result.returncode == 2
    assert "tickit db upgrade" in result.stderr and "Traceback" not in result.stderr


def test_user_reset_password_prints_a_one_hour_link_for_the_operator(sqlite_env, prepared_db, tmp_path):
    shutil.copy(prepared_db, tmp_path / "cli.db")
    result = run({**sqlite_env, "APP_URL": "https://help.example.com"}, "user", "reset-password", "ADA@example.com")
    assert result.returncode == 0, result.stderr
    assert "one hour" in result.stdout
    assert result.stdout.strip().splitlines()[-1].startswith("https://help.example.com/auth/reset-password/")
    unknown = run(sqlite_env, "user", "reset-password", "nobody@example.com")
    assert unknown.returncode == 2 and "No user with email nobody@example.com" in unknown.stderr


def _set_password(env: dict[str, str], email: str, typed: str) -> subprocess.CompletedProcess:
    # A new session has no terminal, so getpass reads the prompt's answers from stdin.
    return subprocess.run(
        [TICKIT, "user", "set-password", email],
        env={**os.environ, **env},
        input=typed,
        capture_output=True,
        text=True,
        timeout=120,
        start_new_session=True,
    )


def test_user_set_password_reads_the_password_at_a_prompt_never_from_argv(sqlite_env, prepared_db, tmp_path):
    shutil.copy(prepared_db, tmp_path / "cli.db")
    weak = _set_password(sqlite_env, "ada@example.com", "password1234\npassword1234\n")
    assert weak.returncode == 2 and "leaked" in weak.stderr
    done = _set_password(sqlite_env, "ada@example.com", "lamp orbit velvet crumble\nlamp orbit velvet crumble\n")
    assert done.returncode == 0, done.stderr
    assert "every session of that account has ended" in done.stdout
    assert "lamp orbit" not in done.stdout + done.stderr
    from tickit.services import auth

    engine = create_db_engine(make_url(sqlite_env["DATABASE_URL"]))
    assert (
        auth.sign_in_with_password(
            engine=engine, email="ada@example.com", password="lamp orbit velvet crumble", ip="127.0.0.1"
        ).email
        == "ada@example.com"
    )
    extra = run(sqlite_env, "user", "set-password", "ada@example.com", "--password", "x")
    assert extra.returncode == 2  # there is no way to give it on the command line


def test_audit_prints_the_log_of_the_period_asked_for(sqlite_env, prepared_db, tmp_path):
    shutil.copy(prepared_db, tmp_path / "cli.db")
    assert run(sqlite_env, "user", "role", "ada@example.com", "admin").returncode == 0
    result = run(sqlite_env, "audit", "--since", "7d")
    assert result.returncode == 0, result.stderr
    [changed] = [line for line in result.stdout.splitlines() if "user.role_changed" in line]
    assert "ada@example.com" in changed and '"role": "agent"' in changed and '"role": "admin"' in changed
    assert "TickIt (command line or start-up)" in changed
    bad = run(sqlite_env, "audit", "--since", "forever")
    assert bad.returncode == 2 and "like 7d" in bad.stderr
