"""Building mail messages and sending them over SMTP, or into the data directory when there is none."""

from __future__ import annotations

import os
import secrets
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

from tickit import routes
from tickit.config import get_settings
from tickit.models import Role, utcnow

DEFAULT_SENDER = "TickIt <tickit@localhost>"
SMTP_TIMEOUT_SECONDS = 30

ROLE_ABILITIES = {
    Role.CLIENT: "file tickets, follow their progress and reply to the team working on them",
    Role.AGENT: "work the tickets of your projects: assign them, move them along, reply and add internal notes",
    Role.ADMIN: "work tickets and set up projects, ticket types, workflows, users and API clients",
}


def build_message(
    *,
    to: str,
    subject: str,
    text: str,
    html: str,
    message_id: str | None = None,
    references: list[str] | None = None,
) -> EmailMessage:
    """A multipart/alternative mail (plain text and HTML); `references` threads it under earlier mails."""
    settings = get_settings()
    message = EmailMessage()
    message["From"] = settings.smtp.sender if settings.smtp else DEFAULT_SENDER
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    # make_msgid() without a domain asks DNS for this machine's name, which can be slow and
    # says nothing useful; the host people reach the app at identifies the sender instead.
    message["Message-ID"] = message_id or make_msgid(domain=urlsplit(settings.app_url).hostname or "localhost")
    if references:
        message["In-Reply-To"] = references[-1]
        message["References"] = " ".join(references)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def welcome_message(*, to: str, name: str, role: str) -> EmailMessage:
    """The mail a new account receives: what the role allows and where to sign in (never a password)."""
    login_url = f"{get_settings().app_url}{routes.LOGIN}"
    role = Role(role)
    article = "an" if role.value[0] in "aeiou" else "a"
    abilities = ROLE_ABILITIES[role]
    text = (
        f"Hello {name},\n\n"
        f"An account has been created for you on TickIt. As {article} {role.value} you can {abilities}.\n\n"
        f"Sign in at {login_url} with this email address. The person who created your account "
        f"gives you your first password; you can change it under Profile once signed in.\n"
    )
    html = (
        f"<p>Hello {escape(name)},</p>\n"
        f"<p>An account has been created for you on TickIt. "
        f"As {article} {escape(role.value)} you can {escape(abilities)}.</p>\n"
        f'<p><a href="{escape(login_url)}">Sign in to TickIt</a> with this email address. '
        f"The person who created your account gives you your first password; "
        f"you can change it under Profile once signed in.</p>\n"
    )
    return build_message(to=to, subject="Welcome to TickIt", text=text, html=html)


def ticket_created_message(*, to: str, name: str, number: str, title: str) -> EmailMessage:
    """Tells an agent that a ticket arrived in one of their projects."""
    url = f"{get_settings().app_url}{routes.ticket_page(number)}"
    text = f"Hello {name},\n\n{number} was filed: {title}\n\nOpen it: {url}\n"
    html = (
        f"<p>Hello {escape(name)},</p>\n"
        f"<p><strong>{escape(number)}</strong> was filed: {escape(title)}</p>\n"
        f'<p><a href="{escape(url)}">Open {escape(number)}</a></p>\n'
    )
    return build_message(to=to, subject=f"[{number}] {title}", text=text, html=html)


def send(message: EmailMessage) -> None:
    """Send over the configured SMTP server, or write an .eml file into the mail directory when none is set."""
    settings = get_settings()
    smtp = settings.smtp
    if smtp is None:
        _write_eml(message, settings.mail_dir)
        return
    # smtplib does not check the server's certificate unless it is given a default context.
    context = ssl.create_default_context()
    if smtp.security == "tls":
        client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=SMTP_TIMEOUT_SECONDS, context=context)
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=SMTP_TIMEOUT_SECONDS)
    with client:
        if smtp.security == "starttls":
            client.starttls(context=context)
        if smtp.username:
            client.login(smtp.username, smtp.password)
        client.send_message(message)


def _write_eml(message: EmailMessage, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{utcnow():%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}.eml"
    # Written under a hidden name and renamed, so nobody opens (or a watcher picks up) half a mail.
    partial = directory / f".{name}.partial"
    partial.write_bytes(message.as_bytes())
    os.replace(partial, directory / name)
