"""Issue 13, point 3: Web Push cannot be used to reach internal hosts.

A subscription endpoint must be https on a public address, checked when subscribing and again
when sending (DNS may change, and may change between the check and the connection); redirects
are not followed; a user keeps at most ten subscriptions; one user's dead endpoints cost one
timeout, not one per message, so other people's pushes go out.
"""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator

import pytest
from sqlmodel import Session, select

from tests.factories import make_user
from tests.push_receiver import BrowserSubscription, PushService
from tickit.models import OutboxMessage, PushSubscription
from tickit.services import outbox, push, push_subscriptions, push_targets, vapid
from tickit.services.errors import ValidationFailed

PUBLIC = "142.250.74.10"
SHOWN = {"title": "HH-1 · New ticket", "body": "Printer on fire", "url": "/tickets/HH-1", "tag": "ticket-HH-1"}
INTERNAL_ADDRESSES = [
    "127.0.0.1",
    "10.0.0.5",
    "172.16.3.4",
    "192.168.1.1",
    "169.254.169.254",  # AWS, GCP and Azure metadata
    "100.100.100.200",  # Alibaba Cloud metadata
    "192.0.0.192",  # Oracle Cloud metadata
    "0.0.0.0",
    "::1",
    "fd00:ec2::254",  # AWS metadata over IPv6
    "fe80::1",
    "::ffff:10.0.0.1",
    "64:ff9b::a9fe:a9fe",  # 169.254.169.254 through NAT64
]


@pytest.fixture
def dns(monkeypatch) -> dict[str, list[str]]:
    """What each host name resolves to for the app's checks (there is no DNS here); others do not resolve."""
    answers: dict[str, list[str]] = {}

    def resolve(host: str, port: int) -> list[str]:
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return answers[host]

    monkeypatch.setattr(push_targets, "resolve", resolve)
    return answers


@pytest.fixture
def production(settings_env) -> None:
    """The production default: no host is exempt from the public-https rule."""
    settings_env(TICKIT_PUSH_ALLOWED_HOSTS="")


@pytest.fixture(autouse=True)
def no_paused_hosts(monkeypatch):
    monkeypatch.setattr(push, "_paused_until", {})


def subscribe(session, user, endpoint: str):
    browser = PushService(vapid.public_key()).subscribe()
    return push_subscriptions.subscribe(
        session=session,
        actor=user,
        endpoint=endpoint,
        p256dh=browser.p256dh,
        auth=browser.auth,
        application_server_key=vapid.public_key(),
    )


def store(engine, user_id: int, endpoint: str, browser: BrowserSubscription | None = None) -> int:
    """A subscription row as an earlier check let it in, and a push staged for it: the outbox id."""
    browser = browser or PushService(vapid.public_key()).subscribe()
    with Session(engine) as session:
        row = PushSubscription(
            user_id=user_id,
            endpoint=endpoint,
            p256dh=browser.p256dh,
            auth=browser.auth,
            vapid_public_key=vapid.public_key(),
        )
        session.add(row)
        session.flush()
        message = outbox.stage(
            session,
            event="ticket_created",
            channel=push.OUTBOX_CHANNEL,
            recipient_user_id=user_id,
            payload={"subscription_id": row.id, "notification": SHOWN},
        )
        session.commit()
        return message.id


def new_user_id(engine) -> int:
    with Session(engine) as session:
        user = make_user(session, "agent")
        session.commit()
        return user.id


def outbox_row(engine, outbox_id: int) -> OutboxMessage:
    with Session(engine) as session:
        return session.get(OutboxMessage, outbox_id)


def subscription_count(engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(PushSubscription)).all())


@pytest.mark.parametrize("address", INTERNAL_ADDRESSES)
def test_an_endpoint_whose_name_resolves_to_an_internal_address_is_refused(session, production, dns, address):
    dns["push.attacker.example"] = [address]

    with pytest.raises(ValidationFailed) as refused:
        subscribe(session, make_user(session, "agent"), "https://push.attacker.example/wpush/1")

    message = "The endpoint must be on the public internet; push.attacker.example is not."
    assert refused.value.errors == {"endpoint": message}
    assert session.exec(select(PushSubscription)).all() == []


@pytest.mark.parametrize(
    "endpoint", ["https://169.254.169.254/latest/meta-data/", "https://[::1]:8443/push", "https://10.1.2.3/push"]
)
def test_an_endpoint_on_a_literal_internal_address_is_refused(session, production, dns, endpoint):
    with pytest.raises(ValidationFailed) as refused:
        subscribe(session, make_user(session, "agent"), endpoint)
    assert "public internet" in refused.value.errors["endpoint"]


def test_a_name_with_one_internal_address_among_public_ones_is_refused(session, production, dns):
    dns["push.attacker.example"] = [PUBLIC, "10.0.0.5"]
    with pytest.raises(ValidationFailed):
        subscribe(session, make_user(session, "agent"), "https://push.attacker.example/wpush/1")


@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:8765/push/1", "http://localhost:9/p", "http://[::1]:80/p"])
def test_by_default_plain_http_to_this_machine_is_refused(session, production, dns, endpoint):
    with pytest.raises(ValidationFailed) as refused:
        subscribe(session, make_user(session, "agent"), endpoint)
    assert refused.value.errors == {"endpoint": "The endpoint must be an https URL."}


def test_an_endpoint_whose_name_does_not_resolve_is_refused(session, production, dns):
    with pytest.raises(ValidationFailed) as refused:
        subscribe(session, make_user(session, "agent"), "https://nowhere.example/wpush/1")
    assert refused.value.errors == {"endpoint": "The endpoint's host nowhere.example does not resolve."}


def test_a_public_https_endpoint_is_accepted(session, production, dns):
    dns["fcm.googleapis.com"] = [PUBLIC]
    device = subscribe(session, make_user(session, "agent"), "https://fcm.googleapis.com/fcm/send/abc")
    assert device.service == "Chrome or Edge (Google push service)"


def test_a_subscription_whose_name_now_resolves_inward_is_not_sent_to_and_is_deleted(engine, production, dns):
    dns["push.attacker.example"] = ["169.254.169.254"]  # public when subscribed; DNS changed since
    outbox_id = store(engine, new_user_id(engine), "https://push.attacker.example/wpush/1")

    assert outbox.deliver(outbox_id, engine=engine) == "failed"

    assert "public internet" in outbox_row(engine, outbox_id).last_error
    assert subscription_count(engine) == 0


def test_a_name_that_rebinds_to_loopback_between_check_and_connection_gets_no_request(engine, production, dns):
    with PushService(vapid.public_key()) as service:
        port = service.origin.rsplit(":", 1)[1]
        # The check sees a public address; the connection (the system's resolver) reaches 127.0.0.1.
        dns["localhost"] = [PUBLIC]
        outbox_id = store(engine, new_user_id(engine), f"https://localhost:{port}/push/x", service.subscribe())

        assert outbox.deliver(outbox_id, engine=engine) == "failed"

        assert service.requests == 0
        assert "non-public address" in outbox_row(engine, outbox_id).last_error


def test_a_redirect_from_the_push_service_is_not_followed(engine):
    with PushService(vapid.public_key()) as service:
        browser, elsewhere = service.subscribe(), service.subscribe()
        outbox_id = store(engine, new_user_id(engine), browser.endpoint, browser)
        service.answer(browser, 307, Location=elsewhere.endpoint)

        assert outbox.deliver(outbox_id, engine=engine) == "failed"

        assert service.requests == 1
        assert "answered 307" in outbox_row(engine, outbox_id).last_error


def test_a_user_keeps_at_most_ten_subscriptions_the_oldest_replaced(session, dns):
    user, other = make_user(session, "agent"), make_user(session, "agent")
    dns["fcm.googleapis.com"] = [PUBLIC]
    subscribe(session, other, "https://fcm.googleapis.com/fcm/send/theirs")
    for n in range(1, 12):
        subscribe(session, user, f"https://fcm.googleapis.com/fcm/send/{n}")

    mine = push_subscriptions.devices(session=session, actor=user)

    assert [d.endpoint.rsplit("/", 1)[1] for d in mine] == [str(n) for n in range(2, 12)]
    assert len(push_subscriptions.devices(session=session, actor=other)) == 1


class _BlackHole(socketserver.ThreadingTCPServer):
    """A push host that accepts connections and never answers; counts the connections."""

    daemon_threads = True

    def __init__(self) -> None:
        self.connections = 0
        self.release = threading.Event()
        hole = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                hole.connections += 1
                hole.release.wait(30)

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.fixture
def black_hole() -> Iterator[_BlackHole]:
    hole = _BlackHole()
    threading.Thread(target=hole.serve_forever, daemon=True).start()
    yield hole
    hole.release.set()
    hole.shutdown()
    hole.server_close()


def test_one_users_hanging_endpoints_cost_one_timeout_and_others_still_get_theirs(engine, black_hole, monkeypatch):
    monkeypatch.setattr(push, "TIMEOUT_SECONDS", (1, 0.3))
    stalled_user, other_user = new_user_id(engine), new_user_id(engine)
    hanging = [
        store(engine, stalled_user, f"http://127.0.0.1:{black_hole.server_address[1]}/push/{n}") for n in range(5)
    ]
    with PushService(vapid.public_key()) as service:
        browser = service.subscribe()
        theirs = store(engine, other_user, browser.endpoint, browser)

        for outbox_id in hanging:
            with pytest.raises(outbox.RetryLater):
                outbox.deliver(outbox_id, engine=engine)
        assert outbox.deliver(theirs, engine=engine) == "delivered"

        assert black_hole.connections == 1
        assert service.payloads() == [SHOWN]
    assert all(outbox_row(engine, outbox_id).delivered_at is None for outbox_id in hanging)
