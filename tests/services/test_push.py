"""Sending one push outbox message to a local push service that verifies the VAPID signature and
decrypts the payload, and what each of its answers does to the message and the subscription."""

from __future__ import annotations

import socket
import threading
from datetime import timedelta
from email.utils import format_datetime

import pytest
import requests
from sqlmodel import Session

from tests.factories import make_user
from tests.push_receiver import PushService
from tickit.models import OutboxMessage, PushSubscription, utcnow
from tickit.services import outbox, push, vapid

SHOWN = {
    "title": "HH-42 · New ticket",
    "body": "Checkout button does nothing",
    "url": "/tickets/HH-42",
    "tag": "ticket-HH-42",
}


@pytest.fixture(autouse=True)
def no_paused_hosts(monkeypatch):
    """Each test starts with no push host paused by an earlier test's failures."""
    monkeypatch.setattr(push, "_paused_until", {})


@pytest.fixture
def service():
    with PushService(vapid.public_key()) as running:
        yield running


@pytest.fixture
def agent(engine):
    with Session(engine, expire_on_commit=False) as session:
        user = make_user(session, "agent")
        session.commit()
    return user


def store(engine, agent, browser, *, key: str | None = None) -> int:
    with Session(engine) as session:
        row = PushSubscription(
            user_id=agent.id,
            endpoint=browser.endpoint,
            p256dh=browser.p256dh,
            auth=browser.auth,
            vapid_public_key=key or vapid.public_key(),
        )
        session.add(row)
        session.commit()
        return row.id


def stage_push(engine, agent, subscription_id: int) -> int:
    with Session(engine) as session:
        row = outbox.stage(
            session,
            event="ticket_created",
            channel="push",
            recipient_user_id=agent.id,
            payload={"subscription_id": subscription_id, "notification": SHOWN},
        )
        session.commit()
        return row.id


def row(engine, outbox_id: int) -> OutboxMessage:
    with Session(engine) as session:
        return session.get(OutboxMessage, outbox_id)


def subscription_exists(engine, subscription_id: int) -> bool:
    with Session(engine) as session:
        return session.get(PushSubscription, subscription_id) is not None


@pytest.fixture
def pushed(engine, agent, service):
    """A subscribed browser and a push message staged for it: (browser, subscription id, outbox id)."""
    browser = service.subscribe()
    subscription_id = store(engine, agent, browser)
    return browser, subscription_id, stage_push(engine, agent, subscription_id)


def test_the_browser_decrypts_the_contract_payload_signed_with_the_apps_vapid_key(engine, service, pushed):
    browser, _, outbox_id = pushed

    assert outbox.deliver(outbox_id, engine=engine) == "delivered"

    assert service.errors == []
    [received] = service.received
    assert received.payload == SHOWN
    assert received.headers["ttl"] == str(push.TTL_SECONDS)
    assert received.headers["topic"] == f"tickit-{outbox_id}"
    assert received.claims["sub"].startswith("mailto:")
    assert row(engine, outbox_id).delivered_at is not None
    assert outbox.deliver(outbox_id, engine=engine) == "already-delivered"
    assert len(service.received) == 1


@pytest.mark.parametrize("status", [404, 410])
def test_an_expired_subscription_is_deleted_and_the_message_dropped(engine, service, pushed, status):
    browser, subscription_id, outbox_id = pushed
    service.answer(browser, status)

    assert outbox.deliver(outbox_id, engine=engine) == "failed"

    assert not subscription_exists(engine, subscription_id)
    assert f"answered {status}" in row(engine, outbox_id).last_error
    assert outbox_id not in outbox.pending_ids(engine=engine)


def test_too_many_requests_waits_as_long_as_the_push_service_asks(engine, service, pushed):
    browser, subscription_id, outbox_id = pushed
    service.answer(browser, 429, Retry_After="120")
    before = utcnow()

    with pytest.raises(outbox.RetryLater) as later:
        outbox.deliver(outbox_id, engine=engine)

    assert before + timedelta(seconds=119) <= later.value.due_at <= utcnow() + timedelta(seconds=120)
    assert row(engine, outbox_id).next_attempt_at == later.value.due_at
    assert subscription_exists(engine, subscription_id)
    assert outbox.deliver(outbox_id, engine=engine) == "not-due"


def test_retry_after_may_be_an_http_date(engine, service, pushed):
    browser, _, outbox_id = pushed
    service.answer(browser, 503, Retry_After=format_datetime(utcnow() + timedelta(seconds=300), usegmt=True))

    with pytest.raises(outbox.RetryLater) as later:
        outbox.deliver(outbox_id, engine=engine)

    assert utcnow() + timedelta(seconds=290) <= later.value.due_at <= utcnow() + timedelta(seconds=301)


def test_a_server_error_backs_off_and_the_retry_is_delivered(engine, service, pushed):
    browser, _, outbox_id = pushed
    service.answer(browser, 502)

    with pytest.raises(outbox.RetryLater) as later:
        outbox.deliver(outbox_id, engine=engine)
    assert later.value.due_at >= utcnow() + timedelta(seconds=55)
    with Session(engine) as session:
        session.get(OutboxMessage, outbox_id).next_attempt_at = utcnow()
        session.commit()

    assert outbox.deliver(outbox_id, engine=engine) == "delivered"
    assert service.payloads(browser) == [SHOWN]
    assert row(engine, outbox_id).attempts == 2


def test_another_client_error_is_logged_and_dropped_but_the_subscription_kept(engine, service, pushed, caplog):
    browser, subscription_id, outbox_id = pushed
    service.answer(browser, 413)

    assert outbox.deliver(outbox_id, engine=engine) == "failed"

    assert subscription_exists(engine, subscription_id)
    assert "permanently refused" in caplog.text and "413" in caplog.text


def test_an_unreachable_push_service_is_retried(engine, agent):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with Session(engine) as session:
        subscription = PushSubscription(
            user_id=agent.id,
            endpoint=f"http://127.0.0.1:{closed_port}/push/x",
            p256dh=PushService(vapid.public_key()).subscribe().p256dh,
            auth="c2VjcmV0c2VjcmV0c2VjcmV0",
            vapid_public_key=vapid.public_key(),
        )
        session.add(subscription)
        session.commit()
        subscription_id = subscription.id
    outbox_id = stage_push(engine, agent, subscription_id)

    with pytest.raises(outbox.RetryLater) as later:
        outbox.deliver(outbox_id, engine=engine)

    assert isinstance(later.value.__cause__, requests.ConnectionError)
    assert row(engine, outbox_id).attempts == 1


def test_a_push_service_that_does_not_answer_in_time_is_retried(engine, service, pushed, monkeypatch):
    _, _, outbox_id = pushed
    monkeypatch.setattr(push, "TIMEOUT_SECONDS", (1, 0.3))
    service.hold_next = hold = threading.Event()
    try:
        with pytest.raises(outbox.RetryLater) as later:
            outbox.deliver(outbox_id, engine=engine)
    finally:
        hold.set()

    assert isinstance(later.value.__cause__, requests.Timeout)
    assert "Timeout" in row(engine, outbox_id).last_error


def test_a_subscription_made_with_another_vapid_key_is_not_sent_to(engine, agent, service):
    browser = service.subscribe()
    subscription_id = store(engine, agent, browser, key="BOldKeyBeforeTheReplace")
    outbox_id = stage_push(engine, agent, subscription_id)

    assert outbox.deliver(outbox_id, engine=engine) == "failed"

    assert service.requests == 0
    assert "another VAPID key" in row(engine, outbox_id).last_error
    assert subscription_exists(engine, subscription_id)


def test_a_message_for_a_removed_subscription_is_dropped(engine, service, pushed):
    _, subscription_id, outbox_id = pushed
    with Session(engine) as session:
        session.delete(session.get(PushSubscription, subscription_id))
        session.commit()

    assert outbox.deliver(outbox_id, engine=engine) == "failed"
    assert service.requests == 0
