"""The outbox end to end: staged in a committed transaction, delivered by a real Huey consumer
to a real SMTP server, exactly once; and how delivery records failures."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
import redis
from huey.exceptions import RetryTask
from sqlmodel import Session

from tests.processes import WAIT_SECONDS, free_port
from tests.tasks.conftest import APP_URL, run_python
from tickit import tasks
from tickit.models import OutboxMessage, utcnow
from tickit.services import outbox

# Staging runs in a child process started with the consumer's environment, like an app worker.
# The test process cannot do it: `tickit.tasks.huey` is built once, at import, from whatever
# settings were current then, so clearing caches would not re-point it at this test's queue.
STAGE_WELCOME = """
import sys
from tickit.db import session_scope
from tickit.models import User
from tickit.services import outbox

with session_scope() as session:
    user = User(email=sys.argv[1], name=sys.argv[2], role="agent")
    session.add(user)
    session.flush()
    row = outbox.stage(
        session, event="welcome", channel="mail", recipient_user_id=user.id,
        payload={"name": user.name, "email": user.email, "role": user.role},
    )
print(row.id)
"""

RUN_RELAY = "from tickit.tasks import relay_pending_outbox; relay_pending_outbox.call_local()"


def _stage_welcome(env: dict[str, str], *, email_address: str, name: str) -> tuple[int, str]:
    result = run_python(STAGE_WELCOME, env, email_address, name)
    return int(result.stdout.split()[-1]), result.stderr


def _row(engine, outbox_id: int) -> OutboxMessage:
    with Session(engine) as session:
        return session.get(OutboxMessage, outbox_id)


def _wait_until_delivered(engine, outbox_id: int, consumer) -> OutboxMessage:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        row = _row(engine, outbox_id)
        if row.delivered_at is not None:
            return row
        if consumer.poll() is not None:
            break
        time.sleep(0.1)
    pytest.fail(
        f"outbox message {outbox_id} not delivered within {WAIT_SECONDS} s "
        f"(attempts={row.attempts}, last_error={row.last_error!r}); consumer log:\n"
        + consumer.log_path.read_text(errors="replace")
    )


def _add_welcome_row(engine, *, email_address: str = "ada@example.com") -> int:
    with Session(engine) as session:
        row = OutboxMessage(
            event="welcome",
            channel="mail",
            recipient_user_id=None,
            payload={"name": "Ada", "email": email_address, "role": "client"},
        )
        session.add(row)
        session.commit()
        return row.id


def test_welcome_mail_is_delivered_once_by_the_consumer(engine, smtp_server, worker_env, consumer):
    outbox_id, _ = _stage_welcome(worker_env, email_address="ada@example.com", name="Ada Lovelace")

    row = _wait_until_delivered(engine, outbox_id, consumer)

    assert [envelope.rcpt_tos for envelope in smtp_server.envelopes] == [["ada@example.com"]]
    [message] = smtp_server.messages()
    assert message["Subject"] == "Welcome to TickIt"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Hello Ada Lovelace," in text
    assert f"{APP_URL}/login" in text
    assert row.attempts == 1 and row.last_error == ""

    assert outbox.deliver(outbox_id, engine=engine) == "already-delivered"
    assert len(smtp_server.envelopes) == 1
    assert _row(engine, outbox_id).attempts == 1


def test_message_staged_while_the_queue_is_down_is_delivered_by_the_relay(engine, smtp_server, worker_env, consumer):
    queue_down = {**worker_env, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}

    outbox_id, stage_log = _stage_welcome(queue_down, email_address="grace@example.com", name="Grace Hopper")

    assert "relay will pick them up" in stage_log
    assert outbox_id in outbox.pending_ids(engine=engine)
    assert smtp_server.envelopes == []

    run_python(RUN_RELAY, worker_env)

    _wait_until_delivered(engine, outbox_id, consumer)
    assert [envelope.rcpt_tos for envelope in smtp_server.envelopes] == [["grace@example.com"]]


def test_relay_runs_every_minute_and_expired_idempotency_keys_are_purged_hourly():
    for moment in (datetime(2026, 1, 1, hour, minute) for hour in (0, 13) for minute in range(60)):
        due = [type(task) for task in tasks.huey.read_periodic(moment)]
        assert tasks.relay_pending_outbox.task_class in due
        assert (tasks.purge_expired_idempotency_keys.task_class in due) == (moment.minute == 17)


def test_unreachable_smtp_server_records_the_attempt_and_raises_for_a_retry(engine, settings_env):
    settings_env(SMTP_HOST="127.0.0.1", SMTP_PORT=str(free_port()), SMTP_SECURITY="none")
    outbox_id = _add_welcome_row(engine)
    before = utcnow()

    with pytest.raises(outbox.RetryLater) as later:
        outbox.deliver(outbox_id, engine=engine)

    assert isinstance(later.value.__cause__, ConnectionRefusedError)
    row = _row(engine, outbox_id)
    assert later.value.due_at == row.next_attempt_at
    assert row.delivered_at is None and row.failed_at is None
    assert row.attempts == 1
    assert "ConnectionRefusedError" in row.last_error
    assert before + timedelta(seconds=55) < row.next_attempt_at <= utcnow() + timedelta(seconds=60)
    assert outbox_id not in outbox.pending_ids(engine=engine)
    # The retry waits for its backoff instead of hammering the server.
    assert outbox.deliver(outbox_id, engine=engine) == "not-due"
    assert _row(engine, outbox_id).attempts == 1


def test_refused_recipient_fails_the_message_for_good(engine, settings_env, smtp_server):
    settings_env(SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_server.port), SMTP_SECURITY="none")
    smtp_server.refused.add("gone@example.com")
    outbox_id = _add_welcome_row(engine, email_address="gone@example.com")

    assert outbox.deliver(outbox_id, engine=engine) == "failed"

    row = _row(engine, outbox_id)
    assert row.failed_at is not None and row.delivered_at is None
    assert "550" in row.last_error
    assert outbox_id not in outbox.pending_ids(engine=engine)
    assert outbox.deliver(outbox_id, engine=engine) == "already-failed"
    assert smtp_server.envelopes == []


def test_concurrent_deliveries_of_one_message_send_it_once(engine, settings_env, smtp_server):
    settings_env(SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_server.port), SMTP_SECURITY="none")
    outbox_id = _add_welcome_row(engine)
    start = threading.Barrier(4)

    def deliver():
        start.wait()
        return outbox.deliver(outbox_id, engine=engine)

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(lambda _: deliver(), range(4)))

    assert outcomes.count("delivered") == 1
    # The others came while it was being sent, or after.
    assert set(outcomes) - {"delivered"} <= {"not-due", "already-delivered"}
    assert len(smtp_server.envelopes) == 1


def test_a_failed_send_makes_huey_retry_the_task_when_the_row_is_due(monkeypatch):
    def fails_for_now(outbox_id):
        raise outbox.RetryLater(outbox_id, utcnow() + timedelta(seconds=90))

    monkeypatch.setattr(outbox, "deliver", fails_for_now)

    with pytest.raises(RetryTask) as retry:
        tasks.deliver_outbox_message.call_local(7)

    assert 85 <= retry.value.delay <= 90


def test_retry_delay_doubles_up_to_an_hour():
    assert [outbox.retry_delay(n).total_seconds() for n in (1, 2, 3, 7, 20)] == [60, 120, 240, 3600, 3600]


@pytest.fixture
def queued(monkeypatch):
    """The id lists handed to Huey, instead of queueing them."""
    calls: list[list[int]] = []
    monkeypatch.setattr(tasks, "enqueue_outbox", lambda ids: calls.append(list(ids)))
    return calls


def _stage(session: Session) -> OutboxMessage:
    return outbox.stage(
        session,
        event="welcome",
        channel="mail",
        recipient_user_id=None,
        payload={"name": "Ada", "email": "ada@example.com", "role": "client"},
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

    monkeypatch.setattr(tasks, "enqueue_outbox", queue_down)
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
