"""Attachment routes over HTTP: uploads behind the session cookie, downloads that check who asks."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from tests.factories import add_member, file_ticket, make_project, make_user
from tickit.api import create_app
from tickit.api.attachments import content_disposition
from tickit.models import ActivityEntry, Attachment, Comment
from tickit.services import auth
from tickit.services.access import ticket_for

LIMIT = 1024 * 1024  # TICKIT_UPLOAD_LIMIT_MB=1
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(200))
# What TickIt's own upload sends: the page's origin (APP_URL's default here) and the TickIt header.
CSRF = {"X-Requested-With": "TickIt", "Origin": "http://localhost:3000"}


@dataclass
class Desk:
    number: str  # HH-1, filed by the client
    other_number: str  # HH-2, filed by the other client
    client: dict[str, str]  # request headers carrying each one's session cookie
    other_client: dict[str, str]
    agent: dict[str, str]


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def http(engine, monkeypatch, fresh_settings, data_dir) -> Iterator[TestClient]:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("TICKIT_DATA_DIR", str(data_dir))
    monkeypatch.setenv("TICKIT_UPLOAD_LIMIT_MB", "1")
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def desk(engine, http) -> Desk:
    """Two clients' tickets in HH and an agent of HH, each signed in; committed for the app to see."""
    with Session(engine, expire_on_commit=False) as session:
        hh = make_project(session, "HH")
        client, other_client, agent = (
            make_user(session, "client"),
            make_user(session, "client"),
            make_user(session, "agent"),
        )
        for user, role in ((client, "client"), (other_client, "client"), (agent, "agent")):
            add_member(session, hh.id, user, role)
        desk = Desk(
            number=file_ticket(session, client),
            other_number=file_ticket(session, other_client),
            client=signed_in(session, client.id),
            other_client=signed_in(session, other_client.id),
            agent=signed_in(session, agent.id),
        )
        session.commit()
    return desk


def signed_in(session: Session, user_id: int) -> dict[str, str]:
    token = auth.start_session(session=session, user_id=user_id)
    return {"Cookie": f"{auth.SESSION_COOKIE}={token}"}


def upload(http, who: dict[str, str], number: str, *files, **params):
    parts = [("files", file) for file in files]
    return http.post("/attachments/upload", params={"ticket": number, **params}, files=parts, headers={**who, **CSRF})


def stored_files(data_dir: Path) -> list[Path]:
    root = data_dir / "attachments"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def count(engine, model) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_several_files_upload_at_once_and_download_unchanged(http, desk, engine):
    report = bytes(range(256)) * 1000
    response = upload(
        http, desk.client, desk.number, ("report.bin", report, "application/x-report"), ("shot.png", PNG, "image/png")
    )
    assert response.status_code == 201, response.text
    first, second = response.json()
    assert (first["name"], first["size"], first["is_image"]) == ("report.bin", len(report), False)
    assert (second["name"], second["content_type"], second["is_image"]) == ("shot.png", "image/png", True)
    assert second["thumbnail_url"] == f"/attachments/{second['id']}/thumbnail"
    assert count(engine, ActivityEntry) >= 2

    got = http.get(first["download_url"], headers=desk.client)
    assert got.status_code == 200
    assert got.content == report and hashlib.sha256(got.content).hexdigest() == _sha(engine, first["id"])
    assert got.headers["content-type"] == "application/x-report"
    assert got.headers["content-disposition"] == "attachment; filename=\"report.bin\"; filename*=UTF-8''report.bin"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["cache-control"] == "private, no-store"

    thumb = http.get(second["thumbnail_url"], headers=desk.agent)
    assert thumb.status_code == 200 and thumb.content == PNG
    assert thumb.headers["content-type"] == "image/png"
    assert thumb.headers["content-security-policy"].startswith("default-src 'none'")
    assert thumb.headers["x-content-type-options"] == "nosniff"
    assert http.get(f"/attachments/{first['id']}/thumbnail", headers=desk.client).status_code == 404


def test_another_clients_attachment_url_is_404_like_a_missing_one(http, desk):
    theirs = upload(http, desk.other_client, desk.other_number, ("private.txt", b"mine", "text/plain")).json()[0]
    hidden = http.get(theirs["download_url"], headers=desk.client)
    missing = http.get("/attachments/999999/download", headers=desk.client)
    garbage = http.get("/attachments/abc/download", headers=desk.client)
    assert hidden.status_code == missing.status_code == garbage.status_code == 404
    assert hidden.content == missing.content == garbage.content
    assert http.get(f"/attachments/{theirs['id']}/thumbnail", headers=desk.client).status_code == 404
    assert http.get(theirs["download_url"], headers=desk.agent).content == b"mine"


def test_uploading_to_a_ticket_one_may_not_see_is_404_and_stores_nothing(http, desk, data_dir):
    response = upload(http, desk.client, desk.other_number, ("x.txt", b"x", "text/plain"))
    assert response.status_code == 404
    assert upload(http, desk.client, "NOPE-1", ("x.txt", b"x", "text/plain")).json() == response.json()
    assert stored_files(data_dir) == []


def test_without_a_session_the_routes_answer_401(http, desk):
    response = http.post(
        "/attachments/upload", params={"ticket": desk.number}, files=[("files", ("a.txt", b"a"))], headers=CSRF
    )
    assert response.status_code == 401
    mine = upload(http, desk.client, desk.number, ("a.txt", b"a", "text/plain")).json()[0]
    assert http.get(mine["download_url"]).status_code == 401
    assert http.get(mine["download_url"], headers={"Cookie": f"{auth.SESSION_COOKIE}=forged"}).status_code == 401


def test_an_upload_without_the_tickit_header_is_refused(http, desk, data_dir):
    response = http.post(
        "/attachments/upload",
        params={"ticket": desk.number},
        files=[("files", ("a.txt", b"a"))],
        headers={**desk.client, "Origin": CSRF["Origin"]},
    )
    assert response.status_code == 403 and "X-Requested-With" in response.json()["detail"]
    assert stored_files(data_dir) == []


def test_an_html_file_is_served_as_octet_stream(http, desk):
    page = b"<html><script>alert(document.cookie)</script></html>"
    view = upload(http, desk.client, desk.number, ("page.html", page, "text/html")).json()[0]
    assert view["content_type"] == "text/html"
    got = http.get(view["download_url"], headers=desk.client)
    assert got.content == page
    assert got.headers["content-type"] == "application/octet-stream"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["x-content-type-options"] == "nosniff"


def test_a_non_ascii_name_gets_an_ascii_fallback_and_an_encoded_name(http, desk):
    view = upload(http, desk.client, desk.number, ("Über Plan 100%.pdf", b"%PDF-1.4", "application/pdf")).json()[0]
    got = http.get(view["download_url"], headers=desk.client)
    assert got.headers["content-disposition"] == (
        "attachment; filename=\"Uber Plan 100_.pdf\"; filename*=UTF-8''%C3%9Cber%20Plan%20100%25.pdf"
    )


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ('say "hi".txt', "attachment; filename=\"say _hi_.txt\"; filename*=UTF-8''say%20%22hi%22.txt"),
        ("写真.png", "attachment; filename=\"download.png\"; filename*=UTF-8''%E5%86%99%E7%9C%9F.png"),
        ("写真", "attachment; filename=\"download\"; filename*=UTF-8''%E5%86%99%E7%9C%9F"),
        (".env", "attachment; filename=\".env\"; filename*=UTF-8''.env"),
        ("a;b=c.txt", "attachment; filename=\"a;b=c.txt\"; filename*=UTF-8''a%3Bb%3Dc.txt"),
    ],
)
def test_content_disposition_quotes_any_name_safely(name, header):
    assert content_disposition("attachment", name) == header


def test_a_too_large_file_gets_413_and_nothing_is_stored(http, desk, engine, data_dir):
    response = upload(
        http,
        desk.client,
        desk.number,
        ("small.txt", b"fine", "text/plain"),
        ("big.bin", b"x" * (LIMIT + 1), "application/octet-stream"),
    )
    assert response.status_code == 413
    assert "1 MiB" in response.json()["detail"]
    assert count(engine, Attachment) == 0 and stored_files(data_dir) == []


def test_a_too_large_chunked_upload_is_stopped_while_it_arrives(http, desk, engine, data_dir):
    boundary = "tickitboundary"

    def body():
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="big.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        for _ in range(64):  # 4 MiB, far past the limit, in 64 KiB pieces
            yield b"x" * 65536
        yield f"\r\n--{boundary}--\r\n".encode()

    response = http.post(
        "/attachments/upload",
        params={"ticket": desk.number},
        content=body(),
        headers={**desk.client, **CSRF, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 413
    assert response.json()["detail"] == "Each file may be at most 1 MiB."
    assert count(engine, Attachment) == 0 and stored_files(data_dir) == []


def test_a_body_larger_than_any_upload_is_refused_by_its_length(http, desk, data_dir):
    response = upload(http, desk.client, desk.number, ("huge.bin", b"x" * (11 * LIMIT), "application/octet-stream"))
    assert response.status_code == 413 and "at most 10 files" in response.json()["detail"]
    assert stored_files(data_dir) == []


def test_files_go_onto_a_comment_the_uploader_wrote(http, desk, engine):
    comment_id = add_comment(engine, desk.client, desk.number)
    response = upload(http, desk.client, desk.number, ("a.txt", b"a", "text/plain"), comment=str(comment_id))
    assert response.status_code == 201 and response.json()[0]["comment_id"] == comment_id
    assert upload(http, desk.client, desk.number, ("a.txt", b"a", "text/plain"), comment="junk").status_code == 404


def test_a_client_reaches_no_file_of_an_internal_note_by_any_route(http, desk, engine, data_dir):
    note = add_comment(engine, desk.agent, desk.number, internal=True)
    files = upload(
        http,
        desk.agent,
        desk.number,
        ("plan.txt", b"for agents", "text/plain"),
        ("shot.png", PNG, "image/png"),
        comment=str(note),
    ).json()
    text, picture = files
    missing = http.get("/attachments/999999/download", headers=desk.client)
    for url in (text["download_url"], picture["download_url"], picture["thumbnail_url"]):
        refused = http.get(url, headers=desk.client)
        assert (refused.status_code, refused.content) == (404, missing.content)
        assert http.get(url, headers=desk.agent).status_code == 200
    stored = len(stored_files(data_dir))
    onto_note = upload(http, desk.client, desk.number, ("x.txt", b"x", "text/plain"), comment=str(note))
    assert onto_note.status_code == 404 and onto_note.json() == {"detail": "Not found."}
    assert len(stored_files(data_dir)) == stored


def add_comment(engine, who: dict[str, str], number: str, *, internal: bool = False) -> int:
    with Session(engine, expire_on_commit=False) as session:
        author = auth.resolve_session(session=session, token=who["Cookie"].split("=", 1)[1])
        ticket = ticket_for(session, author, number)
        comment = Comment(
            ticket_id=ticket.id, author_id=author.id, body_html="<p>x</p>", body_text="x", is_internal=internal
        )
        session.add(comment)
        session.commit()
        return comment.id


def _sha(engine, attachment_id: int) -> str:
    with Session(engine) as session:
        return session.get(Attachment, attachment_id).sha256


# --- files chosen on a new-ticket form (/attachments/stage) -----------------------------------


def stage(http, who: dict[str, str], *files, headers=CSRF):
    return http.post("/attachments/stage", files=[("files", file) for file in files], headers={**who, **headers})


def test_files_for_a_new_ticket_are_kept_unrecorded_with_a_token_each(http, desk, engine, data_dir):
    response = stage(http, desk.client, ("shot.png", PNG, "image/png"), ("log.txt", b"boom", "text/plain"))

    assert response.status_code == 201, response.text
    assert [(f["name"], f["size"]) for f in response.json()] == [("shot.png", len(PNG)), ("log.txt", 4)]
    assert all(f["token"] for f in response.json())
    assert count(engine, Attachment) == 0 and len(stored_files(data_dir)) == 2


def test_staging_needs_a_session_and_the_tickit_header_and_refuses_a_file_too_large(http, desk, engine, data_dir):
    assert stage(http, {}, ("a.txt", b"a", "text/plain")).status_code == 401
    refused = stage(http, desk.client, ("a.txt", b"a", "text/plain"), headers={"Origin": CSRF["Origin"]})
    assert refused.status_code == 403
    too_large = stage(http, desk.client, ("ok.txt", b"ok", "text/plain"), ("big.bin", b"x" * (LIMIT + 1), ""))
    assert too_large.status_code == 413 and "1 MiB" in too_large.json()["detail"]
    assert stored_files(data_dir) == []
