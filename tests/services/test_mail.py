"""Building mails, and where they go when no SMTP server is configured."""

from __future__ import annotations

import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller

from tickit.config import get_settings
from tickit.services import mail


@pytest.fixture
def settings_env(monkeypatch, tmp_path):
    """Settings read from a scratch data dir without SMTP; call it with more variables to change them."""

    def apply(**env: str) -> None:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    monkeypatch.setenv("TICKIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("APP_URL", "https://help.example.com")
    monkeypatch.delenv("SMTP_HOST", raising=False)
    get_settings.cache_clear()
    yield apply
    get_settings.cache_clear()


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
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def test_with_smtp_the_mail_goes_to_the_server(settings_env):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings_env(SMTP_HOST="127.0.0.1", SMTP_PORT=str(port), SMTP_SECURITY="none")

        mail.send(mail.welcome_message(to="ada@example.com", name="Ada", role="admin"))
    finally:
        controller.stop()

    assert [envelope.rcpt_tos for envelope in inbox.envelopes] == [["ada@example.com"]]
    received = email.message_from_bytes(inbox.envelopes[0].content, policy=policy.default)
    assert received["Subject"] == "Welcome to TickIt"
    assert not get_settings().mail_dir.exists()
