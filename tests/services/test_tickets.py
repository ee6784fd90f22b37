"""Filing tickets from the web."""

import pytest
from sqlmodel import select

from tests.factories import add_member, file_ticket, make_api_client, make_project, make_user
from tickit.models import ActivityEntry, OutboxMessage, Source, Ticket, TicketStatus
from tickit.services import tickets
from tickit.services.errors import ValidationFailed


def file_from_the_web(*, session, actor, **ticket):
    return tickets.file_ticket(session=session, actor=actor, source=Source.WEB, reporter_id=actor.id, **ticket)


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
        file_from_the_web(session=session, actor=outsider, project_key="HH", type_key="bug", title="x", description="")
    assert "type" in caught.value.errors
    assert session.exec(select(Ticket)).all() == []


def test_missing_title_is_refused_at_the_title(session, client):
    with pytest.raises(ValidationFailed) as caught:
        file_from_the_web(
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
        file_from_the_web(
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


def test_every_filing_is_numbered_logged_and_announced_whoever_files_it(session, client):
    """The web form and the integration API file through one function: same numbering, same log, same event."""
    api_client = make_api_client(session).client
    by_client = tickets.file_ticket(
        session=session,
        actor=api_client,
        source=Source.API,
        project_key="HH",
        type_key="question",
        title="Sent by the shop",
        description="",
        reporter_id=None,
        field_values={"topic": "other"},
        priority="high",
        metadata={"order": "A-1"},
    )
    by_hand = file_ticket(session, client, type_key="question", field_values={"topic": "other"})
    assert (by_client.reference, by_hand) == ("HH-1", "HH-2")
    assert (by_client.status_key, by_client.priority) == ("new", "high")
    ticket = session.get(Ticket, by_client.id)
    assert (ticket.source, ticket.api_client_id, ticket.reporter_id, ticket.metadata_) == (
        "api",
        api_client.id,
        None,
        {"order": "A-1"},
    )
    entry = session.exec(select(ActivityEntry).where(ActivityEntry.ticket_id == by_client.id)).one()
    assert (entry.actor_user_id, entry.actor_api_client_id, entry.after["api_client"]) == (None, api_client.id, "Shop")
    by_hand_id = session.exec(select(Ticket.id).where(Ticket.number == 2)).one()
    events = session.exec(select(OutboxMessage.event, OutboxMessage.ticket_id).order_by(OutboxMessage.id)).all()
    assert events == [("ticket_created", by_client.id), ("ticket_created", by_hand_id)]


def test_an_api_client_files_only_in_its_own_project_and_is_told_the_types_there(session, client):
    make_project(session, "IT", template="it-helpdesk")
    api_client = make_api_client(session, "IT", "Desk").client
    with pytest.raises(ValidationFailed) as caught:
        tickets.file_ticket(
            session=session,
            actor=api_client,
            source=Source.API,
            project_key="HH",
            type_key="bug",
            title="x",
            description="",
            reporter_id=None,
        )
    assert "There is no ticket type 'bug'" in caught.value.errors["type"]
    assert session.exec(select(Ticket)).all() == []


def test_the_callers_own_refusals_are_reported_with_the_tickets_and_nothing_is_stored(session, client):
    with pytest.raises(ValidationFailed) as caught:
        file_from_the_web(
            session=session,
            actor=client,
            project_key="HH",
            type_key="bug",
            title=" ",
            description="",
            field_values={},
            refused={"reporter.email": "Not an address."},
        )
    assert set(caught.value.errors) == {"reporter.email", "title", "fields.severity"}
    assert session.exec(select(Ticket)).all() == []
