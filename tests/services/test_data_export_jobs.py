"""Exports asked for in the browser: queued with the request, run once by the worker, downloadable for a day."""

from __future__ import annotations

import io
import time
import zipfile
from datetime import timedelta

import pytest
from sqlmodel import select

from tests.factories import add_member, file_ticket, make_project, make_user
from tickit import config, tasks
from tickit.db import session_scope
from tickit.models import AuditEntry, OutboxMessage, ProjectExport, utcnow
from tickit.services import audit, outbox
from tickit.services.data_export import jobs
from tickit.services.errors import Conflict, NotFound, PermissionDenied


@pytest.fixture
def desk(session, tmp_path, monkeypatch):
    monkeypatch.setenv("TICKIT_DATA_DIR", str(tmp_path))
    config.get_settings.cache_clear()
    project = make_project(session, "HH")
    admin, agent = make_user(session, "admin", name="Ada Admin"), make_user(session, "agent")
    client = make_user(session, "client")
    add_member(session, project.id, client, "client")
    for title in ("Echidna one", "Echidna two", "Echidna three"):
        file_ticket(session, client, title=title)
    session.commit()
    yield {"admin": admin, "agent": agent}
    config.get_settings.cache_clear()


def test_an_export_asked_for_runs_in_the_worker_and_its_archive_downloads(session, engine, desk, monkeypatch):
    monkeypatch.setattr("tickit.db.get_engine", lambda: engine)
    job = jobs.request_export(session=session, actor=desk["admin"], project_key="hh")
    assert (job.status, job.downloadable) == ("queued", False)
    message = session.exec(select(OutboxMessage).where(OutboxMessage.channel == jobs.CHANNEL)).one()
    session.commit()

    assert outbox.deliver(message.id, engine=engine) == "delivered"
    assert outbox.deliver(message.id, engine=engine) == "already-delivered"
    session.expire_all()
    (listed,) = jobs.list_exports(session=session, actor=desk["admin"], project_key="HH")
    assert (listed.status, listed.tickets_done, listed.tickets_total, listed.requested_by) == (
        "done",
        3,
        3,
        "Ada Admin",
    )
    assert listed.downloadable and listed.expires_at - listed.finished_at == jobs.EXPORT_KEPT

    found = jobs.open_export(session=session, actor=desk["admin"], export_id=listed.id)
    assert found.name == f"HH-export-{utcnow():%Y-%m-%d}.zip"
    assert listed.size == found.path.stat().st_size
    with zipfile.ZipFile(io.BytesIO(found.path.read_bytes())) as archive:
        assert len(archive.read("tickets.jsonl").splitlines()) == 3
    session.flush()
    actions = [row.action for row in session.exec(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions[-2:] == [audit.PROJECT_EXPORTED, audit.PROJECT_EXPORT_DOWNLOADED]


def test_a_second_export_waits_for_the_first(session, desk):
    jobs.request_export(session=session, actor=desk["admin"], project_key="HH")
    with pytest.raises(Conflict, match="An export of HH is already under way"):
        jobs.request_export(session=session, actor=desk["admin"], project_key="HH")


def test_only_admins_ask_for_list_and_download_exports(session, desk):
    job = jobs.request_export(session=session, actor=desk["admin"], project_key="HH")
    with pytest.raises(PermissionDenied):
        jobs.request_export(session=session, actor=desk["agent"], project_key="HH")
    with pytest.raises(PermissionDenied):
        jobs.list_exports(session=session, actor=desk["agent"], project_key="HH")
    with pytest.raises(PermissionDenied):
        jobs.open_export(session=session, actor=desk["agent"], export_id=job.id)
    with pytest.raises(NotFound):  # not written yet
        jobs.open_export(session=session, actor=desk["admin"], export_id=job.id)


def test_an_archive_is_deleted_with_its_row_a_day_after_it_was_written(session, engine, desk, monkeypatch):
    monkeypatch.setattr("tickit.db.get_engine", lambda: engine)
    job = jobs.request_export(session=session, actor=desk["admin"], project_key="HH")
    session.commit()
    assert jobs.run_export(job.id) == "done"
    assert jobs.run_export(job.id) == "not-queued"
    session.expire_all()
    path = jobs.open_export(session=session, actor=desk["admin"], export_id=job.id).path
    assert jobs.purge_expired(session=session, now=utcnow() + timedelta(hours=23)) == 0
    assert jobs.purge_expired(session=session, now=utcnow() + jobs.EXPORT_KEPT + timedelta(minutes=1)) == 1
    assert not path.exists()
    assert jobs.list_exports(session=session, actor=desk["admin"], project_key="HH") == []


def _heartbeat_of(export_id):
    with session_scope(read_only=True) as session:
        return session.get(ProjectExport, export_id).heartbeat_at


def test_an_export_whose_worker_died_is_failed_and_no_longer_blocks_a_new_one(session, engine, desk, monkeypatch):
    monkeypatch.setattr("tickit.db.get_engine", lambda: engine)
    job = jobs.request_export(session=session, actor=desk["admin"], project_key="HH")
    session.commit()

    def worker_killed(**kwargs):
        raise SystemExit("the worker was killed")  # not an Exception: nothing marks the job failed

    monkeypatch.setattr(jobs, "write_archive", worker_killed)
    with pytest.raises(SystemExit):
        jobs.run_export(job.id)
    session.expire_all()
    (listed,) = jobs.list_exports(session=session, actor=desk["admin"], project_key="HH")
    assert listed.status == "running"
    with pytest.raises(Conflict):
        jobs.request_export(session=session, actor=desk["admin"], project_key="HH")
    session.rollback()

    last_beat = _heartbeat_of(job.id)
    assert jobs.fail_stalled(session=session, now=last_beat + jobs.STALLED - timedelta(seconds=1)) == 0
    assert jobs.fail_stalled(session=session, now=last_beat + jobs.STALLED + timedelta(seconds=1)) == 1
    session.commit()
    (listed,) = jobs.list_exports(session=session, actor=desk["admin"], project_key="HH")
    assert (listed.status, listed.downloadable) == ("failed", False)
    assert "the worker writing it ended" in listed.error
    assert list((jobs.exports_root()).iterdir()) == []  # the half-written archive went with it

    monkeypatch.undo()
    monkeypatch.setattr("tickit.db.get_engine", lambda: engine)
    again = jobs.request_export(session=session, actor=desk["admin"], project_key="HH")
    session.commit()
    assert jobs.run_export(again.id) == "done"


def test_a_running_export_renews_its_heartbeat_and_one_given_up_meanwhile_keeps_no_file(
    session, engine, desk, monkeypatch
):
    monkeypatch.setattr("tickit.db.get_engine", lambda: engine)
    monkeypatch.setattr(jobs, "HEARTBEAT", timedelta(milliseconds=20))
    job = jobs.request_export(session=session, actor=desk["admin"], project_key="HH")
    session.commit()
    real_write = jobs.write_archive

    def slow_write(**kwargs):
        claimed = _heartbeat_of(job.id)
        deadline = time.monotonic() + 30
        while _heartbeat_of(job.id) == claimed:
            assert time.monotonic() < deadline, "the heartbeat was never renewed"
            time.sleep(0.02)
        with session_scope() as other:  # as the periodic task would, had the beats stopped
            assert jobs.fail_stalled(session=other, now=_heartbeat_of(job.id) + jobs.STALLED + timedelta(seconds=1))
        return real_write(**kwargs)

    monkeypatch.setattr(jobs, "write_archive", slow_write)
    assert jobs.run_export(job.id) == "abandoned"
    session.expire_all()
    (listed,) = jobs.list_exports(session=session, actor=desk["admin"], project_key="HH")
    assert (listed.status, listed.downloadable) == ("failed", False)
    assert list((jobs.exports_root()).iterdir()) == []


def test_stalled_exports_are_looked_for_every_five_minutes():
    moments = [utcnow().replace(tzinfo=None, hour=h, minute=m) for h in (0, 13) for m in range(60)]
    due = [
        moment.minute
        for moment in moments
        if tasks.fail_stalled_exports.task_class in map(type, tasks.huey.read_periodic(moment))
    ]
    assert due == [m for _ in (0, 13) for m in range(0, 60, 5)]


def test_an_export_left_running_before_heartbeats_existed_is_failed_too(session, desk):
    job = jobs.request_export(session=session, actor=desk["admin"], project_key="HH")
    row = session.get(ProjectExport, job.id)
    row.status = "running"  # as a worker that died before this version left it: no heartbeat
    session.add(row)
    session.flush()
    assert jobs.fail_stalled(session=session) == 1
    (listed,) = jobs.list_exports(session=session, actor=desk["admin"], project_key="HH")
    assert listed.status == "failed"
    jobs.request_export(session=session, actor=desk["admin"], project_key="HH")
