"""Building mail messages and sending them over SMTP, or into the data directory when there is none."""

from __future__ import annotations

import os
import secrets
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from html import escape
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from tickit import routes
from tickit.config import get_settings
from tickit.labels import mail_hex
from tickit.models import Mailbox, Project, Role, User, utcnow
from tickit.private_files import make_private_dir, write_private
from tickit.services import outbox, ratelimit, reply_address
from tickit.services.mail_ids import id_domain, outbox_message_id

OUTBOX_CHANNEL = "mail"
REQUESTER_DIGEST = "requester_digest"  # notifications.REQUESTER_DIGEST: a requester's news of one ticket
SURVEY = "satisfaction_survey"  # survey.SURVEY_EVENT: "How did we do?" after a resolution
ACKNOWLEDGEMENT = "acknowledgement"  # acknowledgement.ACKNOWLEDGEMENT: "We received your request"

DEFAULT_SENDER = "TickIt <tickit@localhost>"
BOUNCE_PAUSE = timedelta(days=7)  # how long an address whose mail bounced gets none
# Automatic ticket mails one address outside the team gets in an hour at most: a mail loop or a
# flood filed in someone's name would otherwise mail that address on every turn. Staff are not
# limited: what they hear is their own choice (Profile), and a missed assignment costs more.
AUTOMATIC_MAILS_PER_HOUR = 10
AUTOMATIC_MAIL_WINDOW_SECONDS = 3600
SMTP_TIMEOUT_SECONDS = 30
QUOTE_STYLE = "margin:0 0 1em;padding-left:1em;border-left:3px solid #ccc"  # inline: mail clients drop <style>

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
    reply_to: str = "",
) -> EmailMessage:
    """A multipart/alternative mail (plain text and HTML); `references` threads it under earlier mails.

    Every mail TickIt sends is automatic (RFC 3834 `Auto-Submitted: auto-generated`, so mail
    servers send no vacation replies to it) and carries the instance's loop mark, by which its
    own mails coming back to a mailbox are recognised and dropped.
    """
    message = EmailMessage()
    message["From"] = sender()
    message["To"] = to
    if reply_to:
        message["Reply-To"] = reply_to
    message["Auto-Submitted"] = "auto-generated"
    message[reply_address.LOOP_HEADER] = reply_address.loop_mark()
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = message_id or make_msgid(domain=id_domain())
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


@dataclass(frozen=True)
class _Lead:
    """The opening of a ticket mail, and the comment it quotes (if any)."""

    text: str
    quote: str = ""


def _ticket_created(p: dict[str, Any]) -> _Lead:
    return _Lead(f"A ticket was filed in your project: {p['number']}, {p['title']}.")


def _assigned(p: dict[str, Any]) -> _Lead:
    return _Lead(f"{p['actor_name']} assigned {p['number']} to you: {p['title']}.")


def _client_reply(p: dict[str, Any]) -> _Lead:
    return _Lead(f"{p['actor_name']} replied on {p['number']}, {p['title']}:", p["text"])


def _cc_reply(p: dict[str, Any]) -> _Lead:
    return _Lead(f"{p['actor_name']} replied on {p['number']}, {p['title']}, which you are in copy of:", p["text"])


def _mention(p: dict[str, Any]) -> _Lead:
    where = "an internal note" if p.get("internal") else "a comment"
    return _Lead(f"{p['actor_name']} mentioned you in {where} on {p['number']}, {p['title']}:", p["text"])


def _staff_reply(p: dict[str, Any]) -> _Lead:
    return _Lead(f"{p['actor_name']} replied to your ticket {p['number']}, {p['title']}:", p["text"])


def _status_changed(p: dict[str, Any]) -> _Lead:
    return _Lead(f"Your ticket {p['number']}, {p['title']}, moved from {p['from_status']} to {p['to_status']}.")


def _sla_warning(p: dict[str, Any]) -> _Lead:
    return _Lead(f"The {p['target']} target of {p['number']}, {p['title']}, is due {p['due_at']}.")


def _sla_breach(p: dict[str, Any]) -> _Lead:
    return _Lead(f"The {p['target']} target of {p['number']}, {p['title']}, was missed: it was due {p['due_at']}.")


TICKET_TEMPLATES: dict[str, Callable[[dict[str, Any]], _Lead]] = {
    "sla_warning": _sla_warning,
    "sla_breach": _sla_breach,
    "ticket_created": _ticket_created,
    "assigned": _assigned,
    "client_reply": _client_reply,
    "cc_reply": _cc_reply,
    "mention": _mention,
    "staff_reply": _staff_reply,
    "status_changed": _status_changed,
}


def _status_chip(name: str, color: str) -> str:
    """A status as a coloured pill, inline-styled in the status's one colour (`labels.status_color`)."""
    hex_color = mail_hex(color)
    return (
        f'<span style="display:inline-block;padding:1px 8px;border-radius:9px;border:1px solid {hex_color};'
        f'color:{hex_color};font-weight:600">{escape(name)}</span>'
    )


def _footer(number: str, url: str, profile_url: str, *, replies_read: bool) -> tuple[str, str]:
    """The closing lines; `replies_read` when the mail has a reply address that a mailbox receives."""
    how = (
        "Reply to this mail to answer on the ticket."
        if replies_read
        else "Replies to this mail are not read; answer on the ticket's page."
    )
    text = f"Open {number}: {url}\n\n-- \n{how}\nChoose which mails you get under Profile: {profile_url}\n"
    html = (
        f'<p><a href="{escape(url)}">Open {escape(number)}</a></p>\n'
        f'<p style="color:#666;font-size:smaller">{escape(how)} '
        f'Choose which mails you get under <a href="{escape(profile_url)}">Profile</a>.</p>\n'
    )
    return text, html


def _quoted(quote: str) -> tuple[str, str]:
    """A comment's text quoted, as plain text and as HTML ("" for none)."""
    if not quote:
        return "", ""
    text = "".join(f"> {line}\n" if line else ">\n" for line in quote.splitlines()) + "\n"
    html = "<br>\n".join(escape(line) for line in quote.splitlines())
    return text, f'<blockquote style="{QUOTE_STYLE}">{html}</blockquote>\n'


def _subject(payload: dict[str, Any]) -> str:
    # One line whatever the title holds: a line break in a header would end it.
    return f"[{payload['number']}] {' '.join(payload['title'].split())}"


def requester_digest_message(payload: dict[str, Any], *, message_id: str, reply_to: str = "") -> EmailMessage:
    """The one mail telling a requester what the team did on their ticket during the quiet period.

    `payload` is what the fan-out staged: email, name, number, title, url, thread_id, and `items`,
    in order, each a staff reply ({kind: staff_reply, actor_name, text}) or a status change
    ({kind: status_changed, to_status, to_color}).
    """
    app_url = get_settings().app_url
    url, profile_url, number = f"{app_url}{payload['url']}", f"{app_url}{routes.PROFILE}", payload["number"]
    items = payload["items"]
    replies = sum(1 for item in items if item["kind"] == "staff_reply")
    news = "There is a reply" if replies == 1 else f"There are {replies} replies" if replies else "There is news"
    lead = f"{news} on your ticket {number}, {payload['title']}."
    text_parts, html_parts = [], []
    for item in items:
        if item["kind"] == "staff_reply":
            quote_text, quote_html = _quoted(item["text"])
            text_parts.append(f"{item['actor_name']} replied:\n{quote_text}")
            html_parts.append(f"<p>{escape(item['actor_name'])} replied:</p>\n{quote_html}")
        else:
            text_parts.append(f"The status is now {item['to_status']}.\n\n")
            chip = _status_chip(item["to_status"], item.get("to_color", ""))
            html_parts.append(f"<p>The status is now {chip}.</p>\n")
    footer_text, footer_html = _footer(number, url, profile_url, replies_read=bool(reply_to))
    text = f"Hello {payload['name']},\n\n{lead}\n\n" + "".join(text_parts) + footer_text
    html = f"<p>Hello {escape(payload['name'])},</p>\n<p>{escape(lead)}</p>\n" + "".join(html_parts) + footer_html
    return build_message(
        to=payload["email"],
        subject=_subject(payload),
        text=text,
        html=html,
        message_id=message_id,
        references=[payload["thread_id"]],
        reply_to=reply_to,
    )


def ticket_message(event: str, payload: dict[str, Any], *, message_id: str, reply_to: str = "") -> EmailMessage:
    """The mail telling one person about `event` on a ticket, threaded under the ticket's other mails.

    `payload` is what the fan-out staged: email, name, number, title, url (a path), thread_id,
    and what the event's template quotes (actor_name, text, internal, from_status, to_status).
    """
    template = TICKET_TEMPLATES.get(event)
    if template is None:
        raise ValueError(f"Outbox event {event!r} has no mail template")
    lead = template(payload)
    app_url = get_settings().app_url
    url, profile_url, number = f"{app_url}{payload['url']}", f"{app_url}{routes.PROFILE}", payload["number"]
    quote_text, quote_html = _quoted(lead.quote)
    footer_text, footer_html = _footer(number, url, profile_url, replies_read=bool(reply_to))
    status_html = ""
    if event == "status_changed" and payload.get("to_color"):
        status_html = f"<p>Now: {_status_chip(payload['to_status'], payload['to_color'])}</p>\n"
    text = f"Hello {payload['name']},\n\n{lead.text}\n\n{quote_text}{footer_text}"
    html = (
        f"<p>Hello {escape(payload['name'])},</p>\n<p>{escape(lead.text)}</p>\n{status_html}{quote_html}{footer_html}"
    )
    return build_message(
        to=payload["email"],
        subject=_subject(payload),
        text=text,
        html=html,
        message_id=message_id,
        references=[payload["thread_id"]],
        reply_to=reply_to,
    )


def survey_message(payload: dict[str, Any], *, message_id: str, reply_to: str = "") -> EmailMessage:
    """ "How did we do?": the satisfaction survey of one resolution, with a good and a bad link."""
    app_url = get_settings().app_url
    url, profile_url, number = f"{app_url}{payload['url']}", f"{app_url}{routes.PROFILE}", payload["number"]
    lead = f"Your ticket {number}, {payload['title']}, is solved. How did we do?"
    footer_text, footer_html = _footer(number, url, profile_url, replies_read=bool(reply_to))
    text = (
        f"Hello {payload['name']},\n\n{lead}\n\n"
        f"Good: {payload['good_url']}\nBad: {payload['bad_url']}\n\n"
        "Each link opens a page where you can add a comment before you send your answer.\n\n"
        f"{footer_text}"
    )
    button = "display:inline-block;padding:6px 16px;margin-right:8px;border-radius:6px;color:#fff;text-decoration:none"
    html = (
        f"<p>Hello {escape(payload['name'])},</p>\n<p>{escape(lead)}</p>\n"
        f'<p><a href="{escape(payload["good_url"])}" style="{button};background:{mail_hex("green")}">Good</a>'
        f'<a href="{escape(payload["bad_url"])}" style="{button};background:{mail_hex("red")}">Bad</a></p>\n'
        "<p>Each link opens a page where you can add a comment before you send your answer.</p>\n"
        f"{footer_html}"
    )
    return build_message(
        to=payload["email"],
        subject=f"How did we do? {_subject(payload)}",
        text=text,
        html=html,
        message_id=message_id,
        references=[payload["thread_id"]],
        reply_to=reply_to,
    )


def acknowledgement_message(payload: dict[str, Any], *, message_id: str, reply_to: str = "") -> EmailMessage:
    """ "We received your request [HH-42]": the requester's first mail about a ticket, with its portal link.

    It promises only what works: replies by mail only when the project has a mailbox to take them
    (`reply_to`). `payload` is email, name, number, title, url (the portal path), thread_id, and
    set_password_url (a first-password link) for a requester who has no password.
    """
    app_url = get_settings().app_url
    url, profile_url, number = f"{app_url}{payload['url']}", f"{app_url}{routes.PROFILE}", payload["number"]
    lead = f"We received your request {number}, {payload['title']}. The team will get back to you."
    follow = (
        "Reply to this mail to add to it, or follow it on its page; we will also mail you when the team replies."
        if reply_to
        else "Follow it, reply or add files on its page; we will also mail you when the team replies."
    )
    footer_text, footer_html = _footer(number, url, profile_url, replies_read=bool(reply_to))
    account_text = account_html = ""
    if payload.get("set_password_url"):
        account = (
            "To sign in to the portal, choose a password (the link works once, for seven days), "
            "or use “Email me a sign-in link” on the sign-in page"
        )
        account_text = f"{account}: {payload['set_password_url']}\n\n"
        account_html = (
            f'<p>{escape(account)}: <a href="{escape(payload["set_password_url"])}">choose a password</a>.</p>\n'
        )
    text = f"Hello {payload['name']},\n\n{lead}\n\n{follow}\n\n{account_text}{footer_text}"
    html = (
        f"<p>Hello {escape(payload['name'])},</p>\n<p>{escape(lead)}</p>\n<p>{escape(follow)}</p>\n"
        f"{account_html}{footer_html}"
    )
    return build_message(
        to=payload["email"],
        subject=f"We received your request [{number}] {' '.join(payload['title'].split())}",
        text=text,
        html=html,
        message_id=message_id,
        references=[payload["thread_id"]],
        reply_to=reply_to,
    )


_registered_messages: dict[str, Callable[..., EmailMessage]] = {}


def register_message(event: str, build: Callable[..., EmailMessage]) -> None:
    """Render outbox mails of `event` with `build(payload, message_id=...)` (for modules this one cannot import)."""
    _registered_messages[event] = build


def send_outbox_message(message: outbox.Message) -> None:
    """Send a claimed outbox mail: a welcome, or news of a ticket under the row's stable Message-ID."""
    payload = message.payload
    # Imported here: the account mails are built with this module's build_message.
    from tickit.services import account_mail

    if message.event in _registered_messages:
        message_id = outbox_message_id(message.id, message.created_at)
        send(_registered_messages[message.event](payload, message_id=message_id))
        return
    if message.event in account_mail.MESSAGES:
        send(
            account_mail.MESSAGES[message.event](payload, message_id=outbox_message_id(message.id, message.created_at))
        )
        return
    if message.event == "welcome":
        send(welcome_message(to=payload["email"], name=payload["name"], role=payload["role"]))
        return
    reply_to = message.target or ""
    message_id = outbox_message_id(message.id, message.created_at)
    if message.event == ACKNOWLEDGEMENT:
        send(acknowledgement_message(payload, message_id=message_id, reply_to=reply_to))
    elif message.event == REQUESTER_DIGEST:
        send(requester_digest_message(payload, message_id=message_id, reply_to=reply_to))
    elif message.event == SURVEY:
        send(survey_message(payload, message_id=message_id, reply_to=reply_to))
    else:
        send(ticket_message(message.event, payload, message_id=message_id, reply_to=reply_to))


def claim_outbox_message(session: Session, message: outbox.Message) -> str:
    """Read what sending needs: the ticket mail's reply address ("" for none).

    Skipped (not failed) for an address that bounced less than BOUNCE_PAUSE ago, so TickIt does not
    keep mailing a dead address, and for a ticket mail beyond AUTOMATIC_MAILS_PER_HOUR to an address
    outside the team.
    """
    address = str(message.payload.get("email", "")).lower()
    user = session.exec(select(User).where(User.email == address)).first()
    bounced_at = user.mail_bounced_at if user is not None else None
    if bounced_at is not None and bounced_at > utcnow() - BOUNCE_PAUSE:
        raise outbox.Skipped(f"{address} bounced at {bounced_at:%Y-%m-%d %H:%M} UTC; not mailed for a while")
    number = message.payload.get("number")
    if not number or message.event == "welcome":
        return ""
    if user is None or user.role == Role.CLIENT or not user.is_active:
        window = AUTOMATIC_MAIL_WINDOW_SECONDS
        if ratelimit.hit(session, f"automail:{address}", window_seconds=window) > AUTOMATIC_MAILS_PER_HOUR:
            raise outbox.Skipped(f"{address} got {AUTOMATIC_MAILS_PER_HOUR} automatic mails this hour already")
    project_key = str(number).rsplit("-", 1)[0]
    mailbox = session.exec(
        select(Mailbox.address)
        .join(Project, Project.id == Mailbox.project_id)
        # A disabled mailbox takes no mail, so replies must not be sent to it.
        .where(Project.key == project_key, Mailbox.enabled == True)  # noqa: E712
        .order_by(Mailbox.id)
    ).first()
    return reply_address.reply_address(mailbox, str(number)) if mailbox else ""


def is_permanent(exc: Exception) -> bool:
    """An SMTP 5xx about this message or its recipient: no retry changes it.

    Sign-in and sender refusals are configuration mistakes: they stay retryable so the backlog
    goes out once an admin fixes the SMTP settings.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, (smtplib.SMTPAuthenticationError, smtplib.SMTPSenderRefused)):
        return False
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def sender() -> str:
    """Who TickIt's mail comes from: SMTP_FROM, or a local default when no SMTP server is set."""
    settings = get_settings()
    return settings.smtp.sender if settings.smtp else DEFAULT_SENDER


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
    make_private_dir(directory)
    name = f"{utcnow():%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}.eml"
    # Written under a hidden name and renamed, so nobody opens (or a watcher picks up) half a mail.
    partial = directory / f".{name}.partial"
    write_private(partial, message.as_bytes())
    os.replace(partial, directory / name)


outbox.register_sender(
    OUTBOX_CHANNEL,
    outbox.Sender(send=send_outbox_message, is_permanent=is_permanent, claim=claim_outbox_message),
)
