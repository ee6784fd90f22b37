"""`tickit mailbox` and `tickit mail receive` as an admin and a mail server run them: real processes."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli.test_cli import TICKIT

FIXTURES = Path(__file__).parent.parent / "fixtures" / "mail"


def run(env: dict[str, str], *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run([TICKIT, *args], env={**os.environ, **env}, input=stdin, capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """A migrated SQLite database with project HH and its mailbox `support`, made once and copied per test."""
    path = tmp_path_factory.mktemp("mailcli") / "cli.db"
    env = {"TICKIT_DATA_DIR": str(path.parent), "DATABASE_URL": f"sqlite:///{path}"}
    assert run(env, "db", "upgrade").returncode == 0
    assert run(env, "project", "create", "--key", "HH", "--name", "Help", "--template", "it-helpdesk").returncode == 0
    added = run(env, "mailbox", "add", "--project", "HH", "--key", "support", "--address", "support@help.example.com")
    assert added.returncode == 0, added.stderr
    return path, added.stdout.decode()


@pytest.fixture
def env(prepared, tmp_path):
    shutil.copy(prepared[0], tmp_path / "cli.db")
    return {"TICKIT_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}


def test_mailbox_add_prints_the_pipe_the_endpoint_and_the_secret_once(prepared):
    out = prepared[1]
    assert "tickit mail receive --mailbox support" in out
    assert "POST /inbound/email/support" in out
    assert len(out.strip().splitlines()[-1]) >= 40


def test_mailbox_list_shows_address_type_and_how_mail_arrives(env):
    run(
        env, "mailbox", "add", "--project", "HH", "--key", "it", "--address", "it@help.example.com",
        "--type", "service_request", "--imap-url", "imaps://it:pw@imap.example.com/INBOX",
    )  # fmt: skip
    listing = run(env, "mailbox", "list", "--project", "HH").stdout.decode()
    assert "support\tsupport@help.example.com\tincident\tpipe/HTTP only" in listing
    assert (
        "it\tit@help.example.com\tservice_request\tIMAP imaps://it@imap.example.com:993/INBOX, never polled" in listing
    )
    assert "pw" not in listing


def test_mailbox_add_refuses_a_type_the_project_lacks_in_one_line(env):
    result = run(env, "mailbox", "add", "--project", "HH", "--key", "x", "--address", "x@example.com", "--type", "nope")
    assert result.returncode == 2
    assert "has no ticket type 'nope'; its types are: incident" in result.stderr.decode()


def test_mail_receive_files_the_mail_and_exits_0_and_the_same_mail_again_makes_nothing(env):
    raw = (FIXTURES / "new_with_files.eml").read_bytes()

    first = run(env, "mail", "receive", "--mailbox", "support", stdin=raw)
    again = run(env, "mail", "receive", "--mailbox", "support", stdin=raw)

    assert first.returncode == 0, first.stderr
    assert "new_ticket. New ticket HH-1." in first.stdout.decode()
    assert again.returncode == 0
    assert "(received before): new_ticket" in again.stdout.decode()


@pytest.mark.parametrize("raw", [b"", b"just some words without any header line\n"])
def test_mail_receive_exits_65_for_input_that_can_never_be_a_mail(env, raw):
    result = run(env, "mail", "receive", "--mailbox", "support", stdin=raw)
    assert result.returncode == 65
    assert "refused" in result.stderr.decode()


def test_mail_receive_exits_78_for_an_unknown_mailbox_so_the_server_keeps_the_mail(env):
    result = run(env, "mail", "receive", "--mailbox", "nope", stdin=(FIXTURES / "no_message_id.eml").read_bytes())
    assert result.returncode == 78
    assert "There is no mailbox 'nope'" in result.stderr.decode()


def test_mail_receive_exits_75_when_the_database_is_down_so_the_server_retries(tmp_path):
    # Nothing listens on port 1: the same as a stopped PostgreSQL to the client.
    env = {"TICKIT_DATA_DIR": str(tmp_path), "DATABASE_URL": "postgresql://postgres@127.0.0.1:1/tickit"}
    result = run(env, "mail", "receive", "--mailbox", "support", stdin=(FIXTURES / "no_message_id.eml").read_bytes())
    assert result.returncode == 75, result.stderr
    assert "the database cannot be reached" in result.stderr.decode()


def test_a_disabled_mailbox_is_listed_so_and_its_pipe_exits_75_until_enabled(env):
    mail = (FIXTURES / "no_message_id.eml").read_bytes()
    disabled = run(env, "mailbox", "disable", "--project", "HH", "--key", "support")
    assert disabled.returncode == 0 and "is disabled" in disabled.stdout.decode()
    assert "disabled: takes no mail" in run(env, "mailbox", "list", "--project", "HH").stdout.decode()

    refused = run(env, "mail", "receive", "--mailbox", "support", stdin=mail)
    assert refused.returncode == 75
    assert "The mailbox support is disabled" in refused.stderr.decode()

    assert run(env, "mailbox", "enable", "--project", "HH", "--key", "support").returncode == 0
    assert run(env, "mail", "receive", "--mailbox", "support", stdin=mail).returncode == 0
