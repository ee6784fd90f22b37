"""The Huey instance and its tasks; a task only calls a service.

Importing this module hands every committed outbox row to Huey (`outbox.set_hand_off`), so each
process that commits changes (the web app, the API, the CLI) imports it; the services never do.
It also imports every outbox channel, so the consumer can deliver each of them.

Start a consumer with: python -m huey.bin.huey_consumer tickit.tasks.huey -k thread -w 2
"""

from __future__ import annotations

from huey import RedisHuey, SqliteHuey, crontab
from huey.exceptions import RetryTask
from redis import ConnectionPool

from tickit.config import get_settings
from tickit.db import session_scope
from tickit.models import utcnow
from tickit.private_files import create_private
from tickit.services import (
    api_comments,
    assignment,
    attachments,
    inbox,
    intake,
    lifecycle,
    mail_imap,
    outbox,
    ratelimit,
    reporting_history,
    sign_in_throttle,
    sla_sweep,
    survey,
    webhook_delivery,
)

# Imported for what they register with the outbox: the channels they deliver (webhooks too, above).
from tickit.services import mail, notifications, push  # noqa: F401  isort: skip
from tickit.services.data_export import jobs as data_export_jobs  # isort: skip

# Enqueueing runs inside a request's commit; an unreachable or hung Redis must fail fast, not
# hang it. The read timeout stays above the consumer's blocking read (1 s).
REDIS_CONNECT_TIMEOUT_SECONDS = 5
REDIS_SOCKET_TIMEOUT_SECONDS = 5


def _create_huey() -> RedisHuey | SqliteHuey:
    settings = get_settings()
    # Nothing reads task results (the outbox row records the outcome), so storing them would
    # only grow the queue's storage.
    if settings.redis_url:
        pool = ConnectionPool.from_url(
            settings.redis_url,
            socket_connect_timeout=REDIS_CONNECT_TIMEOUT_SECONDS,
            socket_timeout=REDIS_SOCKET_TIMEOUT_SECONDS,
        )
        return RedisHuey("tickit", connection_pool=pool, results=False)
    create_private(settings.huey_sqlite_path)  # and with it, its WAL
    return SqliteHuey("tickit", filename=str(settings.huey_sqlite_path), results=False)


huey = _create_huey()


# A failed send says when the row is due again, and the task is retried then. Huey's own
# retries (doubling like the outbox's backoff) cover errors outside a send, such as the database
# being unreachable; a retry that comes early gets "not-due" and leaves the row to the relay.
@huey.task(retries=8, retry_delay=outbox.RETRY_BASE_SECONDS, retry_backoff=2)
def deliver_outbox_message(outbox_id: int) -> str:
    """Deliver one outbox message; a transient failure schedules this task again for when the row is due."""
    try:
        return outbox.deliver(outbox_id)
    except outbox.RetryLater as later:
        raise RetryTask(delay=max(0.0, (later.due_at - utcnow()).total_seconds())) from later


def enqueue_outbox(ids: list[int]) -> None:
    """Queue delivery of each outbox id (called once the transaction that staged them commits)."""
    for outbox_id in ids:
        deliver_outbox_message(outbox_id)


outbox.set_hand_off(enqueue_outbox)


@huey.periodic_task(crontab())
def relay_pending_outbox() -> None:
    """Every minute, queue the messages that are due: those missed while the queue was down, and retries."""
    enqueue_outbox(outbox.pending_ids())


@huey.periodic_task(crontab())
def send_satisfaction_surveys() -> int:
    """Every minute, mail the survey of each ticket resolved longer ago than its project's survey delay."""
    with session_scope() as session:
        return survey.send_due(session=session)


@huey.periodic_task(crontab())
def poll_mailboxes() -> int:
    """Every minute, take the new mail of each mailbox with an IMAP server; returns how many messages."""
    # One poll at a time: a slow server must not have the next minute's poll read the same messages.
    with huey.lock_task("poll-mailboxes"):
        return sum(report.taken for report in mail_imap.poll_all(unit_of_work=session_scope))


@huey.periodic_task(crontab(minute="*/15"))
def auto_close_resolved_tickets() -> list[str]:
    """Every quarter hour, close the tickets resolved longer ago than their project's auto-close days."""
    with session_scope() as session:
        report = lifecycle.auto_close_due(session=session)
    return report.skipped


@huey.periodic_task(crontab())
def assign_queued_tickets() -> int:
    """Every minute, give tickets waiting in a queue to agents who can now take them (back from away, room freed)."""
    with session_scope() as session:
        return assignment.assign_queue(session=session)


@huey.periodic_task(crontab())
def check_sla() -> int:
    """Every minute, fire the SLA warnings and breaches that came due (each exactly once); returns how many."""
    return len(sla_sweep.sweep(unit_of_work=session_scope))


@huey.periodic_task(crontab(minute="17"))
def purge_expired_idempotency_keys() -> int:
    """Hourly, forget Idempotency-Keys past their retention (TICKIT_IDEMPOTENCY_DAYS); the tickets stay."""
    with session_scope() as session:
        return intake.purge_expired_keys(session=session) + api_comments.purge_expired_keys(session=session)


@huey.periodic_task(crontab(minute="23"))
def prune_rate_limit_counters() -> int:
    """Hourly, drop the database's rate-limit counters of windows that have ended, and forgotten sign-in failures."""
    with session_scope() as session:
        return ratelimit.prune(session=session) + sign_in_throttle.prune(session=session)


@huey.periodic_task(crontab(minute="5"))
def snapshot_backlog() -> int:
    """Hourly, snapshot the backlog and roll up the reporting events of each project whose local day ended."""
    with session_scope() as session:
        return reporting_history.snapshot_backlog(session=session) + reporting_history.roll_up(session=session)


@huey.periodic_task(crontab(hour="3", minute="7"))
def purge_delivered_outbox() -> int:
    """Nightly, delete outbox messages delivered more than 30 days ago."""
    with session_scope() as session:
        return outbox.purge_delivered(session=session)


@huey.periodic_task(crontab(hour="3", minute="11"))
def purge_webhook_log() -> int:
    """Nightly, delete webhook delivery attempts older than 30 days."""
    with session_scope() as session:
        return webhook_delivery.purge_log(session=session)


@huey.periodic_task(crontab(hour="3", minute="13"))
def purge_read_notifications() -> int:
    """Nightly, delete bell entries read more than 90 days ago."""
    with session_scope() as session:
        return inbox.purge_read(session=session)


@huey.periodic_task(crontab(hour="3", minute="29"))
def purge_removed_attachments() -> int:
    """Nightly, forget attachments removed more than 30 days ago (their files go in the sweep after)."""
    with session_scope() as session:
        return attachments.purge_removed(session=session)


@huey.periodic_task(crontab(hour="3", minute="37"))
def delete_unreferenced_attachment_files() -> int:
    """Nightly, delete attachment files no row points at: those of purged rows and of deleted tickets."""
    with session_scope() as session:
        return attachments.delete_unreferenced_files(session=session)


@huey.periodic_task(crontab(minute="*/5"))
def fail_stalled_exports() -> int:
    """Every five minutes, mark failed the exports whose worker died while writing them."""
    with session_scope() as session:
        return data_export_jobs.fail_stalled(session=session)


@huey.periodic_task(crontab(minute="41"))
def purge_expired_exports() -> int:
    """Hourly, delete project archives (and their rows) kept past their day."""
    with session_scope() as session:
        return data_export_jobs.purge_expired(session=session)
