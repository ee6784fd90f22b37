"""Files chosen on a new-ticket form: kept aside with a token, then recorded in the filing's own transaction."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import func, select

from tests.factories import add_member, file_ticket, make_project, make_user
from tests.services.test_attachments import LIMIT, PNG, data_dir, stored_files  # noqa: F401
from tickit import config
from tickit.models import ActivityEntry, Attachment, Ticket
from tickit.services import attachments, staged_uploads
from tickit.services.errors import RateLimited, ValidationFailed


@pytest.fixture
def desk(session, data_dir):  # noqa: F811
    hh = make_project(session, "HH")
    client, other_client, agent = (
        make_user(session, "client"),
        make_user(session, "client"),
        make_user(session, "agent"),
    )
    for user, role in ((client, "client"), (other_client, "client"), (agent, "agent")):
        add_member(session, hh.id, user, role)
    return {"client": client, "other_client": other_client, "agent": agent}


def stage(session, actor, *files: tuple[str, bytes, str]) -> list[staged_uploads.StagedFile]:
    arrived = [
        staged_uploads.Arrived(file=attachments.receive_file([data]), filename=name, content_type=content_type)
        for name, data, content_type in files
    ]
    return staged_uploads.stage(session=session, actor=actor, arrived=arrived)


def file_with(session, actor, staged, title="Printer on fire") -> str:
    """What the new-ticket form does: file, then attach the chosen files, in one transaction."""
    number = file_ticket(session, actor, title=title)
    staged_uploads.attach(session=session, actor=actor, number=number, tokens=[s.token for s in staged])
    return number


def ticket_count(session) -> int:
    return session.exec(select(func.count()).select_from(Ticket)).one()


def test_chosen_files_are_on_the_new_ticket_with_an_activity_entry_each(session, desk):
    staged = stage(session, desk["client"], ("screen.png", PNG, "image/png"), ("log.txt", b"boom", "text/plain"))
    assert [(s.name, s.size_label) for s in staged] == [("screen.png", "72 bytes"), ("log.txt", "4 bytes")]

    number = file_with(session, desk["client"], staged)

    for viewer in (desk["client"], desk["agent"]):
        files = attachments.list_for_ticket(session=session, actor=viewer, number=number)
        assert [(f.name, f.is_image, f.comment_id) for f in files] == [
            ("screen.png", True, None),
            ("log.txt", False, None),
        ]
    logged = session.exec(select(ActivityEntry).where(ActivityEntry.action == "attachment_added")).all()
    assert sorted(entry.after["name"] for entry in logged) == ["log.txt", "screen.png"]


def test_staff_filing_for_a_client_attach_the_files_they_chose(session, desk):
    staged = stage(session, desk["agent"], ("contract.pdf", b"%PDF-1.7", "application/pdf"))
    number = file_with(session, desk["agent"], staged)
    [file] = attachments.list_for_ticket(session=session, actor=desk["agent"], number=number)
    assert (file.name, file.uploaded_by_id) == ("contract.pdf", desk["agent"].id)


def test_a_file_the_ticket_has_no_room_for_files_no_ticket_and_keeps_no_file(session, desk, data_dir, monkeypatch):  # noqa: F811
    monkeypatch.setenv("TICKIT_UPLOAD_QUOTA_TICKET_MB", "1")
    config.get_settings.cache_clear()
    staged = stage(
        session, desk["client"], ("a.bin", b"a" * (LIMIT // 2 + 1), ""), ("b.bin", b"b" * (LIMIT // 2 + 1), "")
    )
    session.commit()
    before = ticket_count(session)

    with pytest.raises(ValidationFailed) as refused:
        file_with(session, desk["client"], staged)
    session.rollback()

    assert (
        "b.bin" in refused.value.errors["attachments"]
        and "choose the files again" in refused.value.errors["attachments"]
    )
    assert ticket_count(session) == before
    assert stored_files(data_dir) == []


def test_a_refused_filing_keeps_the_chosen_files_for_the_next_try(session, desk):
    staged = stage(session, desk["client"], ("log.txt", b"boom", "text/plain"))
    session.commit()
    with pytest.raises(ValidationFailed):
        file_ticket(session, desk["client"], title="")  # the form refuses: no title
    session.rollback()

    number = file_with(session, desk["client"], staged)
    assert [f.name for f in attachments.list_for_ticket(session=session, actor=desk["client"], number=number)] == [
        "log.txt"
    ]


def test_a_token_is_good_for_its_stager_only(session, desk):
    staged = stage(session, desk["client"], ("log.txt", b"boom", "text/plain"))
    number = file_ticket(session, desk["other_client"])
    with pytest.raises(ValidationFailed) as refused:
        staged_uploads.attach(session=session, actor=desk["other_client"], number=number, tokens=[staged[0].token])
    assert "not one this form was given" in refused.value.errors["attachments"]


@pytest.mark.parametrize("forge", ["swap the name", "drop the signature", "not a token"])
def test_an_altered_or_made_up_token_is_refused(session, desk, forge):
    [staged] = stage(session, desk["client"], ("log.txt", b"boom", "text/plain"))
    other = stage(session, desk["client"], ("evil.html", b"<script>", "text/html"))[0]
    body, mac = staged.token.split(".")
    token = {
        "swap the name": f"{other.token.split('.')[0]}.{mac}",
        "drop the signature": body,
        "not a token": "../../etc/passwd",
    }[forge]
    number = file_ticket(session, desk["client"])
    with pytest.raises(ValidationFailed):
        staged_uploads.attach(session=session, actor=desk["client"], number=number, tokens=[token])
    assert session.exec(select(func.count()).select_from(Attachment)).one() == 0


def test_a_file_goes_onto_one_ticket_only(session, desk):
    staged = stage(session, desk["client"], ("log.txt", b"boom", "text/plain"))
    file_with(session, desk["client"], staged)
    with pytest.raises(ValidationFailed) as refused:
        file_with(session, desk["client"], staged, title="Again")
    assert "log.txt is no longer waiting" in refused.value.errors["attachments"]


def test_a_file_left_waiting_too_long_is_refused(session, desk, monkeypatch):
    staged = stage(session, desk["client"], ("log.txt", b"boom", "text/plain"))
    later = staged_uploads.time.time() + staged_uploads.STAGED_FOR.total_seconds() + 1
    monkeypatch.setattr(staged_uploads.time, "time", lambda: later)
    with pytest.raises(ValidationFailed) as refused:
        file_with(session, desk["client"], staged)
    assert "waited too long" in refused.value.errors["attachments"]


def test_a_swept_file_is_refused(session, desk, data_dir):  # noqa: F811
    staged = stage(session, desk["client"], ("log.txt", b"boom", "text/plain"))
    for path in stored_files(data_dir):
        Path(path).unlink()
    with pytest.raises(ValidationFailed) as refused:
        file_with(session, desk["client"], staged)
    assert "no longer waiting" in refused.value.errors["attachments"]


def test_staging_counts_against_the_hourly_file_rate_once(session, desk, monkeypatch):
    monkeypatch.setenv("TICKIT_UPLOAD_RATE_PER_HOUR", "2")
    config.get_settings.cache_clear()
    staged = stage(session, desk["client"], ("a.txt", b"a", "text/plain"), ("b.txt", b"b", "text/plain"))
    with pytest.raises(RateLimited):
        stage(session, desk["client"], ("c.txt", b"c", "text/plain"))
    with pytest.raises(RateLimited):
        attachments.check_room(session=session, actor=desk["client"])

    number = file_with(session, desk["client"], staged)  # counted when they arrived, not again
    assert len(attachments.list_for_ticket(session=session, actor=desk["client"], number=number)) == 2


def test_staging_refuses_files_past_the_uploaders_quota(session, desk, monkeypatch):
    monkeypatch.setenv("TICKIT_UPLOAD_QUOTA_USER_MB", "1")
    config.get_settings.cache_clear()
    with pytest.raises(attachments.QuotaExceeded) as refused:
        stage(session, desk["client"], ("a.bin", b"a" * (LIMIT // 2 + 1), ""), ("b.bin", b"b" * (LIMIT // 2 + 1), ""))
    assert str(refused.value).startswith("b.bin (")
