"""The outbox: staged in the change's transaction, handed to the queue only once it commits,
delivered once through the channel registered for it, failures recorded and retried with backoff."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import redis
from sqlmodel import Session, select

from tickit.models import OutboxMessage, utcnow
from tickit.services import outbox


class Recorder:
    """A channel that records what it sends, or fails as a test tells it to."""

    def __init__(self):
        self.sent: list[outbox.Message] = []
        self.failure: Exception | None = None
        self.gone: set[str] = set()  # recipients the far end no longer knows
        self.forgotten: list[str] = []
        self.asked_wait: timedelta | None = None
        self.send_seconds = 0.0

    def claim(self, session: Session, message: outbox.Message) -> str:
        if message.payload["to"] in self.forgotten:
            raise outbox.Undeliverable("That recipient is gone.")
        return message.payload["to"]

    def send(self, message: outbox.Message) -> None:
        time.sleep(self.send_seconds)
        if message.target in self.gone:
            raise LookupError(f"{message.target} is gone")
        if self.failure is not None:
            raise self.failure
        self.sent.append(message)

    def after_failure(self, session: Session, message: outbox.Message, exc: Exception) -> None:
        if isinstance(exc, LookupError):
            self.forgotten.append(message.target)


RECORDER = Recorder()
outbox.register_sender(
    "recorded",
    outbox.Sender(
        send=lambda message: RECORDER.send(message),
        is_permanent=lambda exc: isinstance(exc, LookupError),
        retry_after=lambda exc: RECORDER.asked_wait,
        claim=lambda session, message: RECORDER.claim(session, message),
        after_failure=lambda session, message, exc: RECORDER.after_failure(session, message, exc),
    ),
)
HANDLED: list[tuple[int, str]] = []
outbox.register_local("handled-here", lambda session, row: HANDLED.append((row.id, row.event)))


@pytest.fixture
def channel() -> Recorder:
    RECORDER.__init__()
    HANDLED.clear()
    return RECORDER


def _row(engine, outbox_id: int) -> OutboxMessage:
    with Session(engine) as session:
        return session.get(OutboxMessage, outbox_id)


def _add_row(engine, *, channel: str = "recorded", to: str = "ada@example.com", **fields) -> int:
    with Session(engine) as session:
        row = OutboxMessage(event="hello", channel=channel, recipient_user_id=None, payload={"to": to}, **fields)
        session.add(row)
        session.commit()
        return row.id


def test_a_message_is_sent_once_and_recorded_as_delivered(engine, channel):
    outbox_id = _add_row(engine)

    assert outbox.deliver(outbox_id, engine=engine) == "delivered"

    [sent] = channel.sent
    assert (sent.id, sent.event, sent.payload) == (outbox_id, "hello", {"to": "ada@example.com"})
    assert sent.target == "ada@example.com"  # what the channel's claim read for it
    row = _row(engine, outbox_id)
    assert row.delivered_at is not None and row.attempts == 1 and row.last_error == ""
    assert outbox.deliver(outbox_id, engine=engine) == "already-delivered"
    assert len(channel.sent) == 1


def test_a_local_channel_is_handled_in_the_transaction_that_marks_it_delivered(engine, channel):
    outbox_id = _add_row(engine, channel="handled-here")

    assert outbox.deliver(outbox_id, engine=engine) == "delivered"

    assert HANDLED == [(outbox_id, "hello")]
    assert outbox.deliver(outbox_id, engine=engine) == "already-delivered"
    assert HANDLED == [(outbox_id, "hello")]


def test_a_failure_for_now_records_the_attempt_and_raises_for_a_retry_after_the_backoff(engine, channel):
    channel.failure = ConnectionRefusedError(111, "Connection refused")
    outbox_id = _add_row(engine)
    before = utcnow()

    with pytest.raises(outbox.RetryLater) as later:
        outbox.deliver(outbox_id, engine=engine)

    assert later.value.__cause__ is channel.failure
    row = _row(engine, outbox_id)
    assert later.value.due_at == row.next_attempt_at
    assert row.delivered_at is None and row.failed_at is None
    assert row.attempts == 1
    assert "ConnectionRefusedError" in row.last_error
    assert before + timedelta(seconds=55) < row.next_attempt_at <= utcnow() + timedelta(seconds=60)
    assert outbox_id not in outbox.pending_ids(engine=engine)
    # The retry waits for its backoff instead of hammering the far end.
    assert outbox.deliver(outbox_id, engine=engine) == "not-due"
    assert _row(engine, outbox_id).attempts == 1


def test_a_wait_the_far_end_asks_for_replaces_the_backoff_within_a_second_and_a_day(engine, channel):
    channel.failure = ConnectionResetError()
    waits = {}
    for asked in (timedelta(minutes=10), timedelta(0), timedelta(days=3)):
        channel.asked_wait = asked
        outbox_id = _add_row(engine)
        before = utcnow()
        with pytest.raises(outbox.RetryLater) as later:
            outbox.deliver(outbox_id, engine=engine)
        waits[asked] = later.value.due_at - before

    assert timedelta(minutes=10) <= waits[timedelta(minutes=10)] < timedelta(minutes=10, seconds=5)
    assert timedelta(seconds=1) <= waits[timedelta(0)] < timedelta(seconds=5)
    assert timedelta(days=1) <= waits[timedelta(days=3)] < timedelta(days=1, seconds=5)


def test_a_permanent_refusal_fails_the_message_for_good_and_its_channel_learns_of_it(engine, channel):
    channel.gone.add("gone@example.com")
    outbox_id = _add_row(engine, to="gone@example.com")

    assert outbox.deliver(outbox_id, engine=engine) == "failed"

    row = _row(engine, outbox_id)
    assert row.failed_at is not None and row.delivered_at is None
    assert "gone@example.com is gone" in row.last_error
    assert channel.forgotten == ["gone@example.com"]
    assert outbox_id not in outbox.pending_ids(engine=engine)
    assert outbox.deliver(outbox_id, engine=engine) == "already-failed"
    assert channel.sent == []


def test_a_message_no_template_can_render_fails_for_good(engine, channel):
    channel.failure = KeyError("number")
    outbox_id = _add_row(engine)

    assert outbox.deliver(outbox_id, engine=engine) == "failed"

    assert _row(engine, outbox_id).failed_at is not None


def test_a_message_with_nothing_left_to_send_to_fails_without_an_attempt(engine, channel):
    channel.forgotten.append("old@example.com")
    outbox_id = _add_row(engine, to="old@example.com")

    assert outbox.deliver(outbox_id, engine=engine) == "failed"

    row = _row(engine, outbox_id)
    assert row.failed_at is not None and row.attempts == 0
    assert row.last_error == "That recipient is gone."
    assert channel.sent == []


def test_a_message_of_a_channel_nobody_registered_fails_for_good(engine, channel):
    outbox_id = _add_row(engine, channel="pigeon")

    assert outbox.deliver(outbox_id, engine=engine) == "failed"

    row = _row(engine, outbox_id)
    assert row.failed_at is not None
    assert "'pigeon' has no sender" in row.last_error


def test_concurrent_deliveries_of_one_message_send_it_once(engine, channel):
    channel.send_seconds = 0.2
    outbox_id = _add_row(engine)
    start = threading.Barrier(4)

    def deliver():
        start.wait()
        return outbox.deliver(outbox_id, engine=engine)

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(lambda _: deliver(), range(4)))

    assert outcomes.count("delivered") == 1
    # The others came while it was being sent, or after.
    assert set(outcomes) - {"delivered"} <= {"not-due", "already-delivered"}
    assert len(channel.sent) == 1


def test_retry_delay_doubles_up_to_an_hour():
    assert [outbox.retry_delay(n).total_seconds() for n in (1, 2, 3, 7, 20)] == [60, 120, 240, 3600, 3600]


@pytest.fixture
def queued(monkeypatch):
    """The id lists handed to the queue, instead of queueing them."""
    calls: list[list[int]] = []
    monkeypatch.setattr(outbox, "_hand_off", lambda ids: calls.append(list(ids)))
    return calls


def _stage(session: Session) -> OutboxMessage:
    return outbox.stage(
        session, event="hello", channel="recorded", recipient_user_id=None, payload={"to": "ada@example.com"}
    )


def test_staged_messages_are_queued_only_after_commit(session, queued):
    first, second = _stage(session), _stage(session)
    assert queued == []

    session.commit()

    assert queued == [[first.id, second.id]]
    session.commit()
    assert queued == [[first.id, second.id]]


def test_rolled_back_messages_are_never_queued(session, queued):
    _stage(session)
    session.rollback()
    session.commit()

    assert queued == []


def test_messages_staged_in_a_savepoint_wait_for_the_outer_commit(session, queued):
    with session.begin_nested():
        row = _stage(session)
    assert queued == []

    session.commit()

    assert queued == [[row.id]]


def test_queue_failure_does_not_undo_the_commit(engine, session, monkeypatch):
    def queue_down(ids):
        raise redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(outbox, "_hand_off", queue_down)
    row = _stage(session)

    session.commit()

    assert _row(engine, row.id) is not None
    assert outbox.pending_ids(engine=engine) == [row.id]


def test_pending_ids_are_the_due_undelivered_unfailed_messages(engine):
    now = utcnow()
    with Session(engine) as session:
        rows = {
            name: OutboxMessage(event="welcome", channel="mail", payload={}, **fields)
            for name, fields in {
                "due": {"next_attempt_at": now - timedelta(seconds=1)},
                "later": {"next_attempt_at": now + timedelta(minutes=5)},
                "delivered": {"delivered_at": now},
                "failed": {"failed_at": now},
            }.items()
        }
        session.add_all(rows.values())
        session.commit()

        assert outbox.pending_ids(engine=engine) == [rows["due"].id]


def test_delivered_messages_older_than_30_days_are_purged_and_nothing_else(engine, session):
    now = utcnow()
    rows = {
        name: OutboxMessage(event="welcome", channel="mail", payload={}, **fields)
        for name, fields in {
            "delivered long ago": {"delivered_at": now - timedelta(days=31)},
            "delivered lately": {"delivered_at": now - timedelta(days=29)},
            "failed long ago": {"failed_at": now - timedelta(days=90)},
            "pending for long": {"created_at": now - timedelta(days=90), "next_attempt_at": now},
        }.items()
    }
    session.add_all(rows.values())
    session.commit()

    assert outbox.purge_delivered(session=session) == 1
    session.commit()

    left = set(session.exec(select(OutboxMessage.id)))
    assert left == {row.id for name, row in rows.items() if name != "delivered long ago"}
