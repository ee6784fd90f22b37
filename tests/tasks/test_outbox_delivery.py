"""The outbox's Huey tasks: a staged message delivered by a real consumer to a real SMTP server
exactly once, the relay, the retries, and the periodic housekeeping's schedule."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest
from huey.exceptions import RetryTask
from sqlmodel import Session

from tests.processes import WAIT_SECONDS, free_port
from tests.tasks.conftest import APP_URL, run_python
from tickit import tasks
from tickit.models import OutboxMessage, utcnow
from tickit.services import outbox

# Staging runs in a child process started with the consumer's environment, like an app worker
# (which imports tickit.tasks, so its commits reach the queue). The test process cannot do it:
# `tickit.tasks.huey` is built once, at import, from whatever settings were current then, so
# clearing caches would not re-point it at this test's queue.
STAGE_WELCOME = """
import sys
import tickit.tasks
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
        assert (tasks.prune_rate_limit_counters.task_class in due) == (moment.minute == 23)


def test_the_housekeeping_runs_once_a_night_each_task_at_its_own_minute():
    nightly = [
        tasks.purge_delivered_outbox,
        tasks.purge_read_notifications,
        tasks.purge_removed_attachments,
        tasks.delete_unreferenced_attachment_files,
    ]
    runs = {task.task_class: [] for task in nightly}
    for moment in (datetime(2026, 1, 1) + timedelta(minutes=m) for m in range(24 * 60)):
        for task in tasks.huey.read_periodic(moment):
            if type(task) in runs:
                runs[type(task)].append(moment)

    assert all(len(moments) == 1 and moments[0].hour == 3 for moments in runs.values())
    # The attachment rows go before the sweep that deletes their files.
    purge, sweep = tasks.purge_removed_attachments, tasks.delete_unreferenced_attachment_files
    assert runs[purge.task_class] < runs[sweep.task_class]
    assert len({moments[0] for moments in runs.values()}) == len(nightly)


def test_a_failed_send_makes_huey_retry_the_task_when_the_row_is_due(monkeypatch):
    def fails_for_now(outbox_id):
        raise outbox.RetryLater(outbox_id, utcnow() + timedelta(seconds=90))

    monkeypatch.setattr(outbox, "deliver", fails_for_now)

    with pytest.raises(RetryTask) as retry:
        tasks.deliver_outbox_message.call_local(7)

    assert 85 <= retry.value.delay <= 90
