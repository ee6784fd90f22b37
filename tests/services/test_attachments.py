"""Attachments: stored outside any public directory, limited while received, shown only to who may see them."""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from tests.factories import add_member, file_ticket, make_project, make_user
from tickit import config
from tickit.models import ActivityEntry, Attachment, Comment, Ticket, utcnow
from tickit.services import attachments
from tickit.services.access import ticket_for
from tickit.services.actors import UserPublic
from tickit.services.errors import NotFound, PermissionDenied

LIMIT_MB = 1
LIMIT = LIMIT_MB * 1024 * 1024
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """A data directory of this test's own, with a 1 MiB upload limit."""
    monkeypatch.setenv("TICKIT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TICKIT_UPLOAD_LIMIT_MB", str(LIMIT_MB))
    config.get_settings.cache_clear()
    yield tmp_path
    config.get_settings.cache_clear()


@dataclass
class Desk:
    number: str  # HH-1, filed by `client`
    other_number: str  # HH-2, filed by `other_client`
    client: UserPublic
    other_client: UserPublic
    agent: UserPublic
    outside_agent: UserPublic  # an agent of another project


@pytest.fixture
def desk(session, data_dir) -> Desk:
    hh, it = make_project(session, "HH"), make_project(session, "IT", template="it-helpdesk")
    client, other_client = make_user(session, "client"), make_user(session, "client")
    agent, outside_agent = make_user(session, "agent", name="Ana Agent"), make_user(session, "agent")
    add_member(session, hh.id, client, "client")
    add_member(session, hh.id, other_client, "client")
    add_member(session, hh.id, agent, "agent")
    add_member(session, it.id, outside_agent, "agent")
    return Desk(
        file_ticket(session, client), file_ticket(session, other_client), client, other_client, agent, outside_agent
    )


def make_comment(session: Session, author: UserPublic, number: str, *, internal: bool = False) -> Comment:
    ticket = ticket_for(session, author, number)
    comment = Comment(
        ticket_id=ticket.id, author_id=author.id, body_html="<p>x</p>", body_text="x", is_internal=internal
    )
    session.add(comment)
    session.flush()
    return comment


def upload(session, actor, number, data: bytes = b"hello", name="notes.txt", content_type="text/plain", **kwargs):
    received = attachments.receive_file(data[i : i + 1000] for i in range(0, len(data), 1000))
    return attachments.store_upload(
        session=session, actor=actor, number=number, filename=name, content_type=content_type, file=received, **kwargs
    )


def stored_files(data_dir: Path) -> list[Path]:
    root = data_dir / "attachments"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def attachment_rows(session) -> int:
    return session.exec(select(func.count()).select_from(Attachment)).one()


def activity(session, action: str) -> list[ActivityEntry]:
    return session.exec(select(ActivityEntry).where(ActivityEntry.action == action).order_by(ActivityEntry.id)).all()


def test_stored_bytes_equal_the_upload_and_its_sha256_is_recorded(session, desk, data_dir):
    data = bytes(range(256)) * 2000
    view = upload(session, desk.client, desk.number, data, name="dump.bin", content_type="application/x-dump")
    session.commit()
    row = session.get(Attachment, view.id)
    assert row.sha256 == hashlib.sha256(data).hexdigest() and row.size == len(data) == view.size
    path = data_dir / "attachments" / row.storage_key[:2] / row.storage_key
    assert path.read_bytes() == data
    assert stored_files(data_dir) == [path]  # no temporary file left over
    assert len(row.storage_key) == 32 and "dump" not in row.storage_key
    download = attachments.open_download(session=session, actor=desk.client, attachment_id=view.id)
    assert download.path == path and download.name == "dump.bin" and download.size == len(data)


def test_the_view_lists_what_a_ticket_page_needs(session, desk):
    view = upload(session, desk.agent, desk.number, PNG, name="screen.png", content_type="image/png")
    assert view.name == "screen.png" and view.content_type == "image/png" and view.is_image
    assert view.uploaded_by == "Ana Agent" and view.comment_id is None
    assert view.download_url == f"/attachments/{view.id}/download"
    assert view.thumbnail_url == f"/attachments/{view.id}/thumbnail"
    text = upload(session, desk.agent, desk.number)
    assert not text.is_image and text.thumbnail_url is None
    listed = attachments.list_for_ticket(session=session, actor=desk.client, number=desk.number)
    assert [a.id for a in listed] == [view.id, text.id]


def test_an_upload_over_the_limit_is_refused_and_leaves_no_file_and_no_row(session, desk, data_dir):
    with pytest.raises(attachments.TooLarge, match="at most 1 MiB"):
        upload(session, desk.client, desk.number, b"x" * (LIMIT + 1))
    assert stored_files(data_dir) == []
    assert attachment_rows(session) == 0
    assert upload(session, desk.client, desk.number, b"x" * LIMIT).size == LIMIT  # exactly the limit is fine


def test_the_limit_stops_reading_as_soon_as_it_is_passed(data_dir):
    read = []

    def endless():
        while True:
            read.append(1)
            yield b"x" * 65536

    with pytest.raises(attachments.TooLarge):
        attachments.receive_file(endless())
    assert len(read) == LIMIT // 65536 + 1


def test_a_failed_database_write_removes_the_stored_file(session, desk, data_dir, monkeypatch):
    def broken_log(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(attachments.activity, "record", broken_log)
    with pytest.raises(RuntimeError):
        upload(session, desk.client, desk.number)
    assert stored_files(data_dir) == []


def test_a_rolled_back_transaction_removes_its_files_and_a_committed_one_keeps_them(session, desk, data_dir):
    session.commit()
    upload(session, desk.client, desk.number, b"kept")
    session.commit()
    upload(session, desk.client, desk.number, b"dropped")
    session.rollback()
    assert [p.read_bytes() for p in stored_files(data_dir)] == [b"kept"]
    upload(session, desk.client, desk.number, b"never committed")
    session.close()
    assert [p.read_bytes() for p in stored_files(data_dir)] == [b"kept"]


def test_client_cannot_see_or_attach_to_another_clients_ticket(session, desk):
    theirs = upload(session, desk.other_client, desk.other_number)
    with pytest.raises(NotFound):
        attachments.open_download(session=session, actor=desk.client, attachment_id=theirs.id)
    with pytest.raises(NotFound):
        attachments.list_for_ticket(session=session, actor=desk.client, number=desk.other_number)
    with pytest.raises(NotFound):
        upload(session, desk.client, desk.other_number)
    with pytest.raises(NotFound):
        attachments.open_download(session=session, actor=desk.outside_agent, attachment_id=theirs.id)
    with pytest.raises(NotFound):
        attachments.open_download(session=session, actor=desk.client, attachment_id=theirs.id + 1000)
    assert attachments.open_download(session=session, actor=desk.agent, attachment_id=theirs.id).size == 5


def test_client_cannot_see_attachments_of_internal_notes(session, desk):
    note = make_comment(session, desk.agent, desk.number, internal=True)
    hidden = upload(session, desk.agent, desk.number, name="secret.txt", comment_id=note.id)
    upload(session, desk.agent, desk.number, name="public.txt")
    with pytest.raises(NotFound):
        attachments.open_download(session=session, actor=desk.client, attachment_id=hidden.id)
    assert [a.name for a in attachments.list_for_ticket(session=session, actor=desk.client, number=desk.number)] == [
        "public.txt"
    ]
    agent_sees = attachments.list_for_ticket(session=session, actor=desk.agent, number=desk.number)
    assert [a.name for a in agent_sees] == ["secret.txt", "public.txt"]
    with pytest.raises(NotFound):
        upload(session, desk.client, desk.number, comment_id=note.id)


def test_attachments_of_a_deleted_comment_disappear(session, desk):
    mine = make_comment(session, desk.client, desk.number)
    view = upload(session, desk.client, desk.number, comment_id=mine.id)
    mine.deleted_at = mine.created_at
    session.add(mine)
    session.flush()
    with pytest.raises(NotFound):
        attachments.open_download(session=session, actor=desk.agent, attachment_id=view.id)
    assert attachments.list_for_ticket(session=session, actor=desk.agent, number=desk.number) == []
    with pytest.raises(NotFound):
        upload(session, desk.client, desk.number, comment_id=mine.id)


def test_a_comment_takes_files_from_its_author_or_the_tickets_agents_only(session, desk):
    agents = make_comment(session, desk.agent, desk.number)
    with pytest.raises(PermissionDenied):
        upload(session, desk.client, desk.number, comment_id=agents.id)
    other_ticket_comment = make_comment(session, desk.other_client, desk.other_number)
    with pytest.raises(NotFound):
        upload(session, desk.agent, desk.number, comment_id=other_ticket_comment.id)
    mine = make_comment(session, desk.client, desk.number)
    assert upload(session, desk.client, desk.number, comment_id=mine.id).comment_id == mine.id
    assert upload(session, desk.agent, desk.number, comment_id=mine.id).comment_id == mine.id


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ada\\My Report.docx", "My Report.docx"),
        ("bad\x00na\nme\t.txt", "badname.txt"),
        ("invoice\u202eexe.pdf", "invoiceexe.pdf"),
        ("  spaced.txt  ", "spaced.txt"),
        ("", "file"),
        ("..", "file"),
        ("dir/", "file"),
        ("\x01\x02", "file"),
        ("a" * 300 + ".txt", "a" * 251 + ".txt"),
        ("Überweisung 📄.txt", "Überweisung 📄.txt"),
    ],
)
def test_filenames_are_cleaned(given, kept):
    assert attachments.clean_filename(given) == kept


def test_a_stored_name_is_the_cleaned_one(session, desk):
    view = upload(session, desk.client, desk.number, name="../secret/\x07report.txt")
    assert view.name == "report.txt" and session.get(Attachment, view.id).original_name == "report.txt"


@pytest.mark.parametrize(
    ("declared", "name", "kept"),
    [
        ("text/plain", "a.bin", "text/plain"),
        ("Text/Plain; charset=utf-8", "a", "text/plain"),
        ("not a type", "a.pdf", "application/pdf"),
        ("", "photo.png", "image/png"),
        ("application/octet-stream", "a.pdf", "application/pdf"),
        ("text/<script>", "a", "application/octet-stream"),
        ("", "no-extension", "application/octet-stream"),
    ],
)
def test_the_content_type_is_the_declared_one_when_well_formed_else_guessed(declared, name, kept):
    assert attachments.resolve_content_type(declared, name) == kept


def test_a_picture_type_needs_picture_bytes(session, desk):
    fake = upload(session, desk.client, desk.number, b"<html><script>", name="cat.png", content_type="image/png")
    assert fake.content_type == "application/octet-stream" and not fake.is_image
    real = upload(session, desk.client, desk.number, PNG, name="cat.png", content_type="image/png")
    thumb = attachments.open_thumbnail(session=session, actor=desk.client, attachment_id=real.id)
    assert thumb.content_type == "image/png"
    with pytest.raises(NotFound):
        attachments.open_thumbnail(session=session, actor=desk.client, attachment_id=fake.id)
    svg = upload(session, desk.client, desk.number, b"<svg/>", name="x.svg", content_type="image/svg+xml")
    assert not svg.is_image
    with pytest.raises(NotFound):
        attachments.open_thumbnail(session=session, actor=desk.client, attachment_id=svg.id)


@pytest.mark.parametrize(
    ("stored", "served"),
    [
        ("text/html", "application/octet-stream"),
        ("image/svg+xml", "application/octet-stream"),
        ("application/xhtml+xml", "application/octet-stream"),
        ("text/xml", "application/octet-stream"),
        ("application/javascript", "application/octet-stream"),
        ("message/rfc822", "application/octet-stream"),
        ("text/css", "application/octet-stream"),
        ("text/plain", "text/plain"),
        ("application/pdf", "application/pdf"),
        ("image/png", "image/png"),
    ],
)
def test_types_a_browser_could_render_are_served_as_octet_stream(stored, served):
    assert attachments.served_content_type(stored) == served


def test_adding_and_removing_write_activity_entries(session, desk):
    view = upload(session, desk.client, desk.number, b"12345", name="a.txt")
    added = activity(session, "attachment_added")
    assert len(added) == 1 and added[0].actor_user_id == desk.client.id
    assert added[0].after == {
        "attachment_id": view.id,
        "name": "a.txt",
        "size": 5,
        "comment_id": None,
        "internal": False,
    }
    attachments.remove_attachment(session=session, actor=desk.client, attachment_id=view.id)
    removed = activity(session, "attachment_removed")
    assert len(removed) == 1 and removed[0].before["attachment_id"] == view.id
    row = session.get(Attachment, view.id)
    assert row.removed_at is not None
    assert attachments.list_for_ticket(session=session, actor=desk.client, number=desk.number) == []
    with pytest.raises(NotFound):
        attachments.open_download(session=session, actor=desk.agent, attachment_id=view.id)
    with pytest.raises(NotFound):
        attachments.remove_attachment(session=session, actor=desk.client, attachment_id=view.id)
    ticket = session.get(Ticket, row.ticket_id)
    assert ticket.updated_at >= row.removed_at


def test_an_internal_notes_file_is_logged_as_internal(session, desk):
    note = make_comment(session, desk.agent, desk.number, internal=True)
    upload(session, desk.agent, desk.number, comment_id=note.id)
    assert activity(session, "attachment_added")[0].after["internal"] is True


def test_only_the_uploader_or_the_tickets_agents_remove_a_file(session, desk):
    agents = upload(session, desk.agent, desk.number)
    with pytest.raises(PermissionDenied):
        attachments.remove_attachment(session=session, actor=desk.client, attachment_id=agents.id)
    clients = upload(session, desk.client, desk.number)
    attachments.remove_attachment(session=session, actor=desk.agent, attachment_id=clients.id)
    with pytest.raises(NotFound):
        attachments.remove_attachment(session=session, actor=desk.outside_agent, attachment_id=agents.id)


def test_the_list_says_which_files_the_actor_may_remove(session, desk):
    agents, clients = upload(session, desk.agent, desk.number), upload(session, desk.client, desk.number)

    def removable(actor) -> dict[int, bool]:
        views = attachments.list_for_ticket(session=session, actor=actor, number=desk.number)
        return {v.id: v.removable for v in views}

    assert removable(desk.client) == {agents.id: False, clients.id: True}
    assert removable(desk.agent) == {agents.id: True, clients.id: True}


def test_a_removed_file_stays_on_disk(session, desk, data_dir):
    view = upload(session, desk.client, desk.number)
    attachments.remove_attachment(session=session, actor=desk.client, attachment_id=view.id)
    session.commit()
    assert len(stored_files(data_dir)) == 1


def _age(path: Path, *, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def _path_of(session, data_dir: Path, attachment_id: int) -> Path:
    key = session.get(Attachment, attachment_id).storage_key
    return data_dir / "attachments" / key[:2] / key


def test_attachments_removed_over_30_days_ago_are_forgotten_and_the_rest_kept(session, desk, data_dir):
    old, recent, kept = (upload(session, desk.client, desk.number) for _ in range(3))
    for view, days in ((old, 31), (recent, 29)):
        attachments.remove_attachment(session=session, actor=desk.client, attachment_id=view.id)
        session.get(Attachment, view.id).removed_at = utcnow() - timedelta(days=days)
    session.commit()

    assert attachments.purge_removed(session=session) == 1
    session.commit()

    assert set(session.exec(select(Attachment.id))) == {recent.id, kept.id}
    # The activity entry still says what was removed.
    assert [entry.before["name"] for entry in activity(session, "attachment_removed")] == ["notes.txt", "notes.txt"]
    assert len(stored_files(data_dir)) == 3  # files go only in the sweep


def test_the_sweep_deletes_old_files_no_row_points_at_and_keeps_every_referenced_one(session, desk, data_dir):
    purged, removed, live = (upload(session, desk.client, desk.number, name=f"{n}.txt") for n in "abc")
    attachments.remove_attachment(session=session, actor=desk.client, attachment_id=removed.id)
    session.commit()
    paths = {view: _path_of(session, data_dir, view.id) for view in (purged, removed, live)}
    session.delete(session.get(Attachment, purged.id))  # as purge_removed or a deleted ticket does
    session.commit()
    partial = paths[live].parent / ".leftover.part"  # a crashed upload's temporary file
    partial.write_bytes(b"half")
    for path in [*paths.values(), partial]:
        _age(path, hours=2)

    assert attachments.delete_unreferenced_files(session=session) == 2

    assert stored_files(data_dir) == sorted([paths[removed], paths[live]])
    assert attachments.delete_unreferenced_files(session=session) == 0


def test_the_sweep_spares_a_fresh_file_whose_upload_has_not_committed_yet(session, desk, data_dir, engine):
    upload(session, desk.client, desk.number)  # its row is not committed: another session cannot see it
    [path] = stored_files(data_dir)

    with Session(engine) as sweeper:
        assert attachments.delete_unreferenced_files(session=sweeper) == 0
    session.commit()

    assert stored_files(data_dir) == [path]
