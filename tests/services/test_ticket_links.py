"""Links between tickets: shown on both with inverse labels, logged on both, one per pair."""

import pytest
from sqlmodel import select

from tests.factories import add_member, file_ticket, make_project, make_user
from tickit.models import ActivityEntry, Ticket
from tickit.services import ticket_detail, ticket_links
from tickit.services.errors import PermissionDenied, ValidationFailed


@pytest.fixture
def desk(session):
    project = make_project(session, "HH")
    agent, client = make_user(session, "agent"), make_user(session, "client")
    add_member(session, project.id, agent, "agent")
    add_member(session, project.id, client, "client")
    for title in ("Login fails", "SSO outage", "Audit"):
        file_ticket(session, client, title=title, type_key="bug")
    return {"agent": agent, "client": client}


def _links(session, actor, number):
    ticket = session.exec(select(Ticket).where(Ticket.number == int(number.split("-")[1]))).one()
    return [(v.label, v.number) for v in ticket_links.links_of(session, actor, ticket)]


def test_a_link_reads_its_kind_on_one_ticket_and_the_inverse_on_the_other(session, desk):
    ticket_links.add_link(session=session, actor=desk["agent"], number="HH-2", kind="blocks", other_number="hh-1")
    ticket_links.add_link(session=session, actor=desk["agent"], number="HH-3", kind="parent_of", other_number="HH-1")
    assert _links(session, desk["agent"], "HH-1") == [("blocked by", "HH-2"), ("child of", "HH-3")]
    assert _links(session, desk["agent"], "HH-2") == [("blocks", "HH-1")]
    assert _links(session, desk["agent"], "HH-3") == [("parent of", "HH-1")]


def test_adding_and_removing_a_link_is_in_both_tickets_activity(session, desk):
    link = ticket_links.add_link(
        session=session, actor=desk["agent"], number="HH-1", kind="duplicate_of", other_number="HH-2"
    )
    ticket_links.remove_link(session=session, actor=desk["agent"], number="HH-2", link_id=link.id)
    first = [a.text for a in ticket_detail.activity(session=session, actor=desk["agent"], number="HH-1")]
    second = [a.text for a in ticket_detail.activity(session=session, actor=desk["agent"], number="HH-2")]
    assert first[:2] == ["removed the link: duplicate of HH-2", "linked it: duplicate of HH-2"]
    assert second[:2] == ["removed the link: duplicated by HH-1", "linked it: duplicated by HH-1"]
    assert _links(session, desk["agent"], "HH-1") == []


@pytest.mark.parametrize(
    ("kind", "other", "message"),
    [
        ("blocks", "HH-1", "itself"),
        ("blocks", "HH-99", "No ticket HH-99"),
        ("causes", "HH-2", "A link is one of"),
    ],
)
def test_a_bad_link_is_refused_with_a_reason(session, desk, kind, other, message):
    with pytest.raises(ValidationFailed) as caught:
        ticket_links.add_link(session=session, actor=desk["agent"], number="HH-1", kind=kind, other_number=other)
    assert message in caught.value.errors["link"]


def test_a_pair_holds_one_link_whichever_way_round(session, desk):
    ticket_links.add_link(session=session, actor=desk["agent"], number="HH-1", kind="blocks", other_number="HH-2")
    with pytest.raises(ValidationFailed) as caught:
        ticket_links.add_link(session=session, actor=desk["agent"], number="HH-2", kind="related", other_number="HH-1")
    assert caught.value.errors["link"] == "It is already linked: blocked by HH-1."
    assert len(session.exec(select(ActivityEntry).where(ActivityEntry.action == "link_added")).all()) == 2


def test_clients_cannot_link(session, desk):
    with pytest.raises(PermissionDenied):
        ticket_links.add_link(session=session, actor=desk["client"], number="HH-1", kind="blocks", other_number="HH-2")
