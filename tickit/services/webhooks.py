"""A project's webhook endpoints, as admins set them up: add, change, rotate, delete, test, redeliver.

An endpoint's signing secret (`whsec_` and 24 random bytes in base64, as Standard Webhooks has
it) is shown when it is made and when it is rotated, never in a list. Rotating keeps the old
secret signing alongside the new one for `ROTATION_OVERLAP`, so receivers can switch without
losing an event. Every change is written to the audit log.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlmodel import Session, select

from tickit.models import OutboxMessage, Project, WebhookAttempt, WebhookEndpoint, utcnow
from tickit.services import audit, push_targets, webhook_delivery, webhook_events
from tickit.services.access import project_to_configure
from tickit.services.actors import Actor, require_admin
from tickit.services.errors import NotFound, ValidationFailed

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 24
ROTATION_OVERLAP = timedelta(hours=24)
URL_MAX = 2000
DESCRIPTION_MAX = 500
LOG_PAGE = 100
_CHANGEABLE = frozenset({"url", "description", "event_types", "enabled", "allow_private_address"})


@dataclass(frozen=True)
class EndpointPublic:
    """An endpoint as admins see it (never its secret)."""

    id: int
    project_key: str
    url: str
    description: str
    event_types: tuple[str, ...]
    enabled: bool
    allow_private_address: bool
    disabled_reason: str
    failing_since: datetime | None
    previous_secret_until: datetime | None  # while the old secret still signs alongside
    created_at: datetime

    @classmethod
    def of(cls, row: WebhookEndpoint, project_key: str) -> EndpointPublic:
        """The public view of an endpoint row."""
        now = utcnow()
        until = row.previous_secret_expires_at
        return cls(
            id=row.id,
            project_key=project_key,
            url=row.url,
            description=row.description,
            event_types=tuple(row.event_types),
            enabled=row.enabled,
            allow_private_address=row.allow_private_address,
            disabled_reason=row.disabled_reason,
            failing_since=row.failing_since,
            previous_secret_until=until if row.previous_secret and until is not None and until > now else None,
            created_at=row.created_at,
        )


@dataclass(frozen=True)
class EndpointWithSecret:
    """An endpoint just made or rotated, with its secret: shown this once."""

    endpoint: EndpointPublic
    secret: str


@dataclass(frozen=True)
class AttemptPublic:
    """One line of the delivery log."""

    id: int
    webhook_id: str
    event_type: str
    attempted_at: datetime
    status_code: int | None
    duration_ms: int
    response_excerpt: str
    error: str

    @property
    def succeeded(self) -> bool:
        """Whether the receiver took the event (answered 2xx)."""
        return self.status_code is not None and 200 <= self.status_code < 300


def new_secret() -> str:
    """A fresh signing secret, `whsec_…`."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def create_endpoint(
    *,
    session: Session,
    actor: Actor,
    project_key: str,
    url: str,
    event_types: list[str] | None = None,
    description: str = "",
    allow_private_address: bool = False,
) -> EndpointWithSecret:
    """Add an endpoint to the project (every event type unless some are named); returns it with its secret."""
    project = project_to_configure(session, actor, project_key)
    types = list(webhook_events.EVENT_TYPES) if event_types is None else event_types
    _check({"url": url, "event_types": types, "description": description}, allow_private_address)
    row = WebhookEndpoint(
        project_id=project.id,
        url=url.strip(),
        description=description.strip(),
        event_types=_ordered(types),
        allow_private_address=allow_private_address,
        secret=new_secret(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=audit.WEBHOOK_CREATED,
        target=f"{project.key} · {row.url}",
        after=_audited(row),
    )
    return EndpointWithSecret(EndpointPublic.of(row, project.key), row.secret)


def list_endpoints(*, session: Session, actor: Actor, project_key: str | None) -> list[EndpointPublic]:
    """The project's endpoints (every project's, for None: admins only), oldest first."""
    query = select(WebhookEndpoint, Project.key).join(Project, Project.id == WebhookEndpoint.project_id)
    if project_key is None:
        require_admin(actor)
    else:
        query = query.where(Project.id == project_to_configure(session, actor, project_key).id)
    rows = session.exec(query.order_by(WebhookEndpoint.id)).all()
    return [EndpointPublic.of(row, key) for row, key in rows]


def update_endpoint(
    *, session: Session, actor: Actor, project_key: str, endpoint_id: int, changes: dict[str, Any]
) -> EndpointPublic:
    """Change only the attributes in `changes` (url, description, event_types, enabled, allow_private_address).

    Enabling a disabled endpoint clears why it was disabled and starts its failure count afresh.
    """
    unknown = set(changes) - _CHANGEABLE
    if unknown:
        raise ValueError(f"Not changeable: {sorted(unknown)}")
    project, row = _endpoint(session, actor, project_key, endpoint_id)
    before = _audited(row)
    merged = {**before, **changes}
    _check(merged, merged["allow_private_address"])
    for name, value in changes.items():
        if name == "event_types":
            value = _ordered(value)
        elif isinstance(value, str):
            value = value.strip()
        setattr(row, name, value)
    if changes.get("enabled") and not before["enabled"]:
        row.disabled_reason, row.failing_since = "", None
    session.add(row)
    after = _audited(row)
    if after != before:
        audit.record(
            session,
            actor=actor,
            action=audit.WEBHOOK_CHANGED,
            target=f"{project.key} · {row.url}",
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
        )
    session.flush()
    return EndpointPublic.of(row, project.key)


def rotate_secret(*, session: Session, actor: Actor, project_key: str, endpoint_id: int) -> EndpointWithSecret:
    """Give the endpoint a new secret; the old one keeps signing alongside for ROTATION_OVERLAP."""
    project, row = _endpoint(session, actor, project_key, endpoint_id)
    row.previous_secret, row.secret = row.secret, new_secret()
    row.previous_secret_expires_at = utcnow() + ROTATION_OVERLAP
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=audit.WEBHOOK_SECRET_ROTATED,
        target=f"{project.key} · {row.url}",
        after={"old_secret_signs_until": row.previous_secret_expires_at.isoformat(timespec="minutes")},
    )
    return EndpointWithSecret(EndpointPublic.of(row, project.key), row.secret)


def delete_endpoint(*, session: Session, actor: Actor, project_key: str, endpoint_id: int) -> None:
    """Remove the endpoint and its delivery log; deliveries still pending for it are dropped."""
    project, row = _endpoint(session, actor, project_key, endpoint_id)
    audit.record(
        session, actor=actor, action=audit.WEBHOOK_DELETED, target=f"{project.key} · {row.url}", before=_audited(row)
    )
    session.delete(row)
    session.flush()


def send_test_event(*, session: Session, actor: Actor, project_key: str, endpoint_id: int) -> str:
    """Queue a `webhook.test` event to this one endpoint; returns its webhook id."""
    project, row = _endpoint(session, actor, project_key, endpoint_id)
    if not row.enabled:
        raise ValidationFailed({"endpoint": "Enable the endpoint before sending it a test event."})
    webhook_id = webhook_delivery.new_webhook_id()
    data = {"project": project.key, "message": "A test event from TickIt: the endpoint is reachable and signed."}
    body = webhook_delivery.envelope(webhook_events.TEST, utcnow(), data)
    webhook_delivery.stage_delivery(
        session,
        endpoint_id=row.id,
        event=webhook_events.TEST,
        ticket_id=None,
        payload={"webhook_id": webhook_id, "body": body},
    )
    return webhook_id


def redeliver(*, session: Session, actor: Actor, project_key: str, endpoint_id: int, attempt_id: int) -> str:
    """Send an attempted event again, the same body under the same webhook id; returns that id."""
    _, row = _endpoint(session, actor, project_key, endpoint_id)
    attempt = session.get(WebhookAttempt, attempt_id)
    if attempt is None or attempt.endpoint_id != row.id:
        raise NotFound(f"This endpoint has no delivery attempt {attempt_id}.")
    if not row.enabled:
        raise ValidationFailed({"endpoint": "Enable the endpoint before redelivering to it."})
    original = session.get(OutboxMessage, attempt.outbox_id) if attempt.outbox_id is not None else None
    if original is None:
        raise NotFound("That event is no longer kept; only the last 30 days can be redelivered.")
    webhook_delivery.stage_delivery(
        session,
        endpoint_id=row.id,
        event=original.event,
        ticket_id=original.ticket_id,
        payload={"webhook_id": original.payload["webhook_id"], "body": original.payload["body"]},
    )
    return attempt.message_id


def delivery_log(
    *, session: Session, actor: Actor, project_key: str, endpoint_id: int, limit: int = LOG_PAGE
) -> list[AttemptPublic]:
    """The endpoint's latest delivery attempts, newest first."""
    _, row = _endpoint(session, actor, project_key, endpoint_id)
    attempts = session.exec(
        select(WebhookAttempt)
        .where(WebhookAttempt.endpoint_id == row.id)
        .order_by(WebhookAttempt.attempted_at.desc(), WebhookAttempt.id.desc())
        .limit(limit)
    ).all()
    return [
        AttemptPublic(
            id=a.id,
            webhook_id=a.message_id,
            event_type=a.event_type,
            attempted_at=a.attempted_at,
            status_code=a.status_code,
            duration_ms=a.duration_ms,
            response_excerpt=a.response_excerpt,
            error=a.error,
        )
        for a in attempts
    ]


def _endpoint(session: Session, actor: Actor, project_key: str, endpoint_id: int) -> tuple[Project, WebhookEndpoint]:
    """The project's endpoint, locked, if the actor configures the project."""
    project = project_to_configure(session, actor, project_key)
    row = session.exec(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.project_id == project.id)
        .with_for_update()
    ).first()
    if row is None:
        raise NotFound(f"{project.key} has no webhook endpoint {endpoint_id}.")
    return project, row


def _check(values: dict[str, Any], allow_private: bool) -> None:
    """Raise ValidationFailed naming every attribute at fault."""
    errors: dict[str, str] = {}
    url = str(values["url"]).strip()
    if not url:
        errors["url"] = "Give the URL the events are posted to."
    elif len(url) > URL_MAX:
        errors["url"] = f"Keep the URL under {URL_MAX} characters."
    else:
        try:
            reason = push_targets.refusal(url, allow_private=allow_private)
        except OSError:
            reason = f"{urlsplit(url).hostname} does not resolve; check the host name."
        if reason is not None:
            errors["url"] = reason.replace("The endpoint", "The URL") + (
                "" if allow_private else " Allow a private address for a receiver inside your network."
            )
    types = values["event_types"]
    unknown = [t for t in types if t not in webhook_events.EVENT_TYPES]
    if not types:
        errors["event_types"] = "Choose at least one event to send."
    elif unknown:
        errors["event_types"] = f"Unknown event types: {', '.join(unknown)}."
    if len(str(values["description"])) > DESCRIPTION_MAX:
        errors["description"] = f"Keep the description under {DESCRIPTION_MAX} characters."
    if errors:
        raise ValidationFailed(errors)


def _ordered(types: list[str]) -> list[str]:
    return [t for t in webhook_events.EVENT_TYPES if t in set(types)]


def _audited(row: WebhookEndpoint) -> dict[str, Any]:
    return {
        "url": row.url,
        "description": row.description,
        "event_types": list(row.event_types),
        "enabled": row.enabled,
        "allow_private_address": row.allow_private_address,
    }
