"""`tickit webhook add` and `list`, run in-process against a migrated scratch SQLite database."""

from __future__ import annotations

from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook

from tests.cli.test_project_cli import cli_database, run  # noqa: F401  the fixture, used by name


def test_add_prints_the_secret_alone_on_the_last_line_and_list_shows_the_endpoint(cli_database, capsys):  # noqa: F811
    run(capsys, "project", "create", "--key", "hh", "--name", "Helpdesk", "--template", "software-feedback")

    code, out, err = run(
        capsys,
        "webhook",
        "add",
        "--project",
        "hh",
        "--url",
        "http://10.0.0.7/hooks",
        "--events",
        "ticket.created,ticket.assigned",
        "--allow-private-address",
    )
    assert code == 0, err
    secret = out.splitlines()[-1]
    assert secret.startswith("whsec_") and Webhook(secret).sign("msg_1", datetime.now(UTC), "{}")
    assert "ticket.created, ticket.assigned" in out

    code, listed, _ = run(capsys, "webhook", "list")
    assert code == 0
    assert listed.split("\t")[1:5] == ["HH", "http://10.0.0.7/hooks", "enabled", "ticket.created,ticket.assigned"]
    assert secret not in listed


def test_add_refuses_a_private_address_unless_allowed_with_one_line_and_exit_2(cli_database, capsys):  # noqa: F811
    run(capsys, "project", "create", "--key", "hh", "--name", "Helpdesk", "--template", "software-feedback")
    code, out, err = run(capsys, "webhook", "add", "--project", "hh", "--url", "https://10.0.0.7/hooks")
    assert code == 2 and out == ""
    assert "must be on the public internet" in err and len(err.strip().splitlines()) == 1
    code, out, err = run(capsys, "webhook", "add", "--project", "hh", "--url", "https://x.test", "--events", "nope")
    assert code == 2 and "Unknown event types: nope" in err
