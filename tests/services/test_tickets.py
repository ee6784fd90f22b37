"""Filing tickets from the web."""

import pytest
from sqlmodel import select

from tests.factories import add_member, file_ticket, make_project, make_user
from tickit.models import ActivityEntry, Ticket, TicketStatus
from tickit.services import tickets
from tickit.services.errors import ValidationFailed


@pytest.fixture
def client(session):
    """A client who may file in project HH (software-feedback)."""
    project = make_project(session, "HH")
    member = make_user(session, "client")
    add_member(session, project.id, member, "client")
    return member


def test_client_files_a_ticket_in_the_initial_status_with_an_activity_entry(session, client):
    assert file_ticket(session, client) == "HH-1"
    assert file_ticket(session, client) == "HH-2"
    ticket = session.exec(select(Ticket).where(Ticket.number == 1)).one()
    assert session.get(TicketStatus, ticket.status_id).is_initial
    entry = session.exec(select(ActivityEntry).where(ActivityEntry.ticket_id == ticket.id)).one()
    assert (entry.action, entry.actor_user_id) == ("created", client.id)


def test_client_cannot_file_in_a_project_they_do_not_belong_to(session):
    make_project(session, "HH")
    outsider = make_user(session, "client")
    assert tickets.filing_targets(session=session, actor=outsider) == []
    with pytest.raises(ValidationFailed) as caught:
        tickets.create_web_ticket(
            session=session, actor=outsider, project_key="HH", type_key="bug", title="x", description=""
        )
    assert "type" in caught.value.errors
    assert session.exec(select(Ticket)).all() == []


def test_missing_title_is_refused_at_the_title(session, client):
    with pytest.raises(ValidationFailed) as caught:
        tickets.create_web_ticket(
            session=session,
            actor=client,
            project_key="HH",
            type_key="question",
            title="  ",
            description="x",
            field_values={"topic": "other"},
        )
    assert set(caught.value.errors) == {"title"}


def test_the_form_offers_each_active_type_with_its_fields_in_order(session, client):
    (target,) = tickets.filing_targets(session=session, actor=client)
    assert [t.key for t in target.types] == ["bug", "feature_request", "question"]
    rules = tickets.form_rules(session=session, actor=client, project_key="HH", type_key="bug")
    assert rules[0].key == "severity" and rules[0].required


def test_custom_field_errors_are_keyed_under_fields_and_nothing_is_stored(session, client):
    with pytest.raises(ValidationFailed) as caught:
        tickets.create_web_ticket(
            session=session,
            actor=client,
            project_key="HH",
            type_key="bug",
            title="Crash",
            description="",
            field_values={"severity": "apocalyptic"},
        )
    assert set(caught.value.errors) == {"fields.severity"}
    assert session.exec(select(Ticket)).all() == []


def test_field_values_are_stored_under_their_keys(session, client):
    number = file_ticket(session, client, type_key="bug", field_values={"severity": "major", "app_version": " 2.1 "})
    ticket = session.exec(select(Ticket).where(Ticket.number == int(number.split("-")[1]))).one()
    assert ticket.fields == {"severity": "major", "app_version": "2.1"}
