"""The bell's service: a user's own notifications, unread counts, marking read."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import add_member, file_ticket, make_project, make_user
from tickit.models import Notification, utcnow
from tickit.services import inbox
from tickit.services.access import ticket_for
from tickit.services.actors import SYSTEM
from tickit.services.errors import NotFound


@pytest.fixture
def scene(session):
    project = make_project(session, "HH")
    agent, other_agent, client = make_user(session, "agent"), make_user(session, "agent"), make_user(session, "client")
    for user, role in ((agent, "agent"), (other_agent, "agent"), (client, "client")):
        add_member(session, project.id, user, role)
    number = file_ticket(session, client, "HH", "Checkout button does nothing")
    ticket_id = ticket_for(session, SYSTEM, number).id
    return agent, other_agent, client, number, ticket_id


def _notify(session, user, ticket_id, summary, *, read=False, minutes_ago=0):
    note = Notification(
        user_id=user.id,
        ticket_id=ticket_id,
        event="ticket_created",
        summary=summary,
        created_at=utcnow() - timedelta(minutes=minutes_ago),
        read_at=utcnow() if read else None,
    )
    session.add(note)
    session.flush()
    return note.id


def test_unread_counts_only_the_users_own_unread_rows(session, scene):
    agent, other_agent, _, _, ticket_id = scene
    _notify(session, agent, ticket_id, "one")
    _notify(session, agent, ticket_id, "two")
    _notify(session, agent, ticket_id, "seen", read=True)
    _notify(session, other_agent, ticket_id, "theirs")

    assert inbox.unread_count(session=session, actor=agent) == 2
    assert inbox.unread_count(session=session, actor=make_user(session, "agent")) == 0


def test_newest_lists_the_users_notifications_newest_first_with_ticket_numbers(session, scene):
    agent, other_agent, _, number, ticket_id = scene
    _notify(session, agent, ticket_id, "older", read=True, minutes_ago=30)
    _notify(session, agent, ticket_id, "newer")
    _notify(session, other_agent, ticket_id, "not for the agent")
    _notify(session, agent, None, "about no ticket")

    entries = inbox.newest(session=session, actor=agent)

    assert [(e.summary, e.read, e.ticket_number) for e in entries] == [
        ("about no ticket", False, None),
        ("newer", False, number),
        ("older", True, number),
    ]


def test_newest_is_limited(session, scene):
    agent, _, _, _, ticket_id = scene
    for n in range(5):
        _notify(session, agent, ticket_id, f"note {n}")

    assert [e.summary for e in inbox.newest(session=session, actor=agent, limit=2)] == ["note 4", "note 3"]


def test_opening_a_notification_marks_it_read_and_gives_its_ticket(session, scene):
    agent, _, _, number, ticket_id = scene
    note_id = _notify(session, agent, ticket_id, "New ticket")

    opened = inbox.mark_read(session=session, actor=agent, notification_id=note_id)

    assert (opened.ticket_number, opened.read) == (number, True)
    assert inbox.unread_count(session=session, actor=agent) == 0
    first_read_at = session.get(Notification, note_id).read_at
    inbox.mark_read(session=session, actor=agent, notification_id=note_id)
    assert session.get(Notification, note_id).read_at == first_read_at


def test_nobody_can_mark_another_users_notification_read(session, scene):
    agent, other_agent, _, _, ticket_id = scene
    theirs = _notify(session, other_agent, ticket_id, "theirs")

    with pytest.raises(NotFound):
        inbox.mark_read(session=session, actor=agent, notification_id=theirs)
    with pytest.raises(NotFound):
        inbox.mark_read(session=session, actor=agent, notification_id=theirs + 1000)
    assert session.get(Notification, theirs).read_at is None


def test_mark_all_read_leaves_other_users_unread(session, scene):
    agent, other_agent, client, _, ticket_id = scene
    for summary in ("a", "b", "c"):
        _notify(session, agent, ticket_id, summary)
    _notify(session, other_agent, ticket_id, "theirs")
    _notify(session, client, ticket_id, "the client's")

    assert inbox.mark_all_read(session=session, actor=agent) == 3

    assert inbox.unread_count(session=session, actor=agent) == 0
    assert inbox.unread_count(session=session, actor=other_agent) == 1
    assert inbox.unread_count(session=session, actor=client) == 1


def test_entries_read_more_than_90_days_ago_are_purged_and_unread_ones_stay(session, scene):
    agent, other_agent, _, _, ticket_id = scene
    long_ago, lately = utcnow() - timedelta(days=91), utcnow() - timedelta(days=89)
    kept = {
        _notify(session, agent, ticket_id, "unread for months", minutes_ago=200 * 24 * 60),
        _notify(session, agent, ticket_id, "read lately", minutes_ago=100 * 24 * 60),
    }
    purged = _notify(session, other_agent, ticket_id, "read long ago", minutes_ago=100 * 24 * 60)
    session.get(Notification, purged).read_at = long_ago
    for note_id in kept:
        note = session.get(Notification, note_id)
        note.read_at = lately if note.summary == "read lately" else None
    session.flush()

    assert inbox.purge_read(session=session) == 1

    assert {e.id for e in inbox.newest(session=session, actor=agent)} == kept
    assert inbox.newest(session=session, actor=other_agent) == []


def test_for_me_leaves_out_news_of_new_tickets(session, scene):
    agent, _, _, _, ticket_id = scene
    _notify(session, agent, ticket_id, "new ticket")
    for event in ("assigned", "mention", "client_reply"):
        session.add(Notification(user_id=agent.id, ticket_id=ticket_id, event=event, summary=event))
    session.flush()

    assert [e.summary for e in inbox.newest(session=session, actor=agent, for_me=True)] == [
        "client_reply",
        "mention",
        "assigned",
    ]
    assert len(inbox.newest(session=session, actor=agent)) == 4
