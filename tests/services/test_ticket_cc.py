"""Addresses in copy (CC) and followers: who manages them, who gets which mail, and CCs answering by mail.

Runs on SQLite and PostgreSQL. Events are fanned out as the consumer would (`outbox.deliver`).
"""

from __future__ import annotations

from functools import partial

import pytest
from sqlmodel import Session, select

from tests.factories import add_member, file_ticket, make_project, make_user
from tests.services.test_mail_in import fixture
from tests.services.test_notifications import act, clear, fan_out, messages, told
from tickit.config import get_settings
from tickit.db import session_scope
from tickit.models import ActivityEntry, Comment, Ticket, User
from tickit.services import (
    comments,
    followers,
    intake_policy,
    lifecycle,
    mail,
    mail_in,
    mailboxes,
    notifications,
    outbox,
    reply_address,
    ticket_cc,
    ticket_detail,
    ticket_list,
)
from tickit.services.actors import SYSTEM, UserPublic
from tickit.services.errors import NotFound, PermissionDenied, ValidationFailed


@pytest.fixture
def mail_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("TICKIT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("APP_URL", "https://help.example.com")
    monkeypatch.delenv("SMTP_HOST", raising=False)
    get_settings.cache_clear()
    yield tmp_path / "mail"
    get_settings.cache_clear()


@pytest.fixture
def desk(engine, mail_dir):
    """HH with a support mailbox, two agents (Agnes is assigned HH-1), a requester, and HH-1 filed by her."""
    with Session(engine, expire_on_commit=False) as session:
        project = make_project(session, "HH")
        agnes = make_user(session, "agent", name="Agnes Agent", email="agnes@help.example.com")
        bert = make_user(session, "agent", name="Bert Backup", email="bert@help.example.com")
        grace = make_user(session, "client", name="Grace Hopper", email="grace@example.org")
        eve = make_user(session, "client", name="Eve Outsider", email="eve@example.net")
        for agent in (agnes, bert):
            add_member(session, project.id, agent, "agent")
        for client in (grace, eve):
            add_member(session, project.id, client, "client")
        intake_policy.update_intake(session=session, actor=SYSTEM, project_key="HH", changes={"acknowledge": False})
        mailboxes.add_mailbox(
            session=session, actor=SYSTEM, project_key="HH", key="support", address="support@help.example.com"
        )
        file_ticket(session, grace, title="Printer on fire")
        ticket_detail.assign(session=session, actor=agnes, number="HH-1", assignee_id=agnes.id)
        session.commit()
    clear(engine)
    return {"agnes": agnes, "bert": bert, "grace": grace, "eve": eve}


def add_cc(engine, actor: UserPublic, email: str) -> ticket_cc.CcList:
    return act(engine, lambda s: ticket_cc.add_cc(session=s, actor=actor, number="HH-1", email=email))


def comment(engine, actor: UserPublic, text: str, *, internal: bool = False) -> None:
    act(
        engine,
        lambda s: comments.add_comment(
            session=s, actor=actor, number="HH-1", body_html=f"<p>{text}</p>", internal=internal
        ),
    )


def mailed(engine) -> list[tuple[str, str]]:
    """(event, address) of every staged mail."""
    return [(m.event, m.payload["email"]) for m in messages(engine, "mail")]


def mail_from(sender: str, *, subject: str, key: str) -> bytes:
    raw = fixture("reply_quoted.eml", to="support@help.example.com", subject=subject, message_key=key, extra="")
    return raw.replace(b"Grace Hopper <grace@example.org>", sender.encode())


def receive(engine, raw: bytes) -> mail_in.Received:
    return mail_in.receive(unit_of_work=partial(session_scope, engine), mailbox_key="support", raw=raw, channel="pipe")


def test_the_requester_puts_an_address_in_copy_and_the_activity_says_so(engine, desk):
    shown = add_cc(engine, desk["grace"], " Linus@Example.org ")

    assert shown == ticket_cc.CcList(emails=("linus@example.org",), manageable=True)
    with Session(engine) as session:
        history = ticket_detail.activity(session=session, actor=desk["grace"], number="HH-1")
    assert [(a.actor_name, a.text) for a in history][0] == ("Grace Hopper", "put linus@example.org in copy")


def test_staff_take_an_address_out_of_copy(engine, desk):
    add_cc(engine, desk["grace"], "linus@example.org")

    shown = act(
        engine, lambda s: ticket_cc.remove_cc(session=s, actor=desk["bert"], number="HH-1", email="linus@example.org")
    )

    assert shown.emails == ()
    with Session(engine) as session:
        [entry] = session.exec(select(ActivityEntry).where(ActivityEntry.action == "cc_removed")).all()
    assert (entry.actor_user_id, entry.after) == (desk["bert"].id, {"email": "linus@example.org"})


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("grace@example.org", "is the requester"),
        ("support@help.example.com", "TickIt's own mailboxes"),
        ("support+hh-1.0123456789abcdef@help.example.com", "TickIt's own mailboxes"),
        ("not an address", "email address"),
    ],
)
def test_an_address_that_cannot_be_in_copy_is_refused_with_the_reason(engine, desk, address, why):
    with pytest.raises(ValidationFailed) as refused:
        add_cc(engine, desk["grace"], address)

    assert why in refused.value.errors["email"]


def test_the_same_address_is_not_put_in_copy_twice(engine, desk):
    add_cc(engine, desk["grace"], "linus@example.org")

    with pytest.raises(ValidationFailed, match="already in copy"):
        add_cc(engine, desk["agnes"], "LINUS@example.org")


def test_someone_else_s_client_cannot_see_or_change_the_copy_list(engine, desk):
    with pytest.raises(NotFound):
        add_cc(engine, desk["eve"], "eve@example.net")


def test_an_address_in_copy_reads_the_ticket_but_does_not_manage_the_list_or_close_it(engine, desk):
    add_cc(engine, desk["grace"], "eve@example.net")

    with Session(engine) as session:
        shown = ticket_cc.cc_list(session=session, actor=desk["eve"], number="HH-1")
        detail = ticket_detail.ticket_detail(session=session, actor=desk["eve"], number="HH-1")
        choices = lifecycle.requester_choices(session=session, actor=desk["eve"], number="HH-1")
    assert (shown.emails, shown.manageable, detail.title) == (("eve@example.net",), False, "Printer on fire")
    assert choices.close_to is None
    with pytest.raises(PermissionDenied):
        add_cc(engine, desk["eve"], "mallory@example.net")


def test_a_client_in_copy_finds_the_ticket_in_their_list_until_taken_out(engine, desk):
    def listed() -> list[str]:
        with Session(engine) as session:
            page = ticket_list.list_tickets(session=session, actor=desk["eve"], query=ticket_list.TicketQuery())
        return [row.number for row in page.rows]

    assert listed() == []
    add_cc(engine, desk["grace"], "eve@example.net")
    assert listed() == ["HH-1"]
    act(engine, lambda s: ticket_cc.remove_cc(session=s, actor=desk["agnes"], number="HH-1", email="eve@example.net"))
    assert listed() == []


def test_addresses_in_copy_get_public_replies_by_mail_but_never_internal_notes(engine, desk):
    add_cc(engine, desk["grace"], "linus@example.org")
    add_cc(engine, desk["grace"], "eve@example.net")

    comment(engine, desk["agnes"], "Only for us", internal=True)
    comment(engine, desk["agnes"], "The technician is on the way")
    fan_out(engine)

    cc_mails = [m for m in messages(engine, "mail") if m.event == "cc_reply"]
    assert sorted(m.payload["email"] for m in cc_mails) == ["eve@example.net", "linus@example.org"]
    assert {m.payload["text"] for m in cc_mails} == {"The technician is on the way"}
    # Eve has an account: her mail is hers; Linus has none, so nobody's.
    assert sorted((m.payload["email"], m.recipient_user_id) for m in cc_mails) == [
        ("eve@example.net", desk["eve"].id),
        ("linus@example.org", None),
    ]


def test_an_address_in_copy_is_not_mailed_its_own_comment(engine, desk):
    add_cc(engine, desk["grace"], "eve@example.net")
    add_cc(engine, desk["grace"], "linus@example.org")

    comment(engine, desk["eve"], "Same here on floor 3")
    fan_out(engine)

    assert [a for e, a in mailed(engine) if e == "cc_reply"] == ["linus@example.org"]
    # Her reply is a client's: the assignee hears of it as of the requester's own.
    assert ("client_reply", desk["agnes"].id) in told(engine, "mail")


def test_the_cc_mail_says_whose_reply_it_is_and_that_the_reader_is_in_copy(engine, desk):
    add_cc(engine, desk["grace"], "linus@example.org")
    comment(engine, desk["agnes"], "The technician is on the way")
    fan_out(engine)
    [row] = [m for m in messages(engine, "mail") if m.event == "cc_reply"]

    sent = mail.ticket_message(row.event, row.payload, message_id="<x@example>", reply_to="r@example")

    assert sent["To"] == "linus@example.org"
    assert sent["Subject"] == "[HH-1] Printer on fire"
    lead = "Agnes Agent replied on HH-1, Printer on fire, which you are in copy of:"
    assert lead in sent.get_body(("plain",)).get_content()


def test_a_new_mail_puts_its_cc_addresses_in_copy_except_tickit_s_own_and_the_sender(engine, desk):
    cc = "Cc: Linus <linus@example.org>, support@help.example.com, Grace <grace@example.org>\r\n"
    raw = mail_from("Grace Hopper <grace@example.org>", subject="Toner everywhere", key="n1")
    raw = raw.replace(b"MIME-Version:", cc.encode() + b"MIME-Version:", 1)

    result = receive(engine, raw)

    assert result.outcome == "new_ticket"
    with Session(engine) as session:
        shown = ticket_cc.cc_list(session=session, actor=desk["agnes"], number=result.ticket)
    assert shown.emails == ("linus@example.org",)


def test_an_address_in_copy_answers_by_the_subject_tag_as_a_public_comment_of_its_own(engine, desk):
    add_cc(engine, desk["grace"], "linus@example.org")
    raw = mail_from("Linus Torvalds <linus@example.org>", subject="Re: [HH-1] Printer", key="c1")

    result = receive(engine, raw)

    assert (result.outcome, result.ticket) == ("threaded", "HH-1")
    with Session(engine) as session:
        [posted] = session.exec(select(Comment)).all()
        author = session.get(User, posted.author_id)
        ticket = session.exec(select(Ticket)).first()
    assert (author.email, author.role, author.name) == ("linus@example.org", "client", "Linus Torvalds")
    assert not posted.is_internal and ticket.number == 1


def test_an_address_taken_out_of_copy_no_longer_answers_by_the_subject_tag(engine, desk):
    add_cc(engine, desk["grace"], "linus@example.org")
    act(engine, lambda s: ticket_cc.remove_cc(session=s, actor=desk["grace"], number="HH-1", email="linus@example.org"))
    raw = mail_from("Linus Torvalds <linus@example.org>", subject="Re: [HH-1] Printer", key="c2")

    result = receive(engine, raw)

    assert result.outcome == "new_ticket" and result.ticket == "HH-2"


def test_a_follower_hears_the_client_s_reply_as_the_assignee_does_until_they_stop(engine, desk):
    shown = act(engine, lambda s: followers.follow(session=s, actor=desk["bert"], number="HH-1", on=True))
    assert shown == followers.Followers(names=("Bert Backup",), following=True)

    comment(engine, desk["grace"], "Still burning")
    fan_out(engine)
    assert sorted(told(engine, "mail")) == sorted([("client_reply", desk[n].id) for n in ("agnes", "bert")])

    clear(engine)
    act(engine, lambda s: followers.follow(session=s, actor=desk["bert"], number="HH-1", on=False))
    comment(engine, desk["grace"], "Out now")
    fan_out(engine)
    assert told(engine, "mail") == [("client_reply", desk["agnes"].id)]
    with Session(engine) as session:
        history = ticket_detail.activity(session=session, actor=desk["agnes"], number="HH-1")
        requester_view = ticket_detail.activity(session=session, actor=desk["grace"], number="HH-1")
    texts = [a.text for a in history]
    assert "started following it" in texts and "stopped following it" in texts
    assert not any("following" in a.text for a in requester_view)


def test_a_follower_hears_an_sla_warning_as_the_assignee_does(engine, desk):
    act(engine, lambda s: followers.follow(session=s, actor=desk["bert"], number="HH-1", on=True))
    with Session(engine) as session:
        ticket = session.exec(select(Ticket)).first()
        notifications.stage_sla_alerts(
            session,
            [notifications.SlaAlert(ticket.id, notifications.SLA_WARNING, "first_response", "in 10 minutes", ())],
        )
        session.commit()
    fan_out(engine)

    assert sorted(told(engine, "mail")) == sorted([("sla_warning", desk[n].id) for n in ("agnes", "bert")])


def test_a_client_cannot_follow_a_ticket(engine, desk):
    with pytest.raises(PermissionDenied):
        act(engine, lambda s: followers.follow(session=s, actor=desk["grace"], number="HH-1", on=True))


def test_a_cc_reply_mail_carries_the_ticket_s_signed_reply_address(engine, desk):
    add_cc(engine, desk["grace"], "linus@example.org")
    comment(engine, desk["agnes"], "On the way")
    fan_out(engine)
    [row] = [m for m in messages(engine, "mail") if m.event == "cc_reply"]

    with Session(engine) as session:
        claimed = mail.claim_outbox_message(
            session, outbox.Message(id=row.id, event=row.event, payload=row.payload, created_at=row.created_at)
        )

    assert claimed == reply_address.reply_address("support@help.example.com", "HH-1")


def test_an_outside_address_gets_at_most_ten_automatic_mails_an_hour_and_the_rest_are_skipped(engine, desk):
    add_cc(engine, desk["grace"], "linus@example.org")
    add_cc(engine, desk["grace"], "bert@help.example.com")
    for n in range(mail.AUTOMATIC_MAILS_PER_HOUR + 1):
        comment(engine, desk["agnes"], f"Update {n}")
    fan_out(engine)

    outcomes: dict[str, list[str]] = {}
    for row in messages(engine, "mail"):
        outcomes.setdefault(row.payload["email"], []).append(outbox.deliver(row.id, engine=engine))

    assert outcomes["linus@example.org"] == ["delivered"] * mail.AUTOMATIC_MAILS_PER_HOUR + ["skipped"]
    # Staff choose what they hear; their mail is not capped.
    assert outcomes["bert@help.example.com"] == ["delivered"] * (mail.AUTOMATIC_MAILS_PER_HOUR + 1)
    [skipped] = [m for m in messages(engine, "mail") if "automatic mails this hour" in m.last_error]
    assert skipped.failed_at is None and skipped.payload["email"] == "linus@example.org"
