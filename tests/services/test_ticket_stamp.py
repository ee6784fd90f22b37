"""The ticket stamp an open ticket page polls: it changes with every change to the ticket, and only then."""

from __future__ import annotations

import pytest

from tests.factories import add_member, file_ticket, make_project, make_user
from tickit.services import comments, ticket_detail
from tickit.services.errors import NotFound
from tickit.services.ticket_stamp import ticket_stamp


@pytest.fixture
def desk(session):
    hh = make_project(session, "HH")
    client, other_client = make_user(session, "client"), make_user(session, "client")
    agent = make_user(session, "agent")
    for user, role in ((client, "client"), (other_client, "client"), (agent, "agent")):
        add_member(session, hh.id, user, role)
    return file_ticket(session, client), client, other_client, agent


def test_the_stamp_stays_while_nothing_changes(session, desk):
    number, _client, _other, agent = desk
    assert ticket_stamp(session=session, actor=agent, number=number) == ticket_stamp(
        session=session, actor=agent, number=number
    )


@pytest.mark.parametrize(
    "change",
    [
        lambda s, agent, number: ticket_detail.set_priority(session=s, actor=agent, number=number, priority="urgent"),
        lambda s, agent, number: ticket_detail.assign(session=s, actor=agent, number=number, assignee_id=agent.id),
        lambda s, agent, number: comments.add_comment(session=s, actor=agent, number=number, body_html="<p>Hi</p>"),
        lambda s, agent, number: comments.add_comment(
            session=s, actor=agent, number=number, body_html="<p>Note</p>", internal=True
        ),
    ],
    ids=["priority", "assignee", "comment", "internal note"],
)
def test_the_stamp_changes_with_each_change_to_the_ticket(session, desk, change):
    number, _client, _other, agent = desk
    before = ticket_stamp(session=session, actor=agent, number=number)
    change(session, agent, number)
    session.flush()
    assert ticket_stamp(session=session, actor=agent, number=number) != before


def test_an_edit_of_a_comment_changes_the_stamp(session, desk):
    number, client, _other, _agent = desk
    comment = comments.add_comment(session=session, actor=client, number=number, body_html="<p>One</p>")
    before = ticket_stamp(session=session, actor=client, number=number)
    comments.edit_comment(session=session, actor=client, comment_id=comment.id, body_html="<p>Two</p>")
    assert ticket_stamp(session=session, actor=client, number=number) != before


def test_someone_who_may_not_see_the_ticket_gets_no_stamp(session, desk):
    number, _client, other_client, _agent = desk
    with pytest.raises(NotFound):
        ticket_stamp(session=session, actor=other_client, number=number)
