"""The outbox: rows staged in the business transaction, delivered after it commits.

A row is written in the same transaction as the change it reports, so a message exists exactly
when the change does. Once that transaction commits its ids are handed to the queue that
`set_hand_off` named (Huey, which `tickit.tasks` registers when it is imported); if the queue is
unreachable, or nothing was registered, the periodic relay (`pending_ids`) finds the rows later.

What delivering a row means belongs to its channel, registered here by the module that owns it:
`register_local` for a channel handled inside the claiming transaction (nothing leaves the
machine), `register_sender` for one that sends out (mail, push).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, select

from tickit.db import session_scope
from tickit.models import OutboxMessage, utcnow

logger = logging.getLogger(__name__)

RETRY_BASE_SECONDS = 60
RETRY_MAX_SECONDS = 3600
RETRY_AFTER_MAX_SECONDS = 24 * 3600  # a far end asking for longer is asked again after a day
# How long a claimed row is left alone while it is being sent; longer than any send can take,
# so a worker that died mid-send only delays the row by this much.
CLAIM_SECONDS = 300
# Rows are stamped by the app's clock and claimed by a consumer's; a consumer whose clock is a
# little behind must not take a row staged a moment ago for one that is backing off.
CLOCK_SKEW_SECONDS = 5
# Delivered rows are kept this long for whoever investigates a complaint ("I never got the mail").
DELIVERED_RETENTION = timedelta(days=30)


@dataclass(frozen=True)
class Message:
    """A claimed row as its channel's sender sees it: read in the claiming transaction.

    `target` is what the sender's `claim` read for it (a push subscription's keys), else None.
    """

    id: int
    event: str
    payload: dict[str, Any]
    created_at: datetime
    target: Any = None


class Undeliverable(Exception):
    """Raised by a sender's `claim`: there is nothing left to send the message to; it fails for good."""


class Skipped(Exception):
    """Raised by a sender's `claim`: this message is deliberately not sent (a paused or flooded address).

    The row is closed as handled, with the reason in `last_error` and the log, not failed: nothing
    went wrong that anyone must fix.
    """


def _no_wait_asked(exc: Exception) -> timedelta | None:
    return None


@dataclass(frozen=True)
class Sender:
    """How one channel's messages leave the machine.

    `send` raises on failure; `is_permanent` tells a refusal no retry can change (a ValueError or
    KeyError, a message no template can render, always is); `retry_after` is the wait the far end
    asked for, if any. `claim` reads in the claiming transaction what `send` needs and raises
    Undeliverable when nothing can be sent; `after_failure` runs in the transaction that records
    a failure, for what the channel learnt from it (a push subscription that is gone), and
    `after_success` in the one that marks the message delivered, with what `send` returned.
    `backoff` replaces the outbox's own wait after the n-th failed attempt; None from it means
    the channel gives up, and the message fails for good.
    """

    send: Callable[[Message], object]
    is_permanent: Callable[[Exception], bool]
    retry_after: Callable[[Exception], timedelta | None] = _no_wait_asked
    claim: Callable[[Session, Message], Any] | None = None
    after_failure: Callable[[Session, Message, Exception], None] | None = None
    after_success: Callable[[Session, Message, object], None] | None = None
    backoff: Callable[[int], timedelta | None] | None = None


_local_handlers: dict[str, Callable[[Session, OutboxMessage], object]] = {}
_senders: dict[str, Sender] = {}
_hand_off: Callable[[list[int]], None] | None = None
_STAGED_IDS = "tickit.outbox.staged_ids"


def register_local(channel: str, handle: Callable[[Session, OutboxMessage], object]) -> None:
    """Deliver `channel`'s rows by calling `handle(session, row)` in the transaction that marks them delivered."""
    _local_handlers[channel] = handle


def register_sender(channel: str, sender: Sender) -> None:
    """Deliver `channel`'s rows with `sender`, outside any transaction, retrying what fails for now."""
    _senders[channel] = sender


def set_hand_off(queue: Callable[[list[int]], None]) -> None:
    """Give the ids each commit staged to `queue`; services never import the task queue, so it registers itself."""
    global _hand_off
    _hand_off = queue


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
    # In a process that registered no queue (a script, a test) the relay re-drives the rows.
    if not ids or _hand_off is None:
        return
    try:
        _hand_off(ids)
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


def deliver(outbox_id: int, *, engine: Engine | None = None) -> str:
    """Deliver one outbox message unless it was delivered already, and record the outcome.

    Returns "delivered", "failed" (permanently refused, nothing left to send it to, or a channel
    nobody registered), "skipped" (the channel chose not to send it, see Skipped), or, without
    sending: "already-delivered", "already-failed", "missing", or "not-due" (backing off, or being
    sent by another worker). A failure worth retrying (a dropped
    connection, a busy or failing server) is recorded with the time of the next attempt and
    raised as RetryLater, so the caller (Huey) can come back then; the relay would too.
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
        handle = _local_handlers.get(row.channel)
        if handle is not None:
            handle(session, row)
            row.attempts += 1
            row.delivered_at = now
            return "delivered"
        sender = _senders.get(row.channel)
        if sender is None:
            return _fail(row, f"Outbox channel {row.channel!r} has no sender")
        message = Message(row.id, row.event, dict(row.payload), row.created_at)
        if sender.claim is not None:
            try:
                message = replace(message, target=sender.claim(session, message))
            except Undeliverable as refusal:
                return _fail(row, str(refusal))
            except Skipped as reason:
                logger.info("Outbox message %s (%s) skipped: %s", row.id, row.event, reason)
                row.delivered_at, row.last_error = now, f"Not sent: {reason}"[:1000]
                return "skipped"
        # Claim with a lease and commit before sending: holding the transaction open during a slow
        # SMTP exchange would block every writer on SQLite.
        row.attempts += 1
        row.next_attempt_at = now + timedelta(seconds=CLAIM_SECONDS)

    try:
        sent = sender.send(message)
    except Exception as exc:
        permanent = isinstance(exc, (ValueError, KeyError)) or sender.is_permanent(exc)
        with session_scope(engine) as session:
            if sender.after_failure is not None:
                sender.after_failure(session, message, exc)
            row = session.get(OutboxMessage, outbox_id)
            if row is not None:
                row.last_error = f"{type(exc).__name__}: {exc}"[:1000]
                wait = None if permanent else _retry_wait(sender, exc, row.attempts)
                permanent = wait is None
                if wait is None:
                    row.failed_at = utcnow()
                else:
                    row.next_attempt_at = utcnow() + wait
            due_at = row.next_attempt_at if row is not None else utcnow()
        if permanent:
            logger.warning("Outbox message %s permanently refused: %s", outbox_id, exc)
            return "failed"
        raise RetryLater(outbox_id, due_at) from exc

    with session_scope(engine) as session:
        if sender.after_success is not None:
            sender.after_success(session, message, sent)
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


def purge_delivered(*, session: Session, older_than: timedelta = DELIVERED_RETENTION) -> int:
    """Delete messages delivered more than `older_than` ago; returns how many. Failed ones stay for an admin."""
    result = session.exec(delete(OutboxMessage).where(OutboxMessage.delivered_at < utcnow() - older_than))
    return int(result.rowcount or 0)


def _fail(row: OutboxMessage, reason: str) -> str:
    """Fail a row for good before any attempt to send it."""
    row.failed_at = utcnow()
    row.last_error = reason
    return "failed"


def _retry_wait(sender: Sender, exc: Exception, attempts: int) -> timedelta | None:
    """The wait the far end asked for (at least a second, at most a day), else the channel's backoff
    or the outbox's; None when the channel gives up."""
    backoff = sender.backoff(attempts) if sender.backoff is not None else retry_delay(attempts)
    if backoff is None:
        return None
    asked = sender.retry_after(exc)
    if asked is not None:
        return min(max(asked, timedelta(seconds=1)), timedelta(seconds=RETRY_AFTER_MAX_SECONDS))
    return backoff
