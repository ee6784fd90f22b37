"""The browsers (devices) a user receives Web Push on: subscribing, removing, listing.

A subscription is what the browser's push service gave it: an endpoint URL to post to and the
keys to encrypt for (`p256dh`, the browser's P-256 public key, and `auth`, a 16-byte secret).
It is only valid for the VAPID key it was made with, which is stored beside it. An endpoint
belongs to one browser profile, so subscribing an endpoint that is stored already (someone else
signed in on that browser) moves it to the current user rather than notifying two people.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from tickit.models import PushSubscription, User
from tickit.services import push_targets, vapid
from tickit.services.actors import UserPublic
from tickit.services.errors import NotFound, ValidationFailed

MAX_ENDPOINT_LENGTH = 1000
P256DH_BYTES = 65  # an uncompressed P-256 point: 0x04, then x and y
AUTH_BYTES = 16
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")
# A browser profile has one subscription; ten is more devices than a person uses, and the cap
# bounds how many pushes one account can make this server send per notification.
MAX_SUBSCRIPTIONS_PER_USER = 10

# Push services people will recognise, by the host of their endpoints.
_PUSH_SERVICES = (
    ("fcm.googleapis.com", "Chrome or Edge (Google push service)"),
    ("wns.windows.com", "Edge (Windows push service)"),
    ("notify.windows.com", "Edge (Windows push service)"),
    ("push.services.mozilla.com", "Firefox (Mozilla push service)"),
    ("push.apple.com", "Safari (Apple push service)"),
)


@dataclass(frozen=True)
class Device:
    """One of the user's subscribed browsers, as the profile lists it."""

    id: int
    endpoint: str
    service: str  # which push service delivers to it, in words
    created_at: datetime
    current_key: bool  # made with this server's VAPID key; False means it will never receive anything


def _decode_base64url(value: str) -> bytes | None:
    if not isinstance(value, str) or not _BASE64URL.fullmatch(value.strip()):
        return None
    text = value.strip().rstrip("=")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def _endpoint_error(endpoint: str) -> str | None:
    if not isinstance(endpoint, str) or not endpoint.strip():
        return "The subscription has no endpoint."
    if len(endpoint) > MAX_ENDPOINT_LENGTH:
        return f"The endpoint is longer than {MAX_ENDPOINT_LENGTH} characters."
    if any(c.isspace() for c in endpoint):
        return "The endpoint is not a valid URL."
    try:
        return push_targets.refusal(endpoint)
    except OSError:
        return f"The endpoint's host {urlsplit(endpoint).hostname} does not resolve."


def _p256dh_error(p256dh: str) -> str | None:
    raw = _decode_base64url(p256dh)
    if raw is None:
        return "The p256dh key must be base64url."
    if len(raw) != P256DH_BYTES or raw[0] != 0x04:
        return f"The p256dh key must be a {P256DH_BYTES}-byte uncompressed P-256 public key."
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError:
        return "The p256dh key is not a point on the P-256 curve."
    return None


def _auth_error(auth: str) -> str | None:
    raw = _decode_base64url(auth)
    if raw is None:
        return "The auth secret must be base64url."
    if len(raw) != AUTH_BYTES:
        return f"The auth secret must be {AUTH_BYTES} bytes."
    return None


def service_name(endpoint: str) -> str:
    """The push service behind an endpoint, in words a person recognises."""
    host = (urlsplit(endpoint).hostname or "").lower()
    for suffix, name in _PUSH_SERVICES:
        if host == suffix or host.endswith("." + suffix):
            return name
    return host or "Unknown push service"


def _device(row: PushSubscription, key: str) -> Device:
    return Device(
        id=row.id,
        endpoint=row.endpoint,
        service=service_name(row.endpoint),
        created_at=row.created_at,
        current_key=row.vapid_public_key == key,
    )


def subscribe(
    *, session: Session, actor: UserPublic, endpoint: str, p256dh: str, auth: str, application_server_key: str
) -> Device:
    """Store this browser's subscription for the actor (moving it from whoever had the endpoint before).

    `application_server_key` is the VAPID public key the browser subscribed with; it must be this
    server's current one, or pushes would be refused by the push service.
    """
    errors = {
        name: message
        for name, message in (
            ("endpoint", _endpoint_error(endpoint)),
            ("p256dh", _p256dh_error(p256dh)),
            ("auth", _auth_error(auth)),
        )
        if message
    }
    key = vapid.public_key()
    if application_server_key != key:
        errors["application_server_key"] = (
            "The browser subscribed with another server key than this server's; reload the page and try again."
        )
    if errors:
        raise ValidationFailed(errors)
    endpoint, p256dh, auth = endpoint.strip(), p256dh.strip().rstrip("="), auth.strip().rstrip("=")
    # One subscribe per user at a time (PostgreSQL; SQLite serialises writers anyway), so two
    # parallel ones cannot both count nine others and leave eleven.
    session.exec(select(User.id).where(User.id == actor.id).with_for_update()).first()
    row = session.exec(select(PushSubscription).where(PushSubscription.endpoint == endpoint)).first()
    if row is None:
        row = PushSubscription(user_id=actor.id, endpoint=endpoint, p256dh=p256dh, auth=auth, vapid_public_key=key)
        try:
            # A savepoint, so a concurrent subscribe of the same endpoint that committed first
            # turns into the update below instead of failing the whole transaction.
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            row = session.exec(select(PushSubscription).where(PushSubscription.endpoint == endpoint)).one()
    row.user_id, row.p256dh, row.auth, row.vapid_public_key = actor.id, p256dh, auth, key
    session.add(row)
    session.flush()
    _drop_oldest_beyond_cap(session, actor.id, keep_id=row.id)
    return _device(row, key)


def _drop_oldest_beyond_cap(session: Session, user_id: int, *, keep_id: int) -> None:
    """Delete the user's oldest subscriptions so that, with `keep_id`, MAX_SUBSCRIPTIONS_PER_USER remain."""
    surplus = session.exec(
        select(PushSubscription.id)
        .where(PushSubscription.user_id == user_id, PushSubscription.id != keep_id)
        .order_by(col(PushSubscription.id).desc())
        .offset(MAX_SUBSCRIPTIONS_PER_USER - 1)
    ).all()
    if surplus:
        session.exec(delete(PushSubscription).where(col(PushSubscription.id).in_(surplus)))


def devices(*, session: Session, actor: UserPublic) -> list[Device]:
    """The actor's subscribed browsers, oldest first."""
    key = vapid.public_key()
    rows = session.exec(
        select(PushSubscription).where(PushSubscription.user_id == actor.id).order_by(PushSubscription.id)
    ).all()
    return [_device(row, key) for row in rows]


def remove(*, session: Session, actor: UserPublic, subscription_id: int) -> None:
    """Forget one of the actor's devices (from the profile's list); another user's is NotFound."""
    row = session.exec(
        select(PushSubscription).where(PushSubscription.id == subscription_id, PushSubscription.user_id == actor.id)
    ).first()
    if row is None:
        raise NotFound("No such device.")
    session.delete(row)
    session.flush()


def unsubscribe(*, session: Session, actor: UserPublic, endpoint: str) -> bool:
    """Forget this browser's subscription, if it is the actor's; returns whether one was removed.

    The browser has already dropped the subscription by the time it tells us, so an endpoint we
    do not know (or that belongs to someone else) is no error, and nothing of another user's changes.
    """
    row = session.exec(
        select(PushSubscription).where(PushSubscription.endpoint == endpoint, PushSubscription.user_id == actor.id)
    ).first()
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True
