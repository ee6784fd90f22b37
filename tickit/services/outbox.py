"""The notification outbox: rows staged in the business transaction, delivered after it commits.

A row is written in the same transaction as the change it reports, so a notification exists
exactly when the change does. Once that transaction commits its ids are handed to Huey; if the
queue is unreachable, the periodic relay (`pending_ids`) finds the rows later.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, select

from tickit.db import session_scope
from tickit.models import OutboxMessage, utcnow
from tickit.services import mail, push

logger = logging.getLogger(__name__)

RETRY_BASE_SECONDS = 60
RETRY_MAX_SECONDS = 3600
RETRY_AFTER_MAX_SECONDS = 24 * 3600  # a push service asking for longer is asked again after a day
# How long a claimed row is left alone while it is being sent; longer than any send can take,
# so a worker that died mid-send only delays the row by this much.
CLAIM_SECONDS = 300
# Rows are stamped by the app's clock and claimed by a consumer's; a consumer whose clock is a
# little behind must not take a row staged a moment ago for one that is backing off.
CLOCK_SKEW_SECONDS = 5

_STAGED_IDS = "tickit.outbox.staged_ids"


def stage(
    session: Session,
    *,
    event: str,
    channel: str,
    recipient_user_id: int | None,
    ticket_id: int | None = None,
    payload: dict[str, Any],
) -> OutboxMessage:
    """Add a message to the caller's transaction; it is queued for delivery once that transaction commits."""
    row = OutboxMessage(
        event=event, channel=channel, recipient_user_id=recipient_user_id, ticket_id=ticket_id, payload=payload
    )
    session.add(row)
    # The id only exists once the row is inserted, and the after-commit hand-off needs it.
    session.flush()
    hand_off_after_commit(session, row.id)
    return row


def hand_off_after_commit(session: Session, outbox_id: int) -> None:
    """Queue the row `outbox_id`, just inserted in the session's transaction, for delivery once that commits.

    `stage` does this itself; a caller that inserts the row with a statement of its own calls it.
    """
    session.info.setdefault(_STAGED_IDS, []).append(outbox_id)


# On SQLAlchemy's Session, not only SQLModel's, so a row staged through any session is handed off.
@sa_event.listens_for(OrmSession, "after_commit")
def _queue_staged_after_commit(session: OrmSession) -> None:
    # Releasing a savepoint makes nothing durable; wait for the outermost commit.
    if session.in_nested_transaction():
        return
    ids = session.info.pop(_STAGED_IDS, None)
    if not ids:
        return
    try:
        # Imported here: tasks imports this module, and building the Huey instance reads settings.
        from tickit.tasks import enqueue_outbox

        enqueue_outbox(ids)
    except Exception:
        # The change is committed and must stay so; the relay re-drives these rows later.
        logger.exception("Could not queue outbox messages %s; the relay will pick them up", ids)


@sa_event.listens_for(OrmSession, "after_rollback")
def _forget_staged_after_rollback(session: OrmSession) -> None:
    # A rolled-back savepoint may have held only some of the staged rows; keep them all, since
    # deliver() answers "missing" for an id that was never committed.
    if not session.in_nested_transaction():
        session.info.pop(_STAGED_IDS, None)


class RetryLater(Exception):
    """A send failed for now; the row is due again at `due_at` (its cause is the original error)."""

    def __init__(self, outbox_id: int, due_at: datetime):
        self.outbox_id = outbox_id
        self.due_at = due_at
        super().__init__(f"outbox message {outbox_id} is retried at {due_at:%Y-%m-%d %H:%M:%S} UTC")


@dataclass(frozen=True)
class _Claimed:
    """What a claimed row's send needs, read in the claiming transaction."""

    id: int
    channel: str
    event: str
    payload: dict[str, Any]
    created_at: datetime
    push_target: push.Target | None = None


def deliver(outbox_id: int, *, engine: Engine | None = None) -> str:
    """Send one outbox message unless it was sent already, and record the outcome.

    Returns "delivered", "failed" (permanently refused, or nothing left to send it to), or,
    without sending: "already-delivered", "already-failed", "missing", or "not-due" (backing
    off, or being sent by another worker). A failure worth retrying (a dropped connection, a
    busy or failing server) is recorded with the time of the next attempt and raised as
    RetryLater, so the caller (Huey) can come back then; the relay would too.
    """
    with session_scope(engine) as session:
        # FOR UPDATE makes a concurrent claim on PostgreSQL wait and then see this claim;
        # SQLite's BEGIN IMMEDIATE (tickit.db) already serialises writers.
        row = session.exec(select(OutboxMessage).where(OutboxMessage.id == outbox_id).with_for_update()).first()
        if row is None:
            return "missing"
        if row.delivered_at is not None:
            return "already-delivered"
        if row.failed_at is not None:
            return "already-failed"
        now = utcnow()
        if row.next_attempt_at > now + timedelta(seconds=CLOCK_SKEW_SECONDS):
            return "not-due"
        if row.channel == "event":
            # Nothing leaves the machine: stage the recipients' messages and finish in one transaction.
            from tickit.services import notifications

            notifications.fan_out(session, row)
            row.attempts += 1
            row.delivered_at = now
            return "delivered"
        target = None
        if row.channel == "push":
            target = push.target_for(session, row.payload["subscription_id"])
            if target is None:
                row.failed_at = now
                row.last_error = "The browser subscription is gone, or was made with another VAPID key."
                return "failed"
        # Claim with a lease and commit before sending: holding the transaction open during a slow
        # SMTP exchange would block every writer on SQLite.
        row.attempts += 1
        row.next_attempt_at = now + timedelta(seconds=CLAIM_SECONDS)
        claimed = _Claimed(row.id, row.channel, row.event, dict(row.payload), row.created_at, target)

    try:
        _send(claimed)
    except Exception as exc:
        permanent = _is_permanent(exc)
        with session_scope(engine) as session:
            row = session.get(OutboxMessage, outbox_id)
            if claimed.push_target is not None and isinstance(exc, push.PushRefused) and exc.gone:
                push.forget(session, claimed.push_target.subscription_id)
            if row is not None:
                row.last_error = f"{type(exc).__name__}: {exc}"[:1000]
                if permanent:
                    row.failed_at = utcnow()
                else:
                    row.next_attempt_at = utcnow() + _retry_wait(exc, row.attempts)
                due_at = row.next_attempt_at if row is not None else utcnow()
        if permanent:
            logger.warning("Outbox message %s permanently refused: %s", outbox_id, exc)
            return "failed"
        raise RetryLater(outbox_id, due_at) from exc

    with session_scope(engine) as session:
        row = session.get(OutboxMessage, outbox_id)
        if row is not None:
            row.delivered_at = utcnow()
            row.last_error = ""
    return "delivered"


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt: doubling from a minute, at most an hour."""
    return timedelta(seconds=min(RETRY_BASE_SECONDS * 2 ** (attempts - 1), RETRY_MAX_SECONDS))


def pending_ids(*, engine: Engine | None = None, limit: int = 500) -> list[int]:
    """Ids of messages neither delivered nor failed whose next attempt is due, oldest due first."""
    with session_scope(engine) as session:
        return list(
            session.exec(
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.delivered_at.is_(None),
                    OutboxMessage.failed_at.is_(None),
                    OutboxMessage.next_attempt_at <= utcnow(),
                )
                .order_by(OutboxMessage.next_attempt_at)
                .limit(limit)
            )
        )


def _send(message: _Claimed) -> None:
    if message.channel == "push":
        push.send(message.push_target, message.payload["notification"], topic=push.topic_for(message.id))
        return
    if message.channel != "mail":
        raise ValueError(f"Outbox channel {message.channel!r} has no sender")
    payload = message.payload
    if message.event == "welcome":
        mail.send(mail.welcome_message(to=payload["email"], name=payload["name"], role=payload["role"]))
        return
    mail.send(
        mail.ticket_message(message.event, payload, message_id=mail.outbox_message_id(message.id, message.created_at))
    )


def _retry_wait(exc: Exception, attempts: int) -> timedelta:
    """The push service's Retry-After when it gave one (at least a second, at most a day), else the backoff."""
    if isinstance(exc, push.PushRefused) and exc.retry_after is not None:
        return timedelta(seconds=min(max(exc.retry_after, 1), RETRY_AFTER_MAX_SECONDS))
    return retry_delay(attempts)


def _is_permanent(exc: Exception) -> bool:
    """A refusal that no retry can change: a push service's 4xx other than 429, an SMTP 5xx about
    this message or its recipient, a message no template can render.

    SMTP sign-in and sender refusals are configuration mistakes: they stay retryable so the
    backlog goes out once an admin fixes the SMTP settings.
    """
    if isinstance(exc, push.PushRefused):
        return not exc.transient
    if isinstance(exc, (ValueError, KeyError)):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, (smtplib.SMTPAuthenticationError, smtplib.SMTPSenderRefused)):
        return False
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500
