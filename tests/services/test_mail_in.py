"""Inbound mail as a mailbox receives it: each channel calls `mail_in.receive` with the raw bytes.

Every rule of issue 18's point 6 that is not about a channel: new tickets with files, threading
by reply address, In-Reply-To and subject tag (and refusing a stranger), duplicates, auto-replies,
bounces, TickIt's own mail, sanitising and quote stripping. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import email
from datetime import timedelta
from email import policy
from functools import partial
from pathlib import Path

import pytest
from sqlmodel import Session, select

from tests.factories import add_member, make_project, make_user
from tickit.db import session_scope
from tickit.models import (
    ActivityEntry,
    Attachment,
    Comment,
    InboundMessage,
    OutboxMessage,
    ProjectMember,
    Ticket,
    TicketStatus,
    User,
    utcnow,
)
from tickit.services import (
    attachments,
    mail,
    mail_ids,
    mail_in,
    mailboxes,
    merges,
    outbox,
    reply_address,
    ticket_detail,
    workflow,
)
from tickit.services.actors import SYSTEM, UserPublic
from tickit.services.errors import NotFound

FIXTURES = Path(__file__).parent.parent / "fixtures" / "mail"


def fixture(name: str, **fill: str) -> bytes:
    text = (FIXTURES / name).read_text()
    for key, value in fill.items():
        text = text.replace("{" + key + "}", value)
    return text.replace("\n", "\r\n").encode()


@pytest.fixture
def desk(engine, settings_env):
    """HH with a support mailbox, an agent, and the project's acknowledgements on."""
    with Session(engine, expire_on_commit=False) as session:
        project = make_project(session, "HH")
        agent = make_user(session, "agent", name="Agnes Agent", email="agnes@help.example.com")
        add_member(session, project.id, agent, "agent")
        mailboxes.add_mailbox(
            session=session, actor=SYSTEM, project_key="HH", key="support", address="support@help.example.com"
        )
        session.commit()
    return agent


def receive(engine, raw: bytes) -> mail_in.Received:
    return mail_in.receive(unit_of_work=partial(session_scope, engine), mailbox_key="support", raw=raw, channel="pipe")


def one(engine, model, *where):
    with Session(engine) as session:
        return session.exec(select(model).where(*where)).all()


def grace(engine) -> UserPublic:
    with Session(engine) as session:
        return UserPublic.of(session.exec(select(User).where(User.email == "grace@example.org")).one())


def reply(engine, **fill: str) -> mail_in.Received:
    fill.setdefault("to", "support@help.example.com")
    fill.setdefault("subject", "Re: Printer on fire")
    fill.setdefault("extra", "")
    return receive(engine, fixture("reply_quoted.eml", **fill))


def test_a_new_mail_files_a_ticket_by_its_sender_with_its_attachment_and_inline_image(engine, desk):
    result = receive(engine, fixture("new_with_files.eml"))

    assert (result.outcome, result.ticket) == ("new_ticket", "HH-1")
    [ticket] = one(engine, Ticket)
    assert ticket.title == "Printer on fire"
    assert ticket.source == "email"
    assert "<strong>on fire</strong>" in ticket.description_html
    assert ticket.description.startswith("The printer on floor 2 is on fire.")
    requester = grace(engine)
    assert (requester.name, requester.role, ticket.reporter_id) == ("Grace Hopper", "client", requester.id)
    assert one(engine, ProjectMember, ProjectMember.user_id == requester.id)[0].role == "client"
    files = sorted((a.original_name, a.content_type) for a in one(engine, Attachment))
    assert files == [("inline-image.png", "image/png"), ("printer.log", "text/plain")]
    with Session(engine) as session:
        shown = attachments.list_for_ticket(session=session, actor=requester, number="HH-1")
    assert {a.name for a in shown} == {"inline-image.png", "printer.log"}
    assert [m.event for m in one(engine, OutboxMessage) if m.event == "ticket_created"] == ["ticket_created"]


def test_the_requester_gets_the_acknowledgement_with_a_signed_reply_address_and_no_loop(engine, desk, settings_env):
    receive(engine, fixture("new_with_files.eml"))
    fan_out(engine)
    [ack] = [m for m in one(engine, OutboxMessage) if m.event == "acknowledgement"]
    assert outbox.deliver(ack.id, engine=engine) == "delivered"

    [written] = (Path(settings_env_dir()) / "mail").glob("*.eml")
    sent = email.message_from_bytes(written.read_bytes(), policy=policy.default)
    assert sent["To"] == "grace@example.org"
    assert sent["Reply-To"] == reply_address.reply_address("support@help.example.com", "HH-1")
    assert sent["Reply-To"].startswith("support+HH-1.")
    assert sent["Auto-Submitted"] == "auto-generated"
    assert sent[reply_address.LOOP_HEADER] == reply_address.loop_mark()
    assert "Reply to this mail" in sent.get_body(("plain",)).get_content()


def test_while_the_mailbox_is_disabled_mail_about_its_tickets_offers_no_reply_address(engine, desk, settings_env):
    receive(engine, fixture("new_with_files.eml"))
    fan_out(engine)
    with Session(engine) as session:
        mailboxes.update_mailbox(
            session=session, actor=SYSTEM, project_key="HH", mailbox_key="support", changes={"enabled": False}
        )
        session.commit()
    [ack] = [m for m in one(engine, OutboxMessage) if m.event == "acknowledgement"]
    assert outbox.deliver(ack.id, engine=engine) == "delivered"

    [written] = (Path(settings_env_dir()) / "mail").glob("*.eml")
    sent = email.message_from_bytes(written.read_bytes(), policy=policy.default)
    assert sent["To"] == "grace@example.org"
    assert sent["Reply-To"] is None  # a disabled mailbox takes no mail
    body = sent.get_body(("plain",)).get_content()
    assert "Reply to this mail" not in body and "reply or add files on its page" in body


def test_a_reply_to_the_signed_reply_address_becomes_the_requesters_public_comment(engine, desk):
    receive(engine, fixture("new_with_files.eml"))
    token_address = reply_address.reply_address("support@help.example.com", "HH-1")

    result = reply(engine, to=token_address, subject="Re: something else entirely", message_key="r1")

    assert (result.outcome, result.ticket) == ("threaded", "HH-1")
    assert "signed reply address" in result.detail
    [comment] = one(engine, Comment)
    assert comment.author_id == grace(engine).id and not comment.is_internal
    assert "fuser overheated" in comment.body_text
    assert len(one(engine, Ticket)) == 1


def test_a_reply_naming_an_acknowledgement_in_in_reply_to_threads_onto_its_ticket(engine, desk):
    receive(engine, fixture("new_with_files.eml"))
    fan_out(engine)
    [ack] = [m for m in one(engine, OutboxMessage) if m.event == "acknowledgement"]
    sent_id = mail_ids.outbox_message_id(ack.id, ack.created_at)

    result = reply(engine, subject="Re: fire", message_key="r2", extra=f"In-Reply-To: {sent_id}\r\n")

    assert (result.outcome, result.ticket) == ("threaded", "HH-1")
    assert "In-Reply-To" in result.detail


def test_a_reply_naming_the_requesters_own_first_mail_threads_onto_its_ticket(engine, desk):
    receive(engine, fixture("new_with_files.eml"))

    result = reply(
        engine, subject="more", message_key="r3", extra="References: <CAHx1-new-with-files@mail.example.org>\r\n"
    )

    assert (result.outcome, result.ticket) == ("threaded", "HH-1")


def test_the_subject_tag_threads_a_reply_from_the_requester(engine, desk):
    receive(engine, fixture("new_with_files.eml"))

    result = reply(engine, subject="Re: [HH-1] Printer on fire", message_key="r4")

    assert (result.outcome, result.ticket) == ("threaded", "HH-1")
    assert "subject tag" in result.detail


def test_a_reply_naming_a_merged_ticket_follows_the_merge(engine, desk):
    receive(engine, fixture("new_with_files.eml"))
    reply(engine, subject="Printer still on fire", message_key="second-ticket")  # names nothing: HH-2
    with session_scope(engine) as session:
        merges.merge(session=session, actor=desk, number="HH-2", into="HH-1")

    result = reply(engine, subject="Re: [HH-2] Printer still on fire", message_key="r-merged")

    assert (result.outcome, result.ticket) == ("threaded", "HH-1")
    assert len(one(engine, Ticket)) == 2


def test_the_subject_tag_from_a_stranger_opens_a_new_ticket_that_says_why(engine, desk):
    receive(engine, fixture("new_with_files.eml"))
    stranger = fixture(
        "reply_quoted.eml", to="support@help.example.com", subject="Re: [HH-1] x", message_key="s1", extra=""
    )
    stranger = stranger.replace(b"Grace Hopper <grace@example.org>", b"Eve <eve@example.net>")

    result = receive(engine, stranger)

    assert (result.outcome, result.ticket) == ("new_ticket", "HH-2")
    assert one(engine, Comment) == []
    [entry] = one(engine, ActivityEntry, ActivityEntry.action == "mail_not_threaded")
    assert "It names HH-1 (by the subject tag), but eve@example.net is not its requester" in entry.after["reason"]


def test_a_forged_reply_address_names_no_ticket(engine, desk):
    receive(engine, fixture("new_with_files.eml"))
    real = reply_address.reply_address("support@help.example.com", "HH-1")
    forged = real[: real.index(".") + 1] + "0" * 16 + real[real.index("@") :]
    stranger = fixture("reply_quoted.eml", to=forged, subject="hello", message_key="s2", extra="")
    stranger = stranger.replace(b"Grace Hopper <grace@example.org>", b"Eve <eve@example.net>")

    result = receive(engine, stranger)

    assert result.outcome == "new_ticket" and result.ticket == "HH-2"
    assert one(engine, ActivityEntry, ActivityEntry.action == "mail_not_threaded") == []


def test_a_staff_reply_by_mail_posts_as_that_agent_and_moves_the_ticket_by_the_reply_rule(engine, desk):
    receive(engine, fixture("new_with_files.eml"))
    staff = fixture("reply_quoted.eml", to="support@help.example.com", subject="Re: [HH-1]", message_key="a1", extra="")
    staff = staff.replace(b"Grace Hopper <grace@example.org>", b"Agnes <agnes@help.example.com>")

    result = receive(engine, staff)

    assert result.outcome == "threaded"
    [comment] = one(engine, Comment)
    assert comment.author_id == desk.id


def test_the_requesters_reply_reopens_a_solved_ticket(engine, desk):
    receive(engine, fixture("new_with_files.eml"))
    with Session(engine) as session:
        ticket = session.exec(select(Ticket)).one()
        solved = session.exec(
            select(TicketStatus).where(TicketStatus.type_id == ticket.type_id, TicketStatus.category == "done")
        ).first()
        current = session.get(TicketStatus, ticket.status_id)
        workflow.apply_status_change(
            session=session, actor=desk, ticket=ticket, current=current, target=solved, now=ticket.created_at
        )
        session.commit()

    reply(engine, subject="Re: [HH-1] Printer on fire", message_key="r5")

    [ticket] = one(engine, Ticket)
    with Session(engine) as session:
        assert session.get(TicketStatus, ticket.status_id).category != "done"


def test_the_same_mail_received_twice_makes_nothing_twice(engine, desk):
    first = receive(engine, fixture("new_with_files.eml"))
    second = receive(engine, fixture("new_with_files.eml"))

    assert (second.id, second.duplicate, second.outcome, second.ticket) == (first.id, True, "new_ticket", "HH-1")
    assert len(one(engine, Ticket)) == 1
    assert len(one(engine, InboundMessage)) == 1
    assert len(one(engine, Attachment)) == 2


def test_a_mail_without_message_id_is_known_again_by_its_bytes(engine, desk):
    receive(engine, fixture("no_message_id.eml"))
    again = receive(engine, fixture("no_message_id.eml"))

    assert again.duplicate
    [stored] = one(engine, InboundMessage)
    assert stored.message_key.startswith("sha256:")
    assert len(one(engine, Ticket)) == 1


def test_an_out_of_office_reply_creates_nothing(engine, desk):
    receive(engine, fixture("new_with_files.eml"))

    result = receive(engine, fixture("out_of_office.eml"))

    assert result.outcome == "dropped" and "auto-submitted" in result.detail
    assert len(one(engine, Ticket)) == 1 and one(engine, Comment) == []


def test_a_bounce_creates_nothing_and_marks_the_address_so_tickit_stops_mailing_it(engine, desk):
    receive(engine, fixture("new_with_files.eml"))
    fan_out(engine)

    result = receive(engine, fixture("bounce.eml"))

    assert result.outcome == "dropped" and "Bounce (grace@example.org)" in result.detail
    assert len(one(engine, Ticket)) == 1 and one(engine, Comment) == []
    [user] = one(engine, User, User.email == "grace@example.org")
    assert user.mail_bounced_at is not None
    [ack] = [m for m in one(engine, OutboxMessage) if m.event == "acknowledgement"]
    assert outbox.deliver(ack.id, engine=engine) == "skipped"
    [ack] = one(engine, OutboxMessage, OutboxMessage.id == ack.id)
    assert "bounced" in ack.last_error and ack.failed_at is None
    assert list((Path(settings_env_dir()) / "mail").glob("*.eml")) == []


def test_tickits_own_mail_coming_back_is_dropped(engine, desk):
    own = mail.build_message(to="support@help.example.com", subject="[HH-9] Looping", text="hi", html="<p>hi</p>")
    del own["Auto-Submitted"]  # even a relay that strips it cannot start a loop

    result = receive(engine, own.as_bytes())

    assert result.outcome == "dropped" and "own mail" in result.detail
    assert one(engine, Ticket) == []


def test_html_mail_is_sanitised_like_a_comment(engine, desk):
    result = receive(engine, fixture("html_script.eml"))

    [ticket] = one(engine, Ticket)
    assert result.outcome == "new_ticket"
    html = ticket.description_html
    assert "<b>" not in html and "bold" in html
    for bad in ("script", "onclick", "javascript:", "<img", "evil.example", "style"):
        assert bad not in html
    assert "Earlier mail" not in html


def test_quoted_history_is_stripped_and_the_original_kept_for_staff(engine, desk):
    receive(engine, fixture("new_with_files.eml"))
    result = reply(engine, subject="Re: [HH-1] Printer on fire", message_key="r6")

    [comment] = one(engine, Comment)
    assert "fuser overheated" in comment.body_text
    assert "We received your request" not in comment.body_text and "wrote:" not in comment.body_text
    requester = grace(engine)
    with Session(engine) as session:
        name, raw = mail_in.original(session=session, actor=desk, inbound_id=result.id)
        assert b"> We received your request HH-1" in raw and name.endswith(".eml")
        with pytest.raises(NotFound):
            mail_in.original(session=session, actor=requester, inbound_id=result.id)


def test_a_failed_mail_is_kept_and_can_be_processed_again(engine, desk, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(mail_in.tickets, "file_ticket", broken)
    failed = receive(engine, fixture("no_message_id.eml"))
    assert failed.outcome == "failed" and "disk on fire" in failed.detail
    monkeypatch.undo()

    again = mail_in.process_again(unit_of_work=partial(session_scope, engine), actor=SYSTEM, inbound_id=failed.id)

    assert (again.outcome, again.ticket) == ("new_ticket", "HH-1")
    with Session(engine) as session:
        [row] = mail_in.recent(session=session, actor=SYSTEM, project_key="HH")
    assert (row.outcome, row.ticket, row.may_process_again) == ("new_ticket", "HH-1", False)


def test_one_address_gets_at_most_ten_acknowledgements_an_hour(engine, desk):
    for n in range(12):
        raw = fixture("no_message_id.eml").replace(b"No id on this one", f"Request {n}".encode())
        receive(engine, raw)
    fan_out(engine)

    assert len([m for m in one(engine, OutboxMessage) if m.event == "acknowledgement"]) == 10


def fan_out(engine) -> None:
    """Deliver the staged events (the acknowledgement is staged when `ticket_created` is fanned out)."""
    with Session(engine) as session:
        ids = session.exec(
            select(OutboxMessage.id).where(OutboxMessage.channel == "event", OutboxMessage.delivered_at.is_(None))
        ).all()
    for event_id in ids:
        outbox.deliver(event_id, engine=engine)


def settings_env_dir() -> str:
    from tickit.config import get_settings

    return str(get_settings().data_dir)


def test_staff_see_the_mails_behind_a_ticket_on_its_page_and_the_requester_does_not(engine, desk):
    receive(engine, fixture("new_with_files.eml"))
    reply(engine, subject="Re: [HH-1] Printer on fire", message_key="r7")
    requester = grace(engine)

    with Session(engine) as session:
        staff_view = ticket_detail.ticket_detail(session=session, actor=desk, number="HH-1")
        requester_view = ticket_detail.ticket_detail(session=session, actor=requester, number="HH-1")

    assert [m.label for m in staff_view.mail_originals] == ["Opening mail", "Reply from grace@example.org"]
    assert all(m.url.startswith("/inbound/original/") for m in staff_view.mail_originals)
    assert requester_view.mail_originals == ()


def test_a_new_ticket_s_title_drops_reply_and_forward_prefixes(engine, desk):
    result = receive(engine, fixture("formatted_outlook.eml"))

    assert result.outcome == "new_ticket"
    [ticket] = one(engine, Ticket)
    assert ticket.title == "Badge reader rejects every card"


def test_a_mail_s_formatting_survives_as_the_editor_writes_it_and_its_lines_stay_apart(engine, desk):
    result = receive(engine, fixture("formatted_outlook.eml"))

    assert result.outcome == "new_ticket"
    [ticket] = one(engine, Ticket)
    html = ticket.description_html
    assert "<p>Since <strong>Monday</strong> the reader at <em>door 3</em> says <u>denied</u>.</p>" in html
    assert "<ol><li>a new card</li><li>another door</li></ol>" in html
    assert "<blockquote>Card denied (code 17)</blockquote>" in html
    assert "<code>E17 at 08:02</code>" in html and 'href="https://status.example.org/doors"' in html
    assert "<p></p>" not in html


def test_an_outlook_signature_is_stripped_and_the_original_keeps_it(engine, desk):
    result = receive(engine, fixture("formatted_outlook.eml"))

    assert result.outcome == "new_ticket"
    [ticket] = one(engine, Ticket)
    assert "Facilities, Building C" not in ticket.description_html
    assert "Facilities, Building C" not in ticket.description
    [stored] = one(engine, InboundMessage)
    assert b"Facilities, Building C" in stored.raw


def test_a_gmail_signature_is_stripped(engine, desk):
    raw = fixture("formatted_outlook.eml").replace(b'<div id="Signature">', b'<div class="gmail_signature">')

    result = receive(engine, raw)

    assert result.outcome == "new_ticket"
    [ticket] = one(engine, Ticket)
    assert "Facilities, Building C" not in ticket.description_html


def test_an_inline_image_shows_in_place_in_the_description_from_its_stored_attachment(engine, desk):
    receive(engine, fixture("new_with_files.eml"))

    [ticket] = one(engine, Ticket)
    [image] = one(engine, Attachment, Attachment.original_name == "inline-image.png")
    shown = f'<img src="https://help.example.com/attachments/{image.id}/download" alt="inline-image.png">'
    assert shown in ticket.description_html
    assert "cid:" not in ticket.description_html and "cid:" not in ticket.description


def test_an_inline_image_that_is_not_in_the_mail_leaves_nothing_behind(engine, desk):
    raw = fixture("new_with_files.eml").replace(b"cid:photo1@example.org", b"cid:missing@example.org")

    receive(engine, raw)

    [ticket] = one(engine, Ticket)
    assert "<img" not in ticket.description_html and "cid:" not in ticket.description_html


def test_a_remote_image_in_a_mail_is_never_kept(engine, desk):
    raw = fixture("new_with_files.eml").replace(b"cid:photo1@example.org", b"https://tracker.example.net/pixel.gif")

    receive(engine, raw)

    [ticket] = one(engine, Ticket)
    assert "<img" not in ticket.description_html and "tracker.example.net" not in ticket.description_html


def test_a_mail_left_waiting_for_ten_minutes_can_be_processed_again(engine, desk, monkeypatch):
    # As if the worker had died after storing the mail and before writing what became of it.
    monkeypatch.setattr(mail_in, "_process", lambda unit_of_work, inbound_id, duplicate: None)
    receive(engine, fixture("no_message_id.eml"))
    monkeypatch.undo()
    with Session(engine) as session:
        [fresh] = mail_in.recent(session=session, actor=SYSTEM, project_key="HH")
    assert (fresh.outcome, fresh.may_process_again) == ("pending", False)
    with pytest.raises(NotFound):
        mail_in.process_again(unit_of_work=partial(session_scope, engine), actor=SYSTEM, inbound_id=fresh.id)
    with Session(engine) as session:
        stored = session.get(InboundMessage, fresh.id)
        stored.received_at = utcnow() - timedelta(minutes=11)
        session.add(stored)
        session.commit()
        [stuck] = mail_in.recent(session=session, actor=SYSTEM, project_key="HH")
    assert (stuck.may_process_again, stuck.detail) == (True, mail_in.STUCK_DETAIL)

    again = mail_in.process_again(unit_of_work=partial(session_scope, engine), actor=SYSTEM, inbound_id=stuck.id)

    assert (again.outcome, again.ticket) == ("new_ticket", "HH-1")
