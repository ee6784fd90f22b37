"""Who sees which ticket: hidden tickets look exactly like missing ones."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest

from tests.factories import add_member, file_ticket, make_project, make_user
from tickit.models import ProjectMember
from tickit.services.access import can_work, parse_ticket_number, ticket_for
from tickit.services.actors import SYSTEM
from tickit.services.errors import NotFound


@pytest.fixture
def world(session):
    """HH with two clients and an agent, IT with its own client and agent; one ticket per client."""
    hh, it = make_project(session, "HH"), make_project(session, "IT", template="it-helpdesk")
    alice, bob, carol = (make_user(session, "client") for _ in range(3))
    hh_agent, it_agent, admin = make_user(session, "agent"), make_user(session, "agent"), make_user(session, "admin")
    for client in (alice, bob):
        add_member(session, hh.id, client, "client")
    add_member(session, it.id, carol, "client")
    add_member(session, hh.id, hh_agent, "agent")
    add_member(session, it.id, it_agent, "agent")
    numbers = {
        "alice": file_ticket(session, alice, "HH"),
        "bob": file_ticket(session, bob, "HH"),
        "carol": file_ticket(session, carol, "IT"),
    }
    people = SimpleNamespace(
        hh=hh, it=it, alice=alice, bob=bob, carol=carol, hh_agent=hh_agent, it_agent=it_agent, admin=admin
    )
    return people, numbers


def test_parse_ticket_number_accepts_any_case_and_surrounding_space():
    assert parse_ticket_number("hh-42") == ("HH", 42)
    assert parse_ticket_number(" OPS2-7 ") == ("OPS2", 7)


@pytest.mark.parametrize(
    "text", ["", " ", "HH", "HH-", "HH-x", "-1", "HH-0", "HH-007", "HH-1-1", "H-1", "HH-99999999999"]
)
def test_malformed_numbers_are_not_found(session, world, text):
    w, _ = world
    with pytest.raises(NotFound):
        parse_ticket_number(text)
    with pytest.raises(NotFound):
        ticket_for(session, w.admin, text)


def test_client_sees_their_own_ticket(session, world):
    w, numbers = world
    ticket = ticket_for(session, w.alice, numbers["alice"])
    assert (ticket.number, ticket.reporter_id) == (1, w.alice.id)
    assert ticket_for(session, w.alice, numbers["alice"].lower()).id == ticket.id


def test_client_gets_the_same_not_found_for_another_clients_ticket_as_for_a_missing_one(session, world):
    w, numbers = world
    assert numbers["bob"] == "HH-2"
    with pytest.raises(NotFound) as hidden:
        ticket_for(session, w.alice, "HH-2")
    with pytest.raises(NotFound) as missing:
        ticket_for(session, w.alice, "HH-3")
    assert str(hidden.value) == "No ticket HH-2."
    assert str(missing.value) == "No ticket HH-3."


def test_client_does_not_see_tickets_of_another_project(session, world):
    w, numbers = world
    with pytest.raises(NotFound, match=r"^No ticket IT-1\.$"):
        ticket_for(session, w.alice, numbers["carol"])


def test_agent_sees_tickets_of_their_project_and_not_of_another(session, world):
    w, numbers = world
    assert ticket_for(session, w.hh_agent, numbers["alice"]).reporter_id == w.alice.id
    assert ticket_for(session, w.hh_agent, numbers["bob"]).reporter_id == w.bob.id
    with pytest.raises(NotFound, match=r"^No ticket IT-1\.$"):
        ticket_for(session, w.hh_agent, numbers["carol"])
    assert ticket_for(session, w.it_agent, numbers["carol"]).reporter_id == w.carol.id


def test_agent_taken_off_a_project_sees_only_the_tickets_they_reported_there(session, world):
    w, numbers = world
    own = file_ticket(session, w.hh_agent, "HH")
    session.delete(session.get(ProjectMember, (w.hh.id, w.hh_agent.id)))
    session.flush()
    assert ticket_for(session, w.hh_agent, own).reporter_id == w.hh_agent.id
    with pytest.raises(NotFound):
        ticket_for(session, w.hh_agent, numbers["alice"])


def test_admin_and_the_system_see_every_ticket(session, world):
    w, numbers = world
    for number in numbers.values():
        assert ticket_for(session, w.admin, number).number >= 1
        assert ticket_for(session, SYSTEM, number, for_update=True).number >= 1


def test_a_deactivated_user_sees_nothing(session, world):
    w, numbers = world
    with pytest.raises(NotFound):
        ticket_for(session, dataclasses.replace(w.alice, is_active=False), numbers["alice"])


def test_for_update_returns_the_same_ticket(session, world):
    w, numbers = world
    assert ticket_for(session, w.hh_agent, numbers["bob"], for_update=True).id == (
        ticket_for(session, w.hh_agent, numbers["bob"]).id
    )


def test_only_agents_of_the_project_and_admins_work_its_tickets(session, world):
    w, _ = world
    assert can_work(session, w.hh_agent, w.hh.id)
    assert not can_work(session, w.hh_agent, w.it.id)
    assert not can_work(session, w.alice, w.hh.id)
    assert can_work(session, w.admin, w.it.id)
    assert can_work(session, SYSTEM, w.it.id)
