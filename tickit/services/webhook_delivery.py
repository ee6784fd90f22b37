"""Delivering webhook events: fanning an event out to its endpoints, signing, posting, logging.

An event row (`webhook_events.publish`) is fanned out, in the transaction that marks it
delivered, into one outbox row per endpoint (channel "webhook") holding the exact body and its
`webhook-id`. Those rows are sent by the outbox like mail and push, so a retry sends the same
body under the same id (receivers dedupe on it) and a redelivery stages the row's payload again.

Each send is signed as the Standard Webhooks specification says (the `standardwebhooks`
package), with the endpoint's secret and, for a day after a rotation, the previous one too.
Only a 2xx answer counts; a 410 Gone disables the endpoint at once; any other failure is retried
on `RETRY_SCHEDULE` (with jitter, about three days in all) and an endpoint failing for
`DISABLE_AFTER` without a single success is disabled and its project's admins are mailed.
Every attempt is written to the delivery log (`WebhookAttempt`), kept `LOG_RETENTION`.
"""

from __future__ import annotations

import random
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from html import escape
from typing import Any

import requests
from sqlalchemy import delete
from sqlmodel import Session, select
from standardwebhooks.webhooks import Webhook

from tickit import routes
from tickit.config import get_settings
from tickit.models import OutboxMessage, Project, ProjectMember, Role, User, WebhookAttempt, WebhookEndpoint, utcnow
from tickit.services import mail, outbox, push_targets, webhook_events
from tickit.services.ticket_documents import current_document, iso_time, render

CHANNEL = "webhook"
DISABLED_MAIL = "webhook_disabled"
TIMEOUT_SECONDS = 10
EXCERPT_MAX = 1000  # characters of a receiver's answer the log keeps
# The wait after the 1st, 2nd, ... failed attempt; after the last one the event fails for good.
RETRY_SCHEDULE = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    *(timedelta(hours=10),) * 7,
)
JITTER = 0.1  # each wait is stretched or shrunk by up to a tenth, so failed receivers are not hit in step
DISABLE_AFTER = timedelta(days=5)
LOG_RETENTION = timedelta(days=30)
USER_AGENT = "TickIt-Webhooks/1"


@dataclass(frozen=True)
class Target:
    """What a claimed delivery is sent to, read in the claiming transaction."""

    url: str
    secrets: tuple[str, ...]
    allow_private: bool


@dataclass(frozen=True)
class AttemptResult:
    """What one attempt got back: the status (None without an answer), time taken, the answer's start."""

    status_code: int | None
    duration_ms: int
    response_excerpt: str = ""
    error: str = ""


class DeliveryFailed(Exception):
    """The receiver did not take the event: no answer, or one outside 2xx."""

    def __init__(self, result: AttemptResult):
        self.result = result
        super().__init__(result.error or f"the receiver answered {result.status_code}")


def new_webhook_id() -> str:
    """A message id for a new event, `msg_` and 24 random hex digits."""
    return "msg_" + secrets.token_hex(12)


def envelope(event: str, occurred_at: datetime, data: dict[str, Any]) -> str:
    """The JSON body of an event: `{type, timestamp, data}`, the same bytes on every attempt."""
    return render({"type": event, "timestamp": iso_time(occurred_at), "data": data})


def stage_delivery(session: Session, *, endpoint_id: int, event: str, ticket_id: int | None, payload: dict) -> None:
    """Stage one delivery to one endpoint; `payload` holds the body and webhook id."""
    outbox.stage(
        session,
        event=event,
        channel=CHANNEL,
        recipient_user_id=None,
        ticket_id=ticket_id,
        payload={**payload, "endpoint_id": endpoint_id},
    )


def fan_out(session: Session, row: OutboxMessage) -> int:
    """Stage the deliveries an event row stands for, one per enabled endpoint that wants it; how many."""
    document = current_document(session, row.ticket_id) if row.ticket_id is not None else None
    if document is None:
        return 0
    endpoints = session.exec(
        select(WebhookEndpoint)
        .join(Project, Project.id == WebhookEndpoint.project_id)
        .where(Project.key == document["project"], WebhookEndpoint.enabled == True)  # noqa: E712
        .order_by(WebhookEndpoint.id)
    ).all()
    wanting = [endpoint for endpoint in endpoints if row.event in endpoint.event_types]
    occurred_at = datetime.fromisoformat(row.payload["occurred_at"])
    body = envelope(row.event, occurred_at, {"ticket": document, **row.payload.get("data", {})})
    # One id per event, whichever endpoint receives it.
    delivery = {"webhook_id": new_webhook_id(), "body": body}
    for endpoint in wanting:
        stage_delivery(session, endpoint_id=endpoint.id, event=row.event, ticket_id=row.ticket_id, payload=delivery)
    return len(wanting)


def signature_headers(*, webhook_id: str, body: str, secrets_: tuple[str, ...], at: datetime) -> dict[str, str]:
    """The three Standard Webhooks headers; one `v1,` signature per secret, space-separated."""
    signatures = " ".join(Webhook(secret).sign(webhook_id, at, body) for secret in secrets_)
    return {"webhook-id": webhook_id, "webhook-timestamp": str(int(at.timestamp())), "webhook-signature": signatures}


def claim(session: Session, message: outbox.Message) -> Target:
    """The endpoint's address and signing secrets now; Undeliverable once it is gone or disabled."""
    endpoint = session.get(WebhookEndpoint, message.payload["endpoint_id"])
    if endpoint is None:
        raise outbox.Undeliverable("The webhook endpoint was deleted.")
    if not endpoint.enabled:
        raise outbox.Undeliverable("The webhook endpoint is disabled.")
    return Target(endpoint.url, signing_secrets(endpoint, utcnow()), endpoint.allow_private_address)


def signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> tuple[str, ...]:
    """The secret, and the one before it while its day after the rotation lasts."""
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > now:
        return (endpoint.secret, endpoint.previous_secret)
    return (endpoint.secret,)


def send(message: outbox.Message) -> AttemptResult:
    """Post the event, signed, to the claimed target; DeliveryFailed unless it answers 2xx."""
    target: Target = message.target
    body = message.payload["body"]
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        **signature_headers(webhook_id=message.payload["webhook_id"], body=body, secrets_=target.secrets, at=utcnow()),
    }
    started = time.monotonic()
    try:
        # Checked again at each send: the name may resolve elsewhere than when the URL was saved.
        push_targets.check(target.url, allow_private=target.allow_private)
        with push_targets.http_session(allow_private=target.allow_private) as http:
            response = http.post(target.url, data=body.encode(), headers=headers, timeout=TIMEOUT_SECONDS)
    except (requests.RequestException, push_targets.UnsafeEndpoint, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
        raise DeliveryFailed(AttemptResult(None, _ms_since(started), error=error)) from exc
    result = AttemptResult(response.status_code, _ms_since(started), response.text[:EXCERPT_MAX])
    if not 200 <= response.status_code < 300:
        raise DeliveryFailed(result)
    return result


def is_permanent(exc: Exception) -> bool:
    """410 Gone: the receiver says it wants nothing more."""
    return isinstance(exc, DeliveryFailed) and exc.result.status_code == 410


def backoff(attempts: int) -> timedelta | None:
    """The wait after the `attempts`-th failed attempt, jittered; None once the schedule is spent."""
    if attempts > len(RETRY_SCHEDULE):
        return None
    return RETRY_SCHEDULE[attempts - 1] * random.uniform(1 - JITTER, 1 + JITTER)


def after_success(session: Session, message: outbox.Message, result: object) -> None:
    """Log the attempt; the endpoint is failing no more."""
    assert isinstance(result, AttemptResult)
    endpoint = _log(session, message, result)
    if endpoint is not None:
        endpoint.failing_since = None
        session.add(endpoint)


def after_failure(session: Session, message: outbox.Message, exc: Exception) -> None:
    """Log the attempt; disable the endpoint on 410, or when it has failed for DISABLE_AFTER."""
    result = exc.result if isinstance(exc, DeliveryFailed) else AttemptResult(None, 0, error=str(exc)[:300])
    endpoint = _log(session, message, result)
    if endpoint is None or not endpoint.enabled:
        return
    now = utcnow()
    endpoint.failing_since = endpoint.failing_since or now
    if result.status_code == 410:
        _disable(session, endpoint, f"The receiver answered 410 Gone on {now:%Y-%m-%d %H:%M} UTC.")
    elif now - endpoint.failing_since >= DISABLE_AFTER:
        _disable(session, endpoint, f"Every delivery failed since {endpoint.failing_since:%Y-%m-%d %H:%M} UTC.")
        _mail_admins(session, endpoint)
    session.add(endpoint)


def purge_log(*, session: Session, older_than: timedelta = LOG_RETENTION) -> int:
    """Delete delivery log entries older than `older_than`; returns how many."""
    result = session.exec(delete(WebhookAttempt).where(WebhookAttempt.attempted_at < utcnow() - older_than))
    return int(result.rowcount or 0)


def disabled_message(payload: dict[str, Any], *, message_id: str) -> EmailMessage:
    """ "A webhook of HH was disabled": which, why, and where to turn it back on."""
    url = f"{get_settings().app_url}{routes.admin_project_webhooks(payload['project'])}"
    lead = (
        f"TickIt stopped sending {payload['project']}'s events to {payload['url']}. {payload['reason']} "
        "Events from now on are not sent to it until an admin enables it again."
    )
    text = f"Hello {payload['name']},\n\n{lead}\n\nCheck the receiver, then enable the endpoint: {url}\n"
    html = (
        f"<p>Hello {escape(payload['name'])},</p>\n<p>{escape(lead)}</p>\n"
        f'<p>Check the receiver, then <a href="{escape(url)}">enable the endpoint</a>.</p>\n'
    )
    return mail.build_message(
        to=payload["email"],
        subject=f"A webhook of {payload['project']} was disabled",
        text=text,
        html=html,
        message_id=message_id,
    )


def _log(session: Session, message: outbox.Message, result: AttemptResult) -> WebhookEndpoint | None:
    endpoint = session.get(WebhookEndpoint, message.payload["endpoint_id"])
    if endpoint is None:
        return None
    session.add(
        WebhookAttempt(
            endpoint_id=endpoint.id,
            message_id=message.payload["webhook_id"],
            event_type=message.event,
            outbox_id=message.id,
            status_code=result.status_code,
            duration_ms=result.duration_ms,
            response_excerpt=result.response_excerpt,
            error=result.error,
        )
    )
    return endpoint


def _disable(session: Session, endpoint: WebhookEndpoint, reason: str) -> None:
    endpoint.enabled = False
    endpoint.disabled_reason = reason


def _mail_admins(session: Session, endpoint: WebhookEndpoint) -> None:
    project = session.get(Project, endpoint.project_id)
    assert project is not None
    active_admins = select(User).where(User.role == Role.ADMIN, User.is_active == True)  # noqa: E712
    admins = (
        session.exec(
            active_admins.join(ProjectMember, ProjectMember.user_id == User.id).where(
                ProjectMember.project_id == project.id
            )
        ).all()
        or session.exec(active_admins).all()
    )
    for admin in admins:
        outbox.stage(
            session,
            event=DISABLED_MAIL,
            channel=mail.OUTBOX_CHANNEL,
            recipient_user_id=admin.id,
            payload={
                "email": admin.email,
                "name": admin.name,
                "project": project.key,
                "url": endpoint.url,
                "reason": endpoint.disabled_reason,
            },
        )


def _ms_since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


outbox.register_local(webhook_events.EVENT_CHANNEL, fan_out)
outbox.register_sender(
    CHANNEL,
    outbox.Sender(
        send=send,
        is_permanent=is_permanent,
        claim=claim,
        after_failure=after_failure,
        after_success=after_success,
        backoff=backoff,
    ),
)
mail.register_message(DISABLED_MAIL, disabled_message)
