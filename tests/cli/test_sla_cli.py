"""`tickit sla check` and `tickit sla explain` against a migrated scratch SQLite database."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from tests.cli.test_project_cli import cli_database, run  # noqa: F401  (a fixture)
from tests.factories import add_member, file_ticket, make_user
from tickit.db import session_scope
from tickit.models import Ticket, utcnow


def test_check_prints_what_fired_and_explain_prints_the_computation(cli_database, capsys):  # noqa: F811
    assert run(capsys, "project", "create", "--key", "HH", "--name", "Help", "--template", "software-feedback")[0] == 0
    with session_scope() as session:
        reporter = make_user(session, "client")
        add_member(session, 1, reporter, "client")
        number = file_ticket(session, reporter)
        # Filed long ago: both first-response events are past.
        past = utcnow() - timedelta(hours=30)
        session.exec(
            update(Ticket).values(
                first_response_warn_at=past, first_response_due_at=past + timedelta(hours=1), sla_next_check_at=past
            )
        )

    code, out, _ = run(capsys, "sla", "check")
    assert code == 0
    assert f"{number} first response breached" in out and out.strip().endswith("1 fired")
    assert run(capsys, "sla", "check")[1].strip() == "0 fired"

    code, out, _ = run(capsys, "sla", "explain", number)
    assert code == 0
    assert "Policy:          Standard" in out and "Calendar:        round the clock" in out
    assert "first response 24h, resolution 120h" in out and "filed with priority normal" in out
