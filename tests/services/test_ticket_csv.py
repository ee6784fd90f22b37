"""The ticket list as CSV: the rows the list shows under its filters, for whoever asks, safe in a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest

from tests.factories import add_member, file_ticket, make_project, make_user
from tickit.services import ticket_csv, workflow
from tickit.services.actors import UserPublic
from tickit.services.ticket_list import TicketQuery


def read(session, actor: UserPublic, query: TicketQuery | None = None) -> list[list[str]]:
    data = b"".join(ticket_csv.csv_chunks(session=session, actor=actor, query=query or TicketQuery()))
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode()[1:])))


@pytest.fixture
def desk(session):
    hh, it = make_project(session, "HH"), make_project(session, "IT", template="it-helpdesk")
    client, other = make_user(session, "client"), make_user(session, "client")
    agent = make_user(session, "agent", name="Ana Agent")
    for user, role in ((client, "client"), (other, "client"), (agent, "agent")):
        add_member(session, hh.id, user, role)
    add_member(session, it.id, client, "client")
    file_ticket(session, client, title="Platypus egg cracked")
    file_ticket(session, other, title='=HYPERLINK("http://evil.example","Platypus")')
    file_ticket(session, client, "IT", title="Platypus laptop broken")
    workflow.move(session=session, actor=agent, number="HH-1", to_status="triaged")
    return {"client": client, "other": other, "agent": agent}


def test_staff_get_every_ticket_they_work_with_the_lists_columns(session, desk):
    rows = read(session, desk["agent"], TicketQuery(sort="number", direction="asc"))
    assert rows[0] == list(ticket_csv.STAFF_COLUMNS)
    assert [(row[0], row[4], row[7]) for row in rows[1:]] == [
        ("HH-1", "Triaged", "Unassigned"),
        ("HH-2", "New", "Unassigned"),
    ]


def test_the_lists_filters_choose_the_rows(session, desk):
    rows = read(session, desk["agent"], TicketQuery(status_keys=("triaged",)))
    assert [row[0] for row in rows[1:]] == ["HH-1"]
    rows = read(session, desk["agent"], TicketQuery(text="cracked"))
    assert [row[1] for row in rows[1:]] == ["Platypus egg cracked"]


def test_a_client_gets_only_their_own_tickets_under_public_status_labels(session, desk):
    rows = read(session, desk["client"], TicketQuery(sort="number", direction="asc"))
    assert rows[0] == list(ticket_csv.CLIENT_COLUMNS)
    assert [(row[0], row[4]) for row in rows[1:]] == [("HH-1", "Open"), ("IT-1", "Open")]
    assert "Ana Agent" not in str(rows)


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_escaped(session, desk):
    (row,) = read(session, desk["other"])[1:]
    assert row[1].startswith("'=HYPERLINK(")


def test_every_page_of_a_long_list_is_in_the_file(session, desk, monkeypatch):
    monkeypatch.setattr(ticket_csv, "PAGE_SIZE_MAX", 1)
    rows = read(session, desk["agent"], TicketQuery(sort="number", direction="asc", page_size=1, after=None))
    assert [row[0] for row in rows[1:]] == ["HH-1", "HH-2"]
