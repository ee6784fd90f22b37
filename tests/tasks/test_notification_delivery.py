"""Notifications end to end with real peers: a ticket filed over the integration API (its own
process) reaches an agent's browser through a local push service, which checks the VAPID JWT
against the app's public key and decrypts the payload with the subscription's own key, and the
agent's mailbox through an SMTP server; a real Huey consumer delivers, once, even when Redis is
down while the ticket is filed or the consumer is killed in the middle of a send."""

from __future__ import annotations

import json
import signal
import threading
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from sqlmodel import Session, select

from tests.factories import add_member, make_api_client, make_project, make_user
from tests.processes import WAIT_SECONDS, wait_until
from tests.push_receiver import BrowserSubscription, PushService
from tests.tasks.conftest import APP_URL, run_python
from tickit.models import Notification, OutboxMessage, PushSubscription, utcnow
from tickit.services import intake_policy
from tickit.services.actors import SYSTEM, UserPublic

BUG = {
    "type": "bug",
    "title": "Checkout button does nothing",
    "fields": {"severity": "major"},
    "reporter": {"email": "ada@example.com", "name": "Ada Lovelace"},
}
RUN_RELAY = "from tickit.tasks import relay_pending_outbox; relay_pending_outbox.call_local()"
GENERATE_VAPID = "from tickit.cli import main; raise SystemExit(main(['vapid', 'generate']))"
ASSIGN = """
import sys
import tickit.tasks
from tickit.db import session_scope
from tickit.models import User
from tickit.services import ticket_detail
from tickit.services.actors import UserPublic

with session_scope() as session:
    actor = UserPublic.of(session.get(User, int(sys.argv[1])))
    ticket_detail.assign(session=session, actor=actor, number=sys.argv[2], assignee_id=int(sys.argv[3]))
"""


@dataclass
class Desk:
    agent: UserPublic
    other_agent: UserPublic
    token: str
    browser: BrowserSubscription
    subscription_id: int


@pytest.fixture
def app_public_key(worker_env) -> str:
    """The VAPID public key, as `tickit vapid generate` prints it into the app's data directory."""
    return run_python(GENERATE_VAPID, worker_env).stdout.split()[-1]


@pytest.fixture
def push_service(app_public_key):
    with PushService(app_public_key) as service:
        yield service


@pytest.fixture
def desk(engine, push_service, app_public_key) -> Desk:
    """HH with two agents, the first subscribed in a browser of the push service; an API token."""
    browser = push_service.subscribe()
    with Session(engine, expire_on_commit=False) as session:
        project = make_project(session, "HH")
        # These tests count the agents' messages; the reporter's receipt is tested on its own.
        intake_policy.update_intake(session=session, actor=SYSTEM, project_key="HH", changes={"acknowledge": False})
        agent = make_user(session, "agent", name="Grace Hopper", email="grace@example.com")
        other_agent = make_user(session, "agent", name="Alan Turing", email="alan@example.com")
        add_member(session, project.id, agent, "agent")
        add_member(session, project.id, other_agent, "agent")
        token = make_api_client(session).token
        subscription = PushSubscription(
            user_id=agent.id,
            endpoint=browser.endpoint,
            p256dh=browser.p256dh,
            auth=browser.auth,
            vapid_public_key=app_public_key,
        )
        session.add(subscription)
        session.commit()
    return Desk(agent, other_agent, token, browser, subscription.id)


def file_ticket(api_server: str, token: str, key: str = "order-1009") -> httpx.Response:
    return httpx.post(
        f"{api_server}/integrations/v1/tickets",
        content=json.dumps(BUG),
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key, "Content-Type": "application/json"},
        timeout=30,
    )


def outbox_rows(engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def all_settled(engine) -> bool:
    rows = outbox_rows(engine)
    return bool(rows) and all(r.delivered_at is not None or r.failed_at is not None for r in rows)


def mails_to(smtp_server, address: str):
    return [m for m, e in zip(smtp_server.messages(), smtp_server.envelopes, strict=True) if e.rcpt_tos == [address]]


def test_an_api_ticket_reaches_the_agents_browser_and_mailbox_once(
    engine, worker_env, api_server, consumer, push_service, smtp_server, desk
):
    response = file_ticket(api_server, desk.token)
    assert response.status_code == 201, response.text

    [pushed] = push_service.wait_for(1, timeout=WAIT_SECONDS)
    assert pushed.payload == {
        "title": "HH-1 · New ticket",
        "body": "Checkout button does nothing",
        "url": "/tickets/HH-1",
        "tag": "ticket-HH-1",
    }
    wait_until(lambda: len(smtp_server.envelopes) == 2, what="a mail to each agent", log_of=consumer)
    wait_until(lambda: all_settled(engine), what="every outbox row to be settled", log_of=consumer)
    assert push_service.errors == [] and len(push_service.received) == 1
    [created] = mails_to(smtp_server, "grace@example.com")
    assert created["Subject"] == "[HH-1] Checkout button does nothing"
    assert created["From"] == "TickIt <tickit@localhost>"
    assert f"{APP_URL}/tickets/HH-1" in created.get_body(("plain",)).get_content()
    with Session(engine) as session:
        assert [(n.user_id, n.summary) for n in session.exec(select(Notification).order_by(Notification.id))] == [
            (desk.agent.id, "New ticket HH-1: Checkout button does nothing"),
            (desk.other_agent.id, "New ticket HH-1: Checkout button does nothing"),
        ]

    # A second mail about HH-1 threads under the same root as the first.
    run_python(ASSIGN, worker_env, str(desk.agent.id), "HH-1", str(desk.other_agent.id))
    wait_until(lambda: len(mails_to(smtp_server, "alan@example.com")) == 2, what="the assignment mail", log_of=consumer)
    filed, assigned = mails_to(smtp_server, "alan@example.com")
    root = created["References"]
    assert root.startswith("<ticket-HH-1.") and root.endswith("@helpdesk.test>")
    assert filed["References"] == assigned["References"] == assigned["In-Reply-To"] == root
    assert len({created["Message-ID"], filed["Message-ID"], assigned["Message-ID"]}) == 3
    assert assigned["Subject"] == "[HH-1] Checkout button does nothing"
    assert "Grace Hopper assigned HH-1 to you" in assigned.get_body(("plain",)).get_content()


def test_a_gone_subscription_answered_410_is_deleted_and_the_mail_still_goes(
    engine, api_server, consumer, push_service, smtp_server, desk
):
    push_service.answer(desk.browser, 410)

    assert file_ticket(api_server, desk.token).status_code == 201

    wait_until(lambda: all_settled(engine) and len(outbox_rows(engine)) > 1, what="delivery", log_of=consumer)
    [push_row] = [r for r in outbox_rows(engine) if r.channel == "push"]
    assert push_row.failed_at is not None and "410" in push_row.last_error
    with Session(engine) as session:
        assert session.get(PushSubscription, desk.subscription_id) is None
    assert push_service.received == [] and push_service.requests == 1
    assert len(mails_to(smtp_server, "grace@example.com")) == 1


@pytest.fixture
def redis_queue(request, engine):
    """The Redis that Huey queues in; only next to PostgreSQL (SQLite runs Huey on SQLite)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("Huey runs on Redis next to PostgreSQL")
    return request.getfixturevalue("private_redis")


def test_with_redis_down_while_a_ticket_is_filed_one_push_and_one_mail_arrive_once_it_is_back(
    redis_queue, engine, worker_env, api_server, consumer, push_service, smtp_server, desk
):
    redis_queue.stop()

    response = file_ticket(api_server, desk.token)

    assert response.status_code == 201, response.text
    [event] = outbox_rows(engine)
    assert event.channel == "event" and event.delivered_at is None

    redis_queue.start()
    run_python(RUN_RELAY, worker_env)

    push_service.wait_for(1, timeout=WAIT_SECONDS, what=lambda: consumer.log_path.read_text(errors="replace"))
    wait_until(lambda: all_settled(engine) and len(outbox_rows(engine)) == 4, what="delivery", log_of=consumer)
    assert len(push_service.received) == 1
    assert len(mails_to(smtp_server, "grace@example.com")) == 1
    assert len(mails_to(smtp_server, "alan@example.com")) == 1
    # The relay again, with everything delivered: nothing more is sent.
    run_python(RUN_RELAY, worker_env)
    assert [r.attempts for r in outbox_rows(engine)] == [1, 1, 1, 1]


def test_a_consumer_killed_in_the_middle_of_a_push_still_leads_to_one_delivery(
    engine, worker_env, api_server, start_consumer, push_service, smtp_server, desk
):
    first = start_consumer()
    push_service.hold_next = release = threading.Event()

    assert file_ticket(api_server, desk.token).status_code == 201
    wait_until(push_service.holding.is_set, what="the push to reach the push service", log_of=first)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    release.set()
    [push_row] = [r for r in outbox_rows(engine) if r.channel == "push"]
    assert push_row.delivered_at is None and push_row.attempts == 1

    # Five minutes later the claim has run out and the relay hands the message out again.
    with Session(engine) as session:
        session.get(OutboxMessage, push_row.id).next_attempt_at = utcnow() - timedelta(seconds=1)
        session.commit()
    second = start_consumer()
    run_python(RUN_RELAY, worker_env)

    push_service.wait_for(1, timeout=WAIT_SECONDS, what=lambda: second.log_path.read_text(errors="replace"))
    wait_until(lambda: all_settled(engine) and len(outbox_rows(engine)) == 4, what="delivery", log_of=second)
    assert push_service.requests == 2 and len(push_service.received) == 1
    assert push_service.received[0].headers["topic"] == f"tickit-{push_row.id}"
    assert len(mails_to(smtp_server, "grace@example.com")) == 1
    assert len(mails_to(smtp_server, "alan@example.com")) == 1
    assert [r.attempts for r in outbox_rows(engine) if r.id == push_row.id] == [2]
