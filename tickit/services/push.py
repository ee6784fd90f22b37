"""Web Push: the notification a browser's service worker shows, encrypted for one subscription
(aes128gcm, RFC 8291) and signed with this server's VAPID key (RFC 8292).

The payload is the contract with the service worker in assets/:
`{"title": "HH-42 · New ticket", "body": "<ticket title>", "url": "/tickets/HH-42", "tag": "ticket-HH-42"}`.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr, parsedate_to_datetime
from urllib.parse import urlsplit

import requests
from pywebpush import WebPushException, webpush
from sqlmodel import Session, delete, select

from tickit.models import PushSubscription
from tickit.services import mail, outbox, push_targets, vapid

OUTBOX_CHANNEL = "push"

# How long a push service keeps a message for a device that is offline: a notification older
# than a day is news the bell already holds.
TTL_SECONDS = 24 * 3600
# (connect, read): a push service that does not answer in time is retried later, like a 5xx.
# Short, because a consumer thread waiting on one endpoint delivers nothing to anyone else.
TIMEOUT_SECONDS = (3, 5)
# After a host failed to connect or answer in time, this process sends nothing more to it for
# this long: the messages for it are put back (due again then) without a connection, so one
# user's dead or hanging endpoints cost one timeout, not one per message, and the threads stay
# free for everybody else's.
HOST_PAUSE_SECONDS = 60
# RFC 8292 allows at most 24 hours; 12 leaves room for clock differences.
JWT_LIFETIME_SECONDS = 12 * 3600
GONE_STATUSES = frozenset({404, 410})

logger = logging.getLogger(__name__)
_local = threading.local()
_paused_until: dict[str, float] = {}  # push host (netloc) -> time.monotonic() until which it is skipped
_paused_lock = threading.Lock()


def notification(*, title: str, body: str, url: str, tag: str) -> dict[str, str]:
    """The JSON the service worker reads: what to show, which path to open on click, and the tag
    that makes a newer notification about the same ticket replace the older one."""
    return {"title": title, "body": body, "url": url, "tag": tag}


@dataclass(frozen=True)
class Target:
    """One browser subscription, as read in the transaction that claims a push message."""

    subscription_id: int
    endpoint: str
    p256dh: str
    auth: str

    @classmethod
    def of(cls, subscription: PushSubscription) -> Target:
        return cls(subscription.id, subscription.endpoint, subscription.p256dh, subscription.auth)


class PushRefused(Exception):
    """The push service answered with an error status; `retry_after` in seconds when it said so."""

    def __init__(self, status: int, reason: str, retry_after: float | None = None):
        self.status = status
        self.retry_after = retry_after
        super().__init__(f"push service answered {status} {reason}".strip())

    @property
    def gone(self) -> bool:
        """The subscription expired or was withdrawn (404/410): delete it."""
        return self.status in GONE_STATUSES

    @property
    def transient(self) -> bool:
        """Too many requests or a server error: try again later. Any other 4xx (or a redirect,
        which is never followed) will never succeed."""
        return self.status == 429 or self.status >= 500


class HostPaused(Exception):
    """Not sent: the endpoint's host failed moments ago; try again after `retry_after` seconds."""

    def __init__(self, host: str, retry_after: float):
        self.retry_after = retry_after
        super().__init__(f"{host} failed to answer moments ago; not tried again for {retry_after:.0f} s")


def subscriptions_for(session: Session, user_id: int) -> list[PushSubscription]:
    """The user's subscriptions made with this server's VAPID key, oldest first.

    Those made with another key (before `tickit vapid generate --replace`) can never be
    delivered, so they are skipped; they stay, so the profile can show the device as one to
    enable again (`push_subscriptions.Device.current_key`).
    """
    return list(
        session.exec(
            select(PushSubscription)
            .where(PushSubscription.user_id == user_id, PushSubscription.vapid_public_key == vapid.public_key())
            .order_by(PushSubscription.id)
        ).all()
    )


def target_for(session: Session, subscription_id: int) -> Target | None:
    """The subscription to send to, or None when it is gone or was made with another VAPID key."""
    subscription = session.get(PushSubscription, subscription_id)
    if subscription is None or subscription.vapid_public_key != vapid.public_key():
        return None
    return Target.of(subscription)


def forget(session: Session, subscription_id: int) -> None:
    """Delete a subscription its push service says is gone (404/410)."""
    session.exec(delete(PushSubscription).where(PushSubscription.id == subscription_id))


def claim(session: Session, message: outbox.Message) -> Target:
    """The subscription an outbox push message goes to, read in the transaction that claims it."""
    target = target_for(session, message.payload["subscription_id"])
    if target is None:
        raise outbox.Undeliverable("The browser subscription is gone, or was made with another VAPID key.")
    return target


def send_outbox_message(message: outbox.Message) -> None:
    """Send a claimed outbox push message to the subscription `claim` read for it."""
    send(message.target, message.payload["notification"], topic=topic_for(message.id))


def is_permanent(exc: Exception) -> bool:
    """A push service's 4xx other than 429, or an endpoint off the public internet: the same
    request will never succeed."""
    return isinstance(exc, push_targets.UnsafeEndpoint) or (isinstance(exc, PushRefused) and not exc.transient)


def retry_after(exc: Exception) -> timedelta | None:
    """The wait a push service asked for with its refusal, or the rest of its host's pause."""
    if isinstance(exc, (PushRefused, HostPaused)) and exc.retry_after is not None:
        return timedelta(seconds=exc.retry_after)
    return None


def forget_if_gone(session: Session, message: outbox.Message, exc: Exception) -> None:
    """Delete the subscription of a push its service answered 404 or 410, or whose endpoint
    is not (any longer) on the public internet."""
    if isinstance(exc, push_targets.UnsafeEndpoint) or (isinstance(exc, PushRefused) and exc.gone):
        forget(session, message.target.subscription_id)


def topic_for(outbox_id: int) -> str:
    """The Topic header of an outbox message: a push service replaces a pending message of the
    same topic, so a retry that races the first attempt still shows up once (RFC 8030 §5.4)."""
    return f"tickit-{outbox_id}"


def send(target: Target, shown: dict[str, str], *, topic: str) -> None:
    """Encrypt `shown` for the subscription and POST it to its push service.

    Raises PushRefused for an error answer (a redirect included: none is followed), requests'
    ConnectionError/Timeout when the service cannot be reached in time (or its name does not
    resolve), HostPaused when its host just failed so, push_targets.UnsafeEndpoint when the
    endpoint is not a public https address, ValueError when the subscription's keys are unusable.
    """
    host = urlsplit(target.endpoint).netloc.lower()
    _raise_if_paused(host)
    try:
        push_targets.check(target.endpoint)
    except OSError as exc:
        raise requests.ConnectionError(f"Cannot resolve the push service's host {host}: {exc}") from None
    try:
        webpush(
            subscription_info={"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}},
            data=json.dumps(shown, ensure_ascii=False),
            vapid_private_key=vapid.signing_key(),
            vapid_claims=_claims(target.endpoint),
            content_encoding="aes128gcm",
            ttl=TTL_SECONDS,
            timeout=TIMEOUT_SECONDS,
            headers={"Topic": topic, "Urgency": "normal"},
            requests_session=_http(),
        )
    except (requests.ConnectionError, requests.Timeout):
        with _paused_lock:
            _paused_until[host] = time.monotonic() + HOST_PAUSE_SECONDS
        raise
    except WebPushException as exc:
        if exc.response is None:
            # Raised before sending: the stored keys cannot encrypt anything, now or later.
            raise ValueError(f"Unusable push subscription {target.subscription_id}: {exc.message}") from None
        raise PushRefused(exc.status_code, exc.response.reason or "", _seconds(exc.retry_after)) from None


def _claims(endpoint: str) -> dict[str, str | int]:
    """A fresh claim set per request (pywebpush fills in what is missing into the dict it is given)."""
    origin = urlsplit(endpoint)
    return {
        "aud": f"{origin.scheme}://{origin.netloc}",
        "exp": int(time.time()) + JWT_LIFETIME_SECONDS,
        "sub": contact_uri(),
    }


def contact_uri() -> str:
    """Who push services may contact about this server (the VAPID `sub`): the sender of TickIt's mail."""
    return f"mailto:{parseaddr(mail.sender())[1]}"


def _raise_if_paused(host: str) -> None:
    with _paused_lock:
        left = _paused_until.get(host, 0.0) - time.monotonic()
        if left <= 0:
            _paused_until.pop(host, None)
    if left > 0:
        raise HostPaused(host, left)


def _http() -> requests.Session:
    # One keep-alive session per worker thread: requests' Session is not safe to share between threads.
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = push_targets.http_session()
    return session


def _seconds(retry_after: str | None) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date."""
    if not retry_after:
        return None
    try:
        return max(0.0, float(retry_after))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(retry_after)
    except (TypeError, ValueError):
        logger.warning("Ignoring a Retry-After that is neither seconds nor a date: %r", retry_after)
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


outbox.register_sender(
    OUTBOX_CHANNEL,
    outbox.Sender(
        send=send_outbox_message,
        is_permanent=is_permanent,
        retry_after=retry_after,
        claim=claim,
        after_failure=forget_if_gone,
    ),
)
