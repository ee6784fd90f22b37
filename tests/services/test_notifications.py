"""Who hears about what: each event's recipients, their choice of mail and push, the bell, and
that nobody hears about their own action. Events are fanned out as the consumer would, through
`outbox.deliver`, and the staged mail and push messages are read back from the outbox."""

from __future__ import annotations

import email
import uuid
from dataclasses import dataclass
from datetime import timedelta
from email import policy

import pytest
from sqlmodel import Session, select

from tests.factories import add_member, file_ticket, make_api_client, make_project, make_user
from tickit.config import get_settings
from tickit.models import Notification, OutboxMessage, PushSubscription, User, utcnow
from tickit.services import (
    comments,
    intake,
    intake_policy,
    notification_choices,
    outbox,
    ticket_detail,
    users,
    vapid,
    workflow,
)
from tickit.services.actors import SYSTEM, UserPublic
from tickit.services.intake_request import TicketIn


@dataclass
class Desk:
    """HH with two agents, a deactivated agent, a client reporter, and an admin who is not a member."""

    agent: UserPublic
    other_agent: UserPublic
    away: UserPublic
    client: UserPublic
    admin: UserPublic
    project_id: int


@pytest.fixture
def mail_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("TICKIT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("APP_URL", "https://help.example.com")
    monkeypatch.delenv("SMTP_HOST", raising=False)
    get_settings.cache_clear()
    yield tmp_path / "mail"
    get_settings.cache_clear()


@pytest.fixture
def desk(engine) -> Desk:
    with Session(engine, expire_on_commit=False) as session:
        project = make_project(session, "HH")
        people = Desk(
            agent=make_user(session, "agent", name="Grace Hopper"),
            other_agent=make_user(session, "agent", name="Alan Turing"),
            away=make_user(session, "agent", name="Away Agent"),
            client=make_user(session, "client", name="Ada Lovelace"),
            admin=make_user(session, "admin", name="Admin Person"),
            project_id=project.id,
        )
        for agent in (people.agent, people.other_agent, people.away):
            add_member(session, project.id, agent, "agent")
        add_member(session, project.id, people.client, "client")
        users.set_active(session=session, actor=SYSTEM, user_id=people.away.id, active=False)
        # The requester's receipt has tests of its own (test_acknowledgement.py); here it would be noise.
        intake_policy.update_intake(session=session, actor=SYSTEM, project_key="HH", changes={"acknowledge": False})
        session.commit()
    return people


def subscribe(engine, user: UserPublic, *, key: str | None = None) -> int:
    """A browser subscription of the user's, made with this server's VAPID key unless told otherwise."""
    with Session(engine) as session:
        row = PushSubscription(
            user_id=user.id,
            endpoint=f"https://push.example.net/{uuid.uuid4().hex}",
            p256dh="BPublicKeyOfTheBrowser",
            auth="secret",
            vapid_public_key=key or vapid.public_key(),
        )
        session.add(row)
        session.commit()
        return row.id


def prefer(engine, user: UserPublic, **choices: bool) -> None:
    with Session(engine) as session:
        row = session.get(User, user.id)
        for name, value in choices.items():
            setattr(row, name, value)
        session.add(row)
        session.commit()


def act(engine, do):
    """Run one use case in its own committed transaction, as a request would."""
    with Session(engine, expire_on_commit=False) as session:
        result = do(session)
        session.commit()
        return result


def fan_out(engine) -> None:
    """Deliver every staged event row, as the consumer does."""
    with Session(engine) as session:
        ids = session.exec(
            select(OutboxMessage.id).where(OutboxMessage.channel == "event", OutboxMessage.delivered_at.is_(None))
        ).all()
    for event_id in ids:
        assert outbox.deliver(event_id, engine=engine) == "delivered"


def messages(engine, channel: str) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(
            session.exec(select(OutboxMessage).where(OutboxMessage.channel == channel).order_by(OutboxMessage.id)).all()
        )


def told(engine, channel: str) -> list[tuple[str, int]]:
    """(event, recipient) of each staged mail or push message."""
    return [(m.event, m.recipient_user_id) for m in messages(engine, channel)]


def bell(engine) -> list[tuple[int, str, str]]:
    with Session(engine) as session:
        rows = session.exec(select(Notification).order_by(Notification.id)).all()
        return [(n.user_id, n.event, n.summary) for n in rows]


def clear(engine) -> None:
    """Forget what was staged so far, so a test reads only what its next step causes."""
    with Session(engine) as session:
        for row in session.exec(select(OutboxMessage)).all():
            session.delete(row)
        for row in session.exec(select(Notification)).all():
            session.delete(row)
        session.commit()


def mention(user: UserPublic) -> str:
    return f'<span data-type="mention" class="mention" data-id="{user.id}" data-label="{user.name}">@{user.name}</span>'


@pytest.fixture
def ticket(engine, desk, mail_dir) -> str:
    """HH-1, filed by the client; what its filing staged is cleared."""
    number = act(engine, lambda s: file_ticket(s, desk.client, title="Checkout button does nothing"))
    clear(engine)
    return number


def test_a_new_ticket_reaches_each_active_agent_in_the_bell_by_mail_and_on_each_device(engine, desk, mail_dir):
    phone, laptop = subscribe(engine, desk.agent), subscribe(engine, desk.agent)
    subscribe(engine, desk.away)

    act(engine, lambda s: file_ticket(s, desk.client, title="Checkout button does nothing"))
    fan_out(engine)

    assert told(engine, "mail") == [("ticket_created", desk.agent.id), ("ticket_created", desk.other_agent.id)]
    assert [(m.recipient_user_id, m.payload["subscription_id"]) for m in messages(engine, "push")] == [
        (desk.agent.id, phone),
        (desk.agent.id, laptop),
    ]
    assert messages(engine, "push")[0].payload["notification"] == {
        "title": "HH-1 · New ticket",
        "body": "Checkout button does nothing",
        "url": "/tickets/HH-1",
        "tag": "ticket-HH-1",
    }
    assert bell(engine) == [
        (desk.agent.id, "ticket_created", "New ticket HH-1: Checkout button does nothing"),
        (desk.other_agent.id, "ticket_created", "New ticket HH-1: Checkout button does nothing"),
    ]


def test_a_fanned_out_event_is_never_fanned_out_again(engine, desk, ticket):
    act(engine, lambda s: file_ticket(s, desk.client, title="Second"))
    [event] = messages(engine, "event")
    assert outbox.deliver(event.id, engine=engine) == "delivered"

    assert outbox.deliver(event.id, engine=engine) == "already-delivered"

    assert len(messages(engine, "mail")) == 2 and len(bell(engine)) == 2


def test_an_agent_filing_a_ticket_is_not_told_about_it(engine, desk, mail_dir):
    act(engine, lambda s: file_ticket(s, desk.agent, title="Found while testing"))
    fan_out(engine)

    assert told(engine, "mail") == [("ticket_created", desk.other_agent.id)]


def test_an_api_ticket_raises_the_same_event_and_mail_names_its_number(engine, desk, mail_dir):
    def file_over_the_api(session):
        intake.create_or_replay(
            session=session,
            client=make_api_client(session).client,
            idempotency_key="k",
            request=TicketIn(type="question", title="How do I export?", fields={"topic": "how_to"}),
        )

    act(engine, file_over_the_api)
    [event] = messages(engine, "event")
    assert (event.event, event.payload) == ("ticket_created", {"title": "How do I export?"})
    fan_out(engine)

    mail_message = messages(engine, "mail")[0]
    assert outbox.deliver(mail_message.id, engine=engine) == "delivered"
    [written] = list(mail_dir.glob("*.eml"))
    received = email.message_from_bytes(written.read_bytes(), policy=policy.default)
    assert received["Subject"] == "[HH-1] How do I export?"
    assert received["To"] == desk.agent.email
    assert "https://help.example.com/tickets/HH-1" in received.get_body(("plain",)).get_content()


def test_assigning_tells_the_assignee_and_nobody_else(engine, desk, ticket):
    subscribe(engine, desk.other_agent)

    act(
        engine,
        lambda s: ticket_detail.assign(session=s, actor=desk.agent, number=ticket, assignee_id=desk.other_agent.id),
    )
    fan_out(engine)

    assert told(engine, "mail") == [("assigned", desk.other_agent.id)]
    assert told(engine, "push") == [("assigned", desk.other_agent.id)]
    assert messages(engine, "push")[0].payload["notification"]["title"] == "HH-1 · Assigned to you"
    assert messages(engine, "mail")[0].payload["actor_name"] == "Grace Hopper"
    assert bell(engine) == [(desk.other_agent.id, "assigned", "HH-1 assigned to you: Checkout button does nothing")]


def test_taking_a_ticket_yourself_or_unassigning_it_tells_nobody(engine, desk, ticket):
    act(engine, lambda s: ticket_detail.assign(session=s, actor=desk.agent, number=ticket, assignee_id=desk.agent.id))
    act(engine, lambda s: ticket_detail.assign(session=s, actor=desk.agent, number=ticket, assignee_id=None))

    assert messages(engine, "event") == []


def test_the_client_reply_goes_to_the_assignee_only(engine, desk, ticket):
    act(engine, lambda s: ticket_detail.assign(session=s, actor=desk.agent, number=ticket, assignee_id=desk.agent.id))

    act(
        engine,
        lambda s: comments.add_comment(session=s, actor=desk.client, number=ticket, body_html="<p>Still broken</p>"),
    )
    fan_out(engine)

    assert told(engine, "mail") == [("client_reply", desk.agent.id)]
    assert messages(engine, "mail")[0].payload["text"] == "Still broken"
    assert bell(engine) == [
        (desk.agent.id, "client_reply", "Ada Lovelace replied on HH-1: Checkout button does nothing")
    ]


def test_the_client_reply_on_an_unassigned_ticket_goes_to_every_agent(engine, desk, ticket):
    act(
        engine,
        lambda s: comments.add_comment(session=s, actor=desk.client, number=ticket, body_html="<p>Any news?</p>"),
    )
    fan_out(engine)

    assert told(engine, "mail") == [("client_reply", desk.agent.id), ("client_reply", desk.other_agent.id)]


def test_a_client_cannot_page_agents_with_a_hand_typed_mention(engine, desk, ticket):
    act(engine, lambda s: ticket_detail.assign(session=s, actor=desk.agent, number=ticket, assignee_id=desk.agent.id))

    act(
        engine,
        lambda s: comments.add_comment(
            session=s, actor=desk.client, number=ticket, body_html=f"<p>{mention(desk.other_agent)}</p>"
        ),
    )
    fan_out(engine)

    assert told(engine, "mail") == [("client_reply", desk.agent.id)]


def test_a_staff_reply_reaches_the_reporter_with_a_portal_link(engine, desk, ticket):
    subscribe(engine, desk.client)

    act(
        engine,
        lambda s: comments.add_comment(session=s, actor=desk.agent, number=ticket, body_html="<p>Fixed in 2.1</p>"),
    )
    fan_out(engine)

    [reply] = messages(engine, "mail")
    assert (reply.event, reply.recipient_user_id) == ("requester_digest", desk.client.id)
    assert reply.payload["url"] == "/portal/tickets/HH-1"
    assert reply.payload["items"] == [
        {"kind": "staff_reply", "actor_name": "Grace Hopper", "text": "Fixed in 2.1", "internal": False}
    ]
    [pushed] = messages(engine, "push")
    assert pushed.payload["notification"]["url"] == "/portal/tickets/HH-1"
    assert bell(engine) == [
        (desk.client.id, "staff_reply", "Grace Hopper replied on HH-1: Checkout button does nothing")
    ]


def test_an_internal_note_never_reaches_the_reporter_but_reaches_whom_it_mentions(engine, desk, ticket):
    note = f"<p>{mention(desk.other_agent)} {mention(desk.agent)} can you check the logs?</p>"

    act(
        engine,
        lambda s: comments.add_comment(session=s, actor=desk.agent, number=ticket, body_html=note, internal=True),
    )
    fan_out(engine)

    assert told(engine, "mail") == [("mention", desk.other_agent.id)]
    assert messages(engine, "mail")[0].payload["internal"] is True
    assert bell(engine) == [
        (desk.other_agent.id, "mention", "Grace Hopper mentioned you on HH-1: Checkout button does nothing")
    ]


def test_a_mentioned_reporter_hears_once_about_a_staff_reply(engine, desk, mail_dir):
    number = act(engine, lambda s: file_ticket(s, desk.other_agent, title="Found while testing"))
    clear(engine)

    act(
        engine,
        lambda s: comments.add_comment(
            session=s, actor=desk.agent, number=number, body_html=f"<p>{mention(desk.other_agent)} done</p>"
        ),
    )
    fan_out(engine)

    assert told(engine, "mail") == [("mention", desk.other_agent.id)]


def test_an_edit_tells_only_the_agents_it_newly_mentions(engine, desk, ticket):
    added = act(
        engine,
        lambda s: comments.add_comment(
            session=s, actor=desk.agent, number=ticket, body_html=f"<p>{mention(desk.other_agent)}</p>", internal=True
        ),
    )
    clear(engine)
    newcomer = act(engine, lambda s: make_user(s, "agent", name="Barbara Liskov"))
    act(engine, lambda s: add_member(s, desk.project_id, newcomer, "agent"))

    act(
        engine,
        lambda s: comments.edit_comment(
            session=s,
            actor=desk.agent,
            comment_id=added.id,
            body_html=f"<p>{mention(desk.other_agent)} and {mention(newcomer)}</p>",
        ),
    )
    fan_out(engine)

    assert told(engine, "mail") == [("mention", newcomer.id)]


def test_a_status_change_tells_the_requester_the_status_by_its_public_label_with_its_colour(engine, desk, ticket):
    act(engine, lambda s: workflow.move(session=s, actor=desk.agent, number=ticket, to_status="waiting_on_reporter"))
    fan_out(engine)

    [moved] = messages(engine, "mail")
    assert (moved.event, moved.recipient_user_id) == ("requester_digest", desk.client.id)
    assert [(i["kind"], i["to_status"], i["to_color"]) for i in moved.payload["items"]] == [
        ("status_changed", "Waiting for you", "violet")
    ]
    assert bell(engine) == [
        (desk.client.id, "status_changed", "HH-1 moved to Waiting for you: Checkout button does nothing")
    ]


def test_a_move_between_statuses_the_requester_reads_alike_tells_them_nothing(engine, desk, ticket):
    act(engine, lambda s: workflow.move(session=s, actor=desk.agent, number=ticket, to_status="triaged"))
    fan_out(engine)

    assert messages(engine, "mail") == [] and bell(engine) == []


def test_a_staff_reporter_hears_of_every_status_change_by_name_at_once(engine, desk, mail_dir):
    number = act(engine, lambda s: file_ticket(s, desk.other_agent, title="Found while testing"))
    clear(engine)

    act(engine, lambda s: workflow.move(session=s, actor=desk.agent, number=number, to_status="triaged"))
    fan_out(engine)

    [moved] = messages(engine, "mail")
    assert (moved.event, moved.payload["from_status"], moved.payload["to_status"]) == (
        "status_changed",
        "New",
        "Triaged",
    )


def test_moving_your_own_ticket_tells_nobody(engine, desk, mail_dir):
    number = act(engine, lambda s: file_ticket(s, desk.agent, title="Found while testing"))
    clear(engine)

    act(engine, lambda s: workflow.move(session=s, actor=desk.agent, number=number, to_status="triaged"))

    assert messages(engine, "event") == []


def test_mail_and_push_follow_each_users_choice_and_the_bell_shows_everything(engine, desk, mail_dir):
    subscribe(engine, desk.agent)
    subscribe(engine, desk.other_agent)
    prefer(engine, desk.agent, notify_by_mail=False)
    prefer(engine, desk.other_agent, notify_by_push=False)

    act(engine, lambda s: file_ticket(s, desk.client, title="Checkout button does nothing"))
    fan_out(engine)

    assert told(engine, "mail") == [("ticket_created", desk.other_agent.id)]
    assert told(engine, "push") == [("ticket_created", desk.agent.id)]
    assert [user_id for user_id, _, _ in bell(engine)] == [desk.agent.id, desk.other_agent.id]


def test_a_subscription_made_with_another_vapid_key_is_skipped_and_kept_for_the_profile(engine, desk, mail_dir):
    current = subscribe(engine, desk.agent)
    stale = subscribe(engine, desk.agent, key="BAnOldKeyFromBeforeTheReplace")

    act(engine, lambda s: file_ticket(s, desk.client, title="Checkout button does nothing"))
    fan_out(engine)

    assert [m.payload["subscription_id"] for m in messages(engine, "push")] == [current]
    with Session(engine) as session:
        assert [s.id for s in session.exec(select(PushSubscription).order_by(PushSubscription.id)).all()] == [
            current,
            stale,
        ]


def choose_new_tickets(engine, user: UserPublic, new_tickets: str) -> None:
    act(
        engine,
        lambda s: notification_choices.set_new_tickets(
            session=s, actor=user, project_key="HH", new_tickets=new_tickets
        ),
    )


def test_new_tickets_reach_each_agent_as_they_chose_for_the_project(engine, desk, mail_dir):
    choose_new_tickets(engine, desk.agent, "none")

    act(engine, lambda s: file_ticket(s, desk.client, title="Checkout button does nothing"))
    fan_out(engine)

    assert told(engine, "mail") == [("ticket_created", desk.other_agent.id)]
    assert [user_id for user_id, _, _ in bell(engine)] == [desk.other_agent.id]


def test_unassigned_only_by_default_so_a_ticket_taken_before_the_news_goes_out_is_no_news(engine, desk, mail_dir):
    choose_new_tickets(engine, desk.other_agent, "all")
    number = act(engine, lambda s: file_ticket(s, desk.client, title="Checkout button does nothing"))
    act(engine, lambda s: ticket_detail.assign(session=s, actor=desk.agent, number=number, assignee_id=desk.agent.id))

    fan_out(engine)

    assert [(user_id, event) for user_id, event, _ in bell(engine)] == [(desk.other_agent.id, "ticket_created")]


def test_assignments_mentions_and_replies_switched_off_are_not_heard(engine, desk, ticket):
    act(
        engine,
        lambda s: notification_choices.set_concerns(
            session=s, actor=desk.other_agent, assigned=False, mentions=False, replies=False
        ),
    )
    act(
        engine,
        lambda s: ticket_detail.assign(session=s, actor=desk.agent, number=ticket, assignee_id=desk.other_agent.id),
    )
    act(
        engine,
        lambda s: comments.add_comment(
            session=s,
            actor=desk.agent,
            number=ticket,
            body_html=f"<p>{mention(desk.other_agent)} look</p>",
            internal=True,
        ),
    )
    act(
        engine,
        lambda s: comments.add_comment(session=s, actor=desk.client, number=ticket, body_html="<p>Any news?</p>"),
    )
    fan_out(engine)

    assert bell(engine) == [] and messages(engine, "mail") == []


def requester_digests(engine) -> list[OutboxMessage]:
    return [m for m in messages(engine, "mail") if m.event == "requester_digest"]


def send_due_now(engine, row: OutboxMessage) -> str:
    """Deliver the mail as the relay would once its quiet period is over."""
    with Session(engine) as session:
        stored = session.get(OutboxMessage, row.id)
        stored.next_attempt_at = utcnow()
        session.add(stored)
        session.commit()
    return outbox.deliver(row.id, engine=engine)


def test_a_burst_of_replies_and_status_changes_is_one_mail_to_the_requester_and_one_bell_row_each(
    engine, desk, ticket, mail_dir
):
    def reply(text: str):
        act(engine, lambda s: comments.add_comment(session=s, actor=desk.agent, number=ticket, body_html=text))
        fan_out(engine)

    def move(status: str):
        act(engine, lambda s: workflow.move(session=s, actor=desk.agent, number=ticket, to_status=status))
        fan_out(engine)

    move("triaged")  # Open to the requester before and after: no news
    reply("<p>Looking into it.</p>")
    move("in_progress")
    reply("<p>Found it: a stale cache.</p>")
    move("fixed")

    [digest] = requester_digests(engine)
    assert digest.recipient_user_id == desk.client.id
    assert [(i["kind"], i.get("to_status") or i.get("text")) for i in digest.payload["items"]] == [
        ("staff_reply", "Looking into it."),
        ("status_changed", "In progress"),
        ("staff_reply", "Found it: a stale cache."),
        ("status_changed", "Closed"),
    ]
    assert [event for user_id, event, _ in bell(engine) if user_id == desk.client.id] == [
        "staff_reply",
        "status_changed",
        "staff_reply",
        "status_changed",
    ]
    # Sent only once the quiet period is over, as one message telling it all.
    assert outbox.deliver(digest.id, engine=engine) == "not-due"
    assert send_due_now(engine, digest) == "delivered"
    [sent] = list(mail_dir.glob("*.eml"))
    message = email.message_from_bytes(sent.read_bytes(), policy=policy.default)
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert message["Subject"] == "[HH-1] Checkout button does nothing"
    assert "There are 2 replies on your ticket HH-1" in body
    assert "> Looking into it." in body and "> Found it: a stale cache." in body
    assert "The status is now In progress." in body and "The status is now Closed." in body


def test_news_after_the_digest_was_sent_starts_the_next_one(engine, desk, ticket, mail_dir):
    act(engine, lambda s: comments.add_comment(session=s, actor=desk.agent, number=ticket, body_html="<p>One</p>"))
    fan_out(engine)
    [first] = requester_digests(engine)
    assert send_due_now(engine, first) == "delivered"

    act(engine, lambda s: comments.add_comment(session=s, actor=desk.agent, number=ticket, body_html="<p>Two</p>"))
    fan_out(engine)

    first_again, second = requester_digests(engine)
    assert [i["text"] for i in first_again.payload["items"]] == ["One"]
    assert [i["text"] for i in second.payload["items"]] == ["Two"]
    assert outbox.deliver(second.id, engine=engine) == "not-due"


def test_the_quiet_period_is_configurable(engine, desk, ticket, monkeypatch):
    monkeypatch.setenv("TICKIT_REQUESTER_MAIL_QUIET_MINUTES", "30")
    get_settings.cache_clear()

    act(engine, lambda s: comments.add_comment(session=s, actor=desk.agent, number=ticket, body_html="<p>One</p>"))
    fan_out(engine)

    [digest] = requester_digests(engine)
    wait = digest.next_attempt_at - digest.created_at
    assert timedelta(minutes=30) <= wait < timedelta(minutes=31)
