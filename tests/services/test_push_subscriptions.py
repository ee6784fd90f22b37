"""Storing, listing and removing the browsers a user receives Web Push on."""

from __future__ import annotations

import base64
import os

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlmodel import select

from tests.factories import make_user
from tickit.models import PushSubscription
from tickit.services import push_subscriptions, push_targets, vapid
from tickit.services.errors import NotFound, ValidationFailed

FCM = "https://fcm.googleapis.com/fcm/send/"
PUBLIC_ADDRESS = "142.250.74.10"


@pytest.fixture(autouse=True)
def public_dns(monkeypatch):
    """Every push host resolves to a public address (there is no DNS here)."""
    monkeypatch.setattr(push_targets, "resolve", lambda host, port: [PUBLIC_ADDRESS])


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def browser_keys() -> tuple[str, str]:
    """What a browser's PushSubscription.toJSON() holds: a fresh P-256 public point and a 16-byte secret."""
    point = ec.generate_private_key(ec.SECP256R1()).public_key()
    raw = point.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return _b64url(raw), _b64url(os.urandom(16))


def _subscribe(session, user, endpoint=FCM + "abc", **overrides):
    p256dh, auth = browser_keys()
    values = {"endpoint": endpoint, "p256dh": p256dh, "auth": auth, "application_server_key": vapid.public_key()}
    values.update(overrides)
    return push_subscriptions.subscribe(session=session, actor=user, **values), values


def _rows(session):
    return session.exec(select(PushSubscription).order_by(PushSubscription.id)).all()


def test_subscribing_stores_the_keys_and_the_vapid_key_it_was_made_with(session):
    user = make_user(session, "agent")

    device, sent = _subscribe(session, user)

    (row,) = _rows(session)
    assert (row.user_id, row.endpoint, row.p256dh, row.auth) == (
        user.id,
        sent["endpoint"],
        sent["p256dh"],
        sent["auth"],
    )
    assert row.vapid_public_key == vapid.public_key()
    assert device.current_key and device.service == "Chrome or Edge (Google push service)"


def test_the_same_endpoint_subscribed_again_moves_to_the_current_user(session):
    first, second = make_user(session, "agent"), make_user(session, "client")
    _subscribe(session, first)

    _, sent = _subscribe(session, second)

    (row,) = _rows(session)
    assert (row.user_id, row.p256dh, row.auth) == (second.id, sent["p256dh"], sent["auth"])
    assert push_subscriptions.devices(session=session, actor=first) == []


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [
        ("http://push.example.com/send/1", "The endpoint must be an https URL."),
        ("ftp://push.example.com/1", "The endpoint must be an https URL."),
        ("javascript:alert(1)", "The endpoint is not a valid URL."),
        ("", "The subscription has no endpoint."),
        ("https://push.example.com/" + "a" * 1000, "The endpoint is longer than 1000 characters."),
    ],
)
def test_endpoints_must_be_https_urls_of_bounded_length(session, endpoint, message):
    user = make_user(session, "agent")
    with pytest.raises(ValidationFailed) as failure:
        _subscribe(session, user, endpoint=endpoint)
    assert failure.value.errors == {"endpoint": message}
    assert _rows(session) == []


def test_plain_http_is_accepted_for_a_host_the_allow_list_names(session):
    # tests/conftest.py names 127.0.0.1 in TICKIT_PUSH_ALLOWED_HOSTS, for the local push service.
    endpoint = "http://127.0.0.1:8765/push/1"
    _subscribe(session, make_user(session, "agent"), endpoint=endpoint)
    assert [row.endpoint for row in _rows(session)] == [endpoint]


def test_keys_that_are_not_a_p256_point_and_a_16_byte_secret_are_refused_with_reasons(session):
    user = make_user(session, "agent")
    off_curve = _b64url(b"\x04" + b"\x01" * 64)
    cases = [
        ({"p256dh": "not base64!"}, {"p256dh": "The p256dh key must be base64url."}),
        (
            {"p256dh": _b64url(b"\x04" + b"\x00" * 10)},
            {"p256dh": "The p256dh key must be a 65-byte uncompressed P-256 public key."},
        ),
        ({"p256dh": off_curve}, {"p256dh": "The p256dh key is not a point on the P-256 curve."}),
        ({"auth": _b64url(b"short")}, {"auth": "The auth secret must be 16 bytes."}),
        ({"auth": ""}, {"auth": "The auth secret must be base64url."}),
    ]
    for overrides, errors in cases:
        with pytest.raises(ValidationFailed) as failure:
            _subscribe(session, user, **overrides)
        assert failure.value.errors == errors
    assert _rows(session) == []


def test_a_subscription_made_with_another_server_key_is_refused(session):
    other_key = browser_keys()[0]
    with pytest.raises(ValidationFailed) as failure:
        _subscribe(session, make_user(session, "agent"), application_server_key=other_key)
    assert set(failure.value.errors) == {"application_server_key"}
    assert _rows(session) == []


def test_devices_lists_only_the_users_own_and_flags_ones_made_with_an_old_key(session):
    user, other = make_user(session, "agent"), make_user(session, "agent")
    _subscribe(session, user, endpoint="https://updates.push.services.mozilla.com/wpush/v2/x")
    _subscribe(session, user, endpoint="https://push.example.net/s/1")
    _subscribe(session, other, endpoint=FCM + "theirs")
    stale = _rows(session)[1]
    stale.vapid_public_key = browser_keys()[0]
    session.add(stale)
    session.flush()

    listed = push_subscriptions.devices(session=session, actor=user)

    assert [(d.service, d.current_key) for d in listed] == [
        ("Firefox (Mozilla push service)", True),
        ("push.example.net", False),
    ]


def test_removing_a_device_works_on_the_users_own_only(session):
    user, other = make_user(session, "agent"), make_user(session, "agent")
    mine, _ = _subscribe(session, user, endpoint=FCM + "mine")
    theirs, _ = _subscribe(session, other, endpoint=FCM + "theirs")

    with pytest.raises(NotFound):
        push_subscriptions.remove(session=session, actor=user, subscription_id=theirs.id)
    push_subscriptions.remove(session=session, actor=user, subscription_id=mine.id)

    assert [row.endpoint for row in _rows(session)] == [FCM + "theirs"]


def test_unsubscribing_by_endpoint_never_touches_another_users_subscription(session):
    user, other = make_user(session, "agent"), make_user(session, "agent")
    _subscribe(session, user, endpoint=FCM + "mine")
    _subscribe(session, other, endpoint=FCM + "theirs")

    assert push_subscriptions.unsubscribe(session=session, actor=user, endpoint=FCM + "theirs") is False
    assert push_subscriptions.unsubscribe(session=session, actor=user, endpoint=FCM + "mine") is True

    assert [row.endpoint for row in _rows(session)] == [FCM + "theirs"]
