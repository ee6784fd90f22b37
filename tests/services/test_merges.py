"""Merging a duplicate: its comments and files move, it closes with a pointer, its number forwards; no loops."""

import pytest
from sqlmodel import select

from tests.factories import add_member, file_ticket, make_api_client, make_project, make_user
from tickit.models import Attachment, Comment, Ticket, TicketStatus
from tickit.services import comments, merges, ticket_cc, ticket_detail, ticket_documents
from tickit.services.errors import PermissionDenied, ValidationFailed


@pytest.fixture
def desk(session):
    project = make_project(session, "HH")
    make_project(session, "OP", template="it-helpdesk")
    agent, ada, bob = make_user(session, "agent"), make_user(session, "client"), make_user(session, "client")
    add_member(session, project.id, agent, "agent")
    for client in (ada, bob):
        add_member(session, project.id, client, "client")
    file_ticket(session, ada, title="Login fails", type_key="bug")
    file_ticket(session, bob, title="Cannot sign in", type_key="bug")
    file_ticket(session, bob, title="Sign-in broken again", type_key="bug")
    return {"agent": agent, "ada": ada, "bob": bob}


def _ticket(session, n):
    ticket = session.exec(select(Ticket).where(Ticket.number == n)).one()
    session.refresh(ticket)
    return ticket


def test_a_merge_moves_comments_and_files_and_closes_the_duplicate_with_a_pointer(session, desk):
    comments.add_comment(session=session, actor=desk["bob"], number="HH-2", body_html="<p>Still broken</p>")
    note = comments.add_comment(
        session=session, actor=desk["agent"], number="HH-2", body_html="<p>Same as HH-1</p>", internal=True
    )
    comments.add_comment(session=session, actor=desk["agent"], number="HH-2", body_html="<p>ok</p>", parent_id=note.id)
    duplicate, target = _ticket(session, 2), _ticket(session, 1)
    session.add(
        Attachment(
            ticket_id=duplicate.id,
            original_name="log.txt",
            content_type="text/plain",
            size=1,
            sha256="0" * 64,
            storage_key="merge-test-key",
        )
    )
    session.flush()

    result = merges.merge(session=session, actor=desk["agent"], number="HH-2", into="HH-1")

    assert (result.merged, result.into, result.comments_moved, result.attachments_moved) == ("HH-2", "HH-1", 3, 1)
    moved = session.exec(select(Comment).order_by(Comment.id)).all()
    assert {c.ticket_id for c in moved} == {target.id}
    assert moved[2].parent_id == moved[1].id  # threads stay threads
    assert session.exec(select(Attachment)).one().ticket_id == target.id
    duplicate = _ticket(session, 2)
    status = session.get(TicketStatus, duplicate.status_id)
    assert (status.category, duplicate.merged_into_id, duplicate.closed_at is not None) == ("done", target.id, True)
    detail = ticket_detail.ticket_detail(session=session, actor=desk["agent"], number="HH-2")
    assert detail.merged_into == "HH-1"


def test_both_tickets_say_so_and_the_duplicates_people_are_put_in_copy_of_the_target(session, desk):
    ticket_cc.add_cc(session=session, actor=desk["bob"], number="HH-2", email="carol@example.org")
    ticket_cc.add_cc(session=session, actor=desk["agent"], number="HH-1", email="carol@example.org")
    merges.merge(session=session, actor=desk["agent"], number="HH-2", into="HH-1")
    assert ticket_detail.activity(session=session, actor=desk["agent"], number="HH-2")[0].text == "merged it into HH-1"
    assert [e.text for e in ticket_detail.activity(session=session, actor=desk["agent"], number="HH-1")[:2]] == [
        f"put {desk['bob'].email} in copy",
        "merged HH-2 into it (0 comments, 0 files)",
    ]
    requester_view = ticket_detail.activity(session=session, actor=desk["bob"], number="HH-2")
    assert requester_view[0].text == "merged it into HH-1"
    copied = ticket_cc.cc_list(session=session, actor=desk["agent"], number="HH-1").emails
    assert copied == ("carol@example.org", desk["bob"].email)  # carol was there already: once


def test_the_old_number_forwards_through_every_merge(session, desk):
    merges.merge(session=session, actor=desk["agent"], number="HH-3", into="HH-2")
    merges.merge(session=session, actor=desk["agent"], number="HH-2", into="HH-1")
    assert [merges.forwarded_number(session, n) for n in ("hh-3", "HH-2", "HH-1", "HH-99", "nonsense")] == [
        "HH-1",
        "HH-1",
        "HH-1",
        "HH-99",
        "nonsense",
    ]


def test_merging_into_a_merged_ticket_follows_to_its_target(session, desk):
    merges.merge(session=session, actor=desk["agent"], number="HH-2", into="HH-1")
    result = merges.merge(session=session, actor=desk["agent"], number="HH-3", into="HH-2")
    assert result.into == "HH-1" and _ticket(session, 3).merged_into_id == _ticket(session, 1).id


@pytest.mark.parametrize(
    ("number", "into", "message"),
    [
        ("HH-1", "HH-1", "into itself"),
        ("HH-1", "HH-2", "into itself"),  # HH-2 went into HH-1: the loop A→B, B→A
        ("HH-2", "HH-3", "already merged into HH-1"),
        ("HH-3", "OP-1", "No ticket OP-1"),
    ],
)
def test_loops_and_impossible_merges_are_refused(session, desk, number, into, message):
    merges.merge(session=session, actor=desk["agent"], number="HH-2", into="HH-1")
    with pytest.raises(ValidationFailed) as caught:
        merges.merge(session=session, actor=desk["agent"], number=number, into=into)
    assert message in caught.value.errors["merge"]


def test_tickets_of_another_project_are_not_merged(session, desk):
    admin = make_user(session, "admin")
    file_ticket(session, admin, project_key="OP", title="Elsewhere")
    with pytest.raises(ValidationFailed) as caught:
        merges.merge(session=session, actor=admin, number="HH-1", into="OP-1")
    assert caught.value.errors["merge"] == "Only tickets of the same project can be merged."


def test_clients_cannot_merge(session, desk):
    with pytest.raises(PermissionDenied):
        merges.merge(session=session, actor=desk["bob"], number="HH-3", into="HH-2")


def test_an_api_client_reading_the_old_number_gets_the_ticket_it_was_merged_into(session, desk):
    client = make_api_client(session, "HH").client
    duplicate = _ticket(session, 2)
    duplicate.api_client_id = client.id
    session.add(duplicate)
    merges.merge(session=session, actor=desk["agent"], number="HH-2", into="HH-1")
    document = ticket_documents.read_ticket(session=session, client=client, number="HH-2")
    assert (document["number"], document["title"]) == ("HH-1", "Login fails")
