"""A project's archive: everything a team needs to take its data elsewhere, restored byte for byte."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from tests.conftest import _empty_all_tables
from tests.factories import add_member, file_ticket, make_api_client, make_project, make_user
from tickit import config
from tickit.models import ActivityEntry, Attachment, AuditEntry, Comment, Project, Ticket, User, utcnow
from tickit.services import attachments, audit, comments, ticket_detail, tickets, workflow
from tickit.services.actors import SYSTEM, UserPublic
from tickit.services.data_export import ArchiveError, archive, read_archive, record_export, write_archive
from tickit.services.errors import PermissionDenied

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A data directory of this test's own (attachments land here)."""

    def use(name: str):
        monkeypatch.setenv("TICKIT_DATA_DIR", str(tmp_path / name))
        config.get_settings.cache_clear()
        return tmp_path / name

    yield use
    config.get_settings.cache_clear()


def mention(user: UserPublic) -> str:
    return f'<span data-type="mention" class="mention" data-id="{user.id}" data-label="{user.name}">@{user.name}</span>'


def attach(session: Session, actor: UserPublic, number: str, name: str, data: bytes, comment_id: int | None = None):
    received = attachments.receive_file([data])
    return attachments.store_upload(
        session=session,
        actor=actor,
        number=number,
        filename=name,
        content_type="",
        file=received,
        comment_id=comment_id,
    )


def busy_project(session: Session) -> dict[str, UserPublic]:
    """HH with two tickets worked on: replies, an internal note with a file, a mention, moves, an assignee."""
    project = make_project(session, "HH", name="Koala help")
    client = make_user(session, "client", email="kim@client.example", name="Kim Client")
    agent = make_user(session, "agent", email="ana@desk.example", name="Ana Agent")
    other = make_user(session, "agent", email="bo@desk.example", name="Bo Agent")
    for user, role in ((client, "client"), (agent, "agent"), (other, "agent")):
        add_member(session, project.id, user, role)
    first = file_ticket(session, client, title="Koala app crashes on start")
    second = file_ticket(session, client, title="Koala export is slow")
    attach(session, client, first, "crash.png", PNG)
    question = comments.add_comment(session=session, actor=agent, number=first, body_html="<p>Which version?</p>")
    comments.add_comment(
        session=session, actor=client, number=first, body_html="<p>Version 2.1</p>", parent_id=question.id
    )
    note = comments.add_comment(
        session=session,
        actor=agent,
        number=first,
        body_html=f"<p>Looks like the cache, {mention(other)}</p>",
        internal=True,
    )
    attach(session, agent, first, "trace.txt", b"Traceback: koala\n", comment_id=note.id)
    attach(session, agent, second, "same-picture.png", PNG)  # the same bytes: stored once in the archive
    ticket_detail.assign(session=session, actor=agent, number=first, assignee_id=other.id)
    workflow.move(session=session, actor=agent, number=first, to_status="triaged")
    workflow.move(session=session, actor=other, number=first, to_status="in_progress")
    session.flush()
    return {"client": client, "agent": agent, "other": other}


def export_bytes(session: Session, key: str = "HH", **options) -> bytes:
    out = io.BytesIO()
    write_archive(session=session, actor=SYSTEM, project_key=key, out=out, **options)
    return out.getvalue()


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        return {name: zipped.read(name) for name in zipped.namelist()}


def lines(data: bytes, name: str) -> list[dict]:
    return [json.loads(line) for line in entries(data)[name].splitlines()]


def test_export_then_import_into_a_fresh_database_exports_the_same_archive(session, engine, data_dir):
    data_dir("before")
    busy_project(session)
    session.commit()
    first_export = export_bytes(session)
    session.close()

    _empty_all_tables(engine)
    data_dir("after")  # no attachment file of the old installation is there
    with Session(engine, expire_on_commit=False) as fresh:
        summary = read_archive(session=fresh, actor=SYSTEM, source=io.BytesIO(first_export))
        fresh.commit()
        assert (summary.project_key, summary.created_project, summary.tickets) == ("HH", True, 2)
        assert summary.users_created == 3
        assert export_bytes(fresh) == first_export


def test_the_archive_holds_tickets_with_history_comments_notes_activity_files_and_people(session, data_dir):
    data_dir("one")
    busy_project(session)
    data = export_bytes(session)
    names = list(entries(data))

    stored = sorted("files/" + hashlib.sha256(content).hexdigest() for content in (PNG, b"Traceback: koala\n"))
    assert names == [
        "tickets.jsonl",
        "comments.jsonl",
        "activity.jsonl",
        "attachments.jsonl",
        *stored,
        "users.jsonl",
        "project.yaml",
        "manifest.json",
    ]
    first, second = lines(data, "tickets.jsonl")
    assert (first["number"], second["number"]) == ("HH-1", "HH-2")
    assert first["reporter"] == "kim@client.example" and first["assignee"] == "bo@desk.example"
    assert [(step["from"], step["to"], step["by"]) for step in first["status_history"]] == [
        ("new", "triaged", "ana@desk.example"),
        ("triaged", "in_progress", "bo@desk.example"),
    ]
    notes = lines(data, "comments.jsonl")
    assert [(c["ref"], c["reply_to"], c["author"], c["internal"]) for c in notes] == [
        ("c1", None, "ana@desk.example", False),
        ("c2", "c1", "kim@client.example", False),
        ("c3", None, "ana@desk.example", True),
    ]
    assert notes[2]["mentions"] == ["bo@desk.example"]
    assert 'data-email="bo@desk.example"' in notes[2]["body_html"] and "data-id" not in notes[2]["body_html"]
    files = lines(data, "attachments.jsonl")
    assert [(f["ticket"], f["ref"], f["comment"], f["name"]) for f in files] == [
        ("HH-1", "a1", None, "crash.png"),
        ("HH-1", "a2", "c3", "trace.txt"),
        ("HH-2", "a1", None, "same-picture.png"),
    ]
    assert entries(data)[f"files/{files[0]['sha256']}"] == PNG
    assigned = next(e for e in lines(data, "activity.jsonl") if e["action"] == "assigned")
    assert assigned["after"]["assignee"] == {"email": "bo@desk.example", "name": "Bo Agent"}
    note_added = [e for e in lines(data, "activity.jsonl") if e["action"] == "comment_added"][2]
    assert note_added["after"] == {"comment_id": "c3", "internal": True}
    users = lines(data, "users.jsonl")
    assert [(u["email"], u["project_role"]) for u in users] == [
        ("ana@desk.example", "agent"),
        ("bo@desk.example", "agent"),
        ("kim@client.example", "client"),
    ]
    manifest = json.loads(entries(data)["manifest.json"])
    assert manifest["format"] == "tickit-project-archive" and manifest["version"] == 1
    assert manifest["counts"] == {
        "tickets": 2,
        "comments": 3,
        "activity": len(lines(data, "activity.jsonl")),
        "attachments": 3,
        "users": 3,
    }
    assert "id" not in first and all("id" not in c for c in notes)


def test_the_zip_has_fixed_timestamps_so_two_exports_are_identical(session, data_dir):
    data_dir("one")
    busy_project(session)
    data = export_bytes(session)
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        assert {info.date_time for info in zipped.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert export_bytes(session) == data


def test_restored_tickets_keep_numbers_authors_timestamps_and_files(session, engine, data_dir):
    data_dir("before")
    people = busy_project(session)
    session.commit()
    original = session.exec(select(Ticket).where(Ticket.number == 1)).one()
    data = export_bytes(session)
    session.close()

    _empty_all_tables(engine)
    data_dir("after")
    with Session(engine, expire_on_commit=False) as fresh:
        read_archive(session=fresh, actor=SYSTEM, source=io.BytesIO(data), project_key="ZOO")
        fresh.commit()
        restored = fresh.exec(select(Ticket).where(Ticket.number == 1)).one()
        assert (restored.title, restored.created_at, restored.updated_at) == (
            original.title,
            original.created_at,
            original.updated_at,
        )
        note = fresh.exec(select(Comment).where(Comment.is_internal == True)).one()  # noqa: E712
        author = fresh.get(User, note.author_id)
        assert author.email == people["agent"].email and author.password_hash is None
        trace = fresh.exec(select(Attachment).where(Attachment.original_name == "trace.txt")).one()
        assert trace.comment_id == note.id
        assert attachments.stored_path(trace.storage_key).read_bytes() == b"Traceback: koala\n"
        assert fresh.exec(select(Project).where(Project.key == "ZOO")).one().last_ticket_number == 2
        # The next ticket filed continues the numbering.
        client = UserPublic.of(fresh.exec(select(User).where(User.email == "kim@client.example")).one())
        assert file_ticket(fresh, client, project_key="ZOO") == "ZOO-3"


def test_since_exports_only_tickets_changed_since_then(session, data_dir):
    data_dir("one")
    busy_project(session)
    quiet = session.exec(select(Ticket).where(Ticket.number == 2)).one()
    quiet.updated_at = utcnow() - timedelta(days=30)
    session.add(quiet)
    session.flush()
    data = export_bytes(session, since=utcnow() - timedelta(days=1))
    assert [t["number"] for t in lines(data, "tickets.jsonl")] == ["HH-1"]
    assert {f["ticket"] for f in lines(data, "attachments.jsonl")} == {"HH-1"}
    assert json.loads(entries(data)["manifest.json"])["since"] is not None


def test_an_import_into_a_project_that_holds_tickets_is_refused_and_changes_nothing(session, data_dir):
    data_dir("one")
    busy_project(session)
    data = export_bytes(session)
    before = len(session.exec(select(ActivityEntry)).all())
    with pytest.raises(
        ArchiveError, match="project HH already holds 2 tickets; an archive is restored only into an empty"
    ):
        read_archive(session=session, actor=SYSTEM, source=io.BytesIO(data))
    assert len(session.exec(select(ActivityEntry)).all()) == before


def test_an_import_into_an_existing_empty_project_uses_it(session, engine, data_dir):
    data_dir("before")
    busy_project(session)
    session.commit()
    data = export_bytes(session)
    session.close()
    _empty_all_tables(engine)
    data_dir("after")
    with Session(engine, expire_on_commit=False) as fresh:
        make_project(fresh, "HH", name="Already here")
        summary = read_archive(session=fresh, actor=SYSTEM, source=io.BytesIO(data))
        assert (summary.created_project, summary.tickets) == (False, 2)


def test_a_ticket_filed_by_an_app_keeps_naming_the_app_whose_client_is_restored_revoked(session, engine, data_dir):
    data_dir("before")
    make_project(session, "HH")
    created = make_api_client(session, "HH", name="Koala shop")
    filed = tickets.file_ticket(
        session=session,
        actor=created.client,
        source="api",
        project_key="HH",
        type_key="question",
        title="Koala order missing",
        description="",
        reporter_id=None,
        field_values={"topic": "how_to"},
    )
    assert filed.reference == "HH-1"
    session.commit()
    data = export_bytes(session)
    assert lines(data, "tickets.jsonl")[0]["api_client"] == "Koala shop"
    session.close()
    _empty_all_tables(engine)
    with Session(engine, expire_on_commit=False) as fresh:
        read_archive(session=fresh, actor=SYSTEM, source=io.BytesIO(data))
        assert export_bytes(fresh) == data


def test_a_damaged_archive_is_refused_naming_what_is_wrong(session, data_dir):
    data_dir("one")
    busy_project(session)
    data = entries(export_bytes(session))

    def rebuilt(**changes: bytes | None) -> io.BytesIO:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as zipped:
            for name, content in {**data, **changes}.items():
                if content is not None:
                    zipped.writestr(name, content)
        out.seek(0)
        return out

    cases = [
        (io.BytesIO(b"not a zip"), "not a zip archive"),
        (rebuilt(**{"manifest.json": None}), "not a TickIt project archive: it has no manifest.json"),
        (rebuilt(**{"manifest.json": b'{"format": "tickit-project-archive", "version": 9}'}), "format version 9"),
        (rebuilt(**{"tickets.jsonl": b'{"number": "HH-1"}\n'}), "tickets.jsonl line 1: type is missing"),
        (rebuilt(**{"comments.jsonl": b"{oops\n"}), "comments.jsonl line 1: malformed record"),
        (
            rebuilt(**{"users.jsonl": b'{"email": "x@y.example", "name": "X", "role": "boss", "active": true}\n'}),
            "users.jsonl line 1: role 'boss' is none of client, agent, admin",
        ),
    ]
    for index, (source, message) in enumerate(cases):
        with pytest.raises(ArchiveError, match=message):
            read_archive(session=session, actor=SYSTEM, source=source, project_key=f"NEW{index}")


def test_only_admins_export_and_import(session, data_dir):
    data_dir("one")
    people = busy_project(session)
    with pytest.raises(PermissionDenied):
        write_archive(session=session, actor=people["agent"], project_key="HH", out=io.BytesIO())
    with pytest.raises(PermissionDenied):
        read_archive(session=session, actor=people["agent"], source=io.BytesIO(b""))


def test_export_and_import_are_audited(session, engine, data_dir):
    data_dir("one")
    busy_project(session)
    out = io.BytesIO()
    summary = write_archive(session=session, actor=SYSTEM, project_key="HH", out=out)
    record_export(session, actor=SYSTEM, summary=summary)
    data = out.getvalue()
    read_archive(session=session, actor=SYSTEM, source=io.BytesIO(data), project_key="COPY")
    session.flush()
    logged = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    # The import's settings (intake, lifecycle…) are audited too, as every settings change is.
    assert [(row.action, row.target) for row in logged if row.action.startswith("project.")][-2:] == [
        (audit.PROJECT_EXPORTED, "HH"),
        (audit.PROJECT_IMPORTED, "COPY"),
    ]


def test_refs_and_emails_stand_in_for_ids_in_activity(session):
    swapped = archive.activity_data_out(
        {"comment_id": 7, "attachment_id": 9, "assignee": {"id": 3, "name": "Bo"}, "other": None},
        comment={7: "c2"}.get,
        attachment={9: "a1"}.get,
        email={3: "bo@desk.example"}.get,
    )
    assert swapped == {
        "comment_id": "c2",
        "attachment_id": "a1",
        "assignee": {"email": "bo@desk.example", "name": "Bo"},
        "other": None,
    }
    assert archive.activity_data_in(
        swapped, comment={"c2": 70}.get, attachment={"a1": 90}.get, user_id={"bo@desk.example": 30}.get
    ) == {"comment_id": 70, "attachment_id": 90, "assignee": {"id": 30, "name": "Bo"}, "other": None}
