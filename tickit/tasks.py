"""The Huey instance and its tasks; a task only calls a service.

Start a consumer with: python -m huey.bin.huey_consumer tickit.tasks.huey -k thread -w 2
"""

from __future__ import annotations

from huey import RedisHuey, SqliteHuey, crontab
from redis import ConnectionPool

from tickit.config import get_settings
from tickit.db import session_scope
from tickit.services import intake, outbox

# Enqueueing runs inside a request's commit; an unreachable Redis must fail fast, not hang it.
REDIS_CONNECT_TIMEOUT_SECONDS = 5


def _create_huey() -> RedisHuey | SqliteHuey:
    settings = get_settings()
    # Nothing reads task results (the outbox row records the outcome), so storing them would
    # only grow the queue's storage.
    if settings.redis_url:
        pool = ConnectionPool.from_url(settings.redis_url, socket_connect_timeout=REDIS_CONNECT_TIMEOUT_SECONDS)
        return RedisHuey("tickit", connection_pool=pool, results=False)
    return SqliteHuey("tickit", filename=str(settings.huey_sqlite_path), results=False)


huey = _create_huey()


# Huey's retry delays double like the outbox's backoff, so a retry normally finds its row due;
# one that comes early gets "not-due" and leaves the row to the relay.
@huey.task(retries=8, retry_delay=outbox.RETRY_BASE_SECONDS, retry_backoff=2)
def deliver_outbox_message(outbox_id: int) -> str:
    """Deliver one outbox message; raising on a transient failure makes Huey retry it."""
    return outbox.deliver(outbox_id)


def enqueue_outbox(ids: list[int]) -> None:
    """Queue delivery of each outbox id (called once the transaction that staged them commits)."""
    for outbox_id in ids:
        deliver_outbox_message(outbox_id)


@huey.periodic_task(crontab())
def relay_pending_outbox() -> None:
    """Every minute, queue the messages that are due: those missed while the queue was down, and retries."""
    enqueue_outbox(outbox.pending_ids())


@huey.periodic_task(crontab(minute="17"))
def purge_expired_idempotency_keys() -> int:
    """Hourly, forget Idempotency-Keys past their retention (TICKIT_IDEMPOTENCY_DAYS); the tickets stay."""
    with session_scope() as session:
        return intake.purge_expired_keys(session=session)
