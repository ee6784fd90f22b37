"""Building mails, sending them (to an SMTP server, or into files when there is none), and the
outbox's mail channel: what is sent for a row, and which refusals are final."""

from __future__ import annotations

import email
import smtplib
import socket
from datetime import UTC, datetime
from email import policy

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session

from tickit.config import get_settings
from tickit.models import OutboxMessage
from tickit.services import mail, mail_ids, outbox


def _parts(message) -> dict[str, str]:
    return {part.get_content_type(): part.get_content() for part in message.iter_parts()}


def test_message_is_multipart_alternative_with_text_and_html(settings_env):
    message = mail.build_message(to="ada@example.com", subject="Hello", text="plain body", html="<p>html body</p>")

    assert message.get_content_type() == "multipart/alternative"
    parts = _parts(message)
    assert parts["text/plain"].strip() == "plain body"
    assert parts["text/html"].strip() == "<p>html body</p>"
    assert message["To"] == "ada@example.com"
    assert message["Subject"] == "Hello"
    assert message["Date"]


def test_message_comes_from_the_default_sender_and_app_host_without_smtp(settings_env):
    message = mail.build_message(to="ada@example.com", subject="Hello", text="t", html="<p>h</p>")

    assert message["From"] == mail.DEFAULT_SENDER
    assert message["Message-ID"].endswith("@help.example.com>")
    assert "In-Reply-To" not in message


def test_message_comes_from_the_configured_sender(settings_env):
    settings_env(SMTP_HOST="smtp.example.com", SMTP_FROM="Help Desk <help@example.com>")

    message = mail.build_message(to="ada@example.com", subject="Hello", text="t", html="<p>h</p>")

    assert message["From"] == "Help Desk <help@example.com>"


def test_reply_threads_under_the_earlier_mails(settings_env):
    message = mail.build_message(
        to="ada@example.com",
        subject="Re: Printer",
        text="t",
        html="<p>h</p>",
        message_id="<reply@help.example.com>",
        references=["<first@help.example.com>", "<second@help.example.com>"],
    )

    assert message["Message-ID"] == "<reply@help.example.com>"
    assert message["In-Reply-To"] == "<second@help.example.com>"
    assert message["References"] == "<first@help.example.com> <second@help.example.com>"


def test_welcome_mail_greets_by_name_links_sign_in_and_escapes_html(settings_env):
    message = mail.welcome_message(to="ada@example.com", name="Ada <script>alert(1)</script>", role="agent")

    parts = _parts(message)
    assert message["Subject"] == "Welcome to TickIt"
    assert "Hello Ada <script>alert(1)</script>," in parts["text/plain"]
    assert "https://help.example.com/login" in parts["text/plain"]
    assert "<script>" not in parts["text/html"]
    assert "Ada &lt;script&gt;alert(1)&lt;/script&gt;" in parts["text/html"]
    assert 'href="https://help.example.com/login"' in parts["text/html"]
    assert "As an agent you can work the tickets of your projects" in parts["text/plain"]
    assert "gives you your first password" in parts["text/plain"]


def test_without_smtp_the_mail_is_written_as_an_eml_file_a_mail_client_can_open(settings_env):
    message = mail.welcome_message(to="ada@example.com", name="Ada", role="client")

    mail.send(message)

    files = list(get_settings().mail_dir.iterdir())
    assert len(files) == 1 and files[0].suffix == ".eml"
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert parsed["Subject"] == "Welcome to TickIt"
    assert parsed["To"] == "ada@example.com"
    assert parsed.get_content_type() == "multipart/alternative"
    parts = _parts(parsed)
    assert "https://help.example.com/login" in parts["text/plain"]
    assert "Hello Ada," in parts["text/html"]


def test_each_mail_gets_its_own_file(settings_env):
    for _ in range(3):
        mail.send(mail.build_message(to="ada@example.com", subject="Hello", text="t", html="<p>h</p>"))

    assert len(list(get_settings().mail_dir.glob("*.eml"))) == 3
    assert not list(get_settings().mail_dir.glob(".*"))


class _Inbox:
    """An aiosmtpd handler that keeps what it accepts and refuses the addresses in `refused`."""

    def __init__(self):
        self.envelopes = []
        self.refused: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings_env):
    """A local SMTP server the settings point at."""
    inbox, port = _Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings_env(SMTP_HOST="127.0.0.1", SMTP_PORT=str(port), SMTP_SECURITY="none")
    yield inbox
    controller.stop()


def test_with_smtp_the_mail_goes_to_the_server(smtp_server):
    mail.send(mail.welcome_message(to="ada@example.com", name="Ada", role="admin"))

    assert [envelope.rcpt_tos for envelope in smtp_server.envelopes] == [["ada@example.com"]]
    received = email.message_from_bytes(smtp_server.envelopes[0].content, policy=policy.default)
    assert received["Subject"] == "Welcome to TickIt"
    assert not get_settings().mail_dir.exists()


def _stage_welcome(engine, *, to: str = "ada@example.com") -> int:
    with Session(engine) as session:
        row = outbox.stage(
            session,
            event="welcome",
            channel=mail.OUTBOX_CHANNEL,
            recipient_user_id=None,
            payload={"name": "Ada", "email": to, "role": "client"},
        )
        session.commit()
        return row.id


def test_an_outbox_welcome_row_is_sent_as_the_welcome_mail(engine, smtp_server):
    outbox_id = _stage_welcome(engine)

    assert outbox.deliver(outbox_id, engine=engine) == "delivered"

    [received] = [email.message_from_bytes(e.content, policy=policy.default) for e in smtp_server.envelopes]
    assert received["Subject"] == "Welcome to TickIt"
    assert received["To"] == "ada@example.com"


def test_an_unreachable_smtp_server_leaves_the_outbox_mail_for_a_retry(engine, settings_env):
    settings_env(SMTP_HOST="127.0.0.1", SMTP_PORT=str(_free_port()), SMTP_SECURITY="none")
    outbox_id = _stage_welcome(engine)

    with pytest.raises(outbox.RetryLater) as later:
        outbox.deliver(outbox_id, engine=engine)

    assert isinstance(later.value.__cause__, ConnectionRefusedError)
    with Session(engine) as session:
        row = session.get(OutboxMessage, outbox_id)
    assert row.failed_at is None and row.delivered_at is None and "ConnectionRefusedError" in row.last_error


def test_a_recipient_the_server_refuses_fails_the_outbox_mail_for_good(engine, smtp_server):
    smtp_server.refused.add("gone@example.com")
    outbox_id = _stage_welcome(engine, to="gone@example.com")

    assert outbox.deliver(outbox_id, engine=engine) == "failed"

    with Session(engine) as session:
        row = session.get(OutboxMessage, outbox_id)
    assert row.failed_at is not None and "550" in row.last_error
    assert smtp_server.envelopes == []


@pytest.mark.parametrize(
    ("refusal", "permanent"),
    [
        (smtplib.SMTPRecipientsRefused({"a@example.com": (550, b"no such mailbox")}), True),
        (smtplib.SMTPRecipientsRefused({"a@example.com": (450, b"mailbox busy")}), False),
        (smtplib.SMTPDataError(554, b"message refused"), True),
        (smtplib.SMTPDataError(451, b"try again"), False),
        # Configuration mistakes: the backlog goes out once an admin fixes the SMTP settings.
        (smtplib.SMTPAuthenticationError(535, b"bad password"), False),
        (smtplib.SMTPSenderRefused(553, b"not our sender", "tickit@localhost"), False),
        (smtplib.SMTPServerDisconnected("gone"), False),
    ],
)
def test_only_a_refusal_of_this_message_or_recipient_is_permanent(refusal, permanent):
    assert mail.is_permanent(refusal) is permanent


STAGED_AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TICKET = {
    "email": "grace@example.com",
    "name": "Grace Hopper",
    "number": "HH-42",
    "title": "Checkout button does nothing",
    "url": "/tickets/HH-42",
    "thread_id": "<ticket-HH-42.20261201090000@help.example.com>",
    "actor_name": "Ada <Lovelace>",
    "text": "It still fails.\nSee <script>alert(1)</script>",
    "internal": False,
    "from_status": "New",
    "to_status": "Triaged",
}


@pytest.mark.parametrize(
    ("event", "lead"),
    [
        ("ticket_created", "A ticket was filed in your project: HH-42, Checkout button does nothing."),
        ("assigned", "Ada <Lovelace> assigned HH-42 to you: Checkout button does nothing."),
        ("client_reply", "Ada <Lovelace> replied on HH-42, Checkout button does nothing:"),
        ("mention", "Ada <Lovelace> mentioned you in a comment on HH-42, Checkout button does nothing:"),
        ("staff_reply", "Ada <Lovelace> replied to your ticket HH-42, Checkout button does nothing:"),
        ("status_changed", "Your ticket HH-42, Checkout button does nothing, moved from New to Triaged."),
    ],
)
def test_each_ticket_event_has_its_own_mail_with_the_number_in_the_subject_and_a_link(settings_env, event, lead):
    message = mail.ticket_message(event, TICKET, message_id="<outbox-7.20261201090001@help.example.com>")

    assert message["Subject"] == "[HH-42] Checkout button does nothing"
    assert message["To"] == "grace@example.com"
    parts = _parts(message)
    assert lead in parts["text/plain"]
    assert "https://help.example.com/tickets/HH-42" in parts["text/plain"]
    assert 'href="https://help.example.com/tickets/HH-42"' in parts["text/html"]
    assert "<Lovelace>" not in parts["text/html"] and "<script>" not in parts["text/html"]


def test_ticket_mails_have_their_own_message_id_and_thread_under_the_tickets_root(settings_env):
    first = mail.ticket_message("assigned", TICKET, message_id=mail_ids.outbox_message_id(7, STAGED_AT))
    second = mail.ticket_message("client_reply", TICKET, message_id=mail_ids.outbox_message_id(8, STAGED_AT))

    assert first["Message-ID"] != second["Message-ID"]
    assert first["Message-ID"].endswith("@help.example.com>")
    for message in (first, second):
        assert message["In-Reply-To"] == TICKET["thread_id"]
        assert message["References"] == TICKET["thread_id"]


def test_the_same_outbox_row_always_gets_the_same_message_id(settings_env):
    assert mail_ids.outbox_message_id(7, STAGED_AT) == mail_ids.outbox_message_id(7, STAGED_AT)
    assert mail_ids.ticket_thread_id("HH-42", STAGED_AT) == "<ticket-HH-42.20261201090000@help.example.com>"


def test_a_reply_is_quoted_line_by_line_and_escaped_in_html(settings_env):
    parts = _parts(mail.ticket_message("client_reply", TICKET, message_id="<m@help.example.com>"))

    assert "> It still fails.\n> See <script>alert(1)</script>\n" in parts["text/plain"]
    assert "It still fails.<br>\nSee &lt;script&gt;alert(1)&lt;/script&gt;" in parts["text/html"]


def test_a_mention_in_an_internal_note_says_so(settings_env):
    parts = _parts(mail.ticket_message("mention", {**TICKET, "internal": True}, message_id="<m@help.example.com>"))

    assert "mentioned you in an internal note on HH-42" in parts["text/plain"]


def test_a_title_with_a_line_break_stays_one_subject_line(settings_env):
    message = mail.ticket_message("assigned", {**TICKET, "title": "Broken\r\nBcc: x@evil.example"}, message_id="<m@h>")

    assert message["Subject"] == "[HH-42] Broken Bcc: x@evil.example"
    assert "Bcc" not in message.keys()
