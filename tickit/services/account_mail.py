"""The mails about a person's account: a reset link, "your password was changed", an invitation, a sign-in link,
a sign-up's confirmation.

Staged in the outbox like every mail (`outbox.stage`, channel "mail"); `mail.send_outbox_message`
renders them with `MESSAGES`. A link's token rides in the staged payload, as the survey's does: the
row lives as long as the outbox keeps delivered rows, but the link itself dies on first use, on
expiry, or when the password changes.
"""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from html import escape
from typing import Any

from tickit import routes
from tickit.config import get_settings
from tickit.services.mail import build_message

PASSWORD_RESET = "password_reset"
PASSWORD_CHANGED = "password_changed"
INVITATION = "invitation"
SIGN_IN_LINK = "sign_in_link"
SIGN_UP = "sign_up"

_BUTTON = "display:inline-block;padding:8px 18px;border-radius:6px;color:#fff;background:#3e63dd;text-decoration:none"


def _link_mail(*, to: str, subject: str, greeting: str, lead: str, action: str, url: str, after: str, message_id: str):
    text = f"{greeting}\n\n{lead}\n\n{action}: {url}\n\n{after}\n"
    html = (
        f"<p>{escape(greeting)}</p>\n<p>{escape(lead)}</p>\n"
        f'<p><a href="{escape(url)}" style="{_BUTTON}">{escape(action)}</a></p>\n'
        f'<p style="color:#666;font-size:smaller">{escape(after)}</p>\n'
    )
    return build_message(to=to, subject=subject, text=text, html=html, message_id=message_id)


def reset_message(payload: dict[str, Any], *, message_id: str) -> EmailMessage:
    """The reset link, valid one hour; says what to do when the reader asked for nothing."""
    return _link_mail(
        to=payload["email"],
        subject="Reset your TickIt password",
        greeting=f"Hello {payload['name']},",
        lead="Someone (we hope you) asked to reset the password of your TickIt account. "
        "The link below opens a page where you choose a new one. It works once, for one hour.",
        action="Choose a new password",
        url=payload["url"],
        after="If you did not ask for this, ignore this mail: your password stays as it is.",
        message_id=message_id,
    )


def password_changed_message(payload: dict[str, Any], *, message_id: str) -> EmailMessage:
    """ "Your password was changed": every session ended, and what to do if it was not them."""
    login = f"{get_settings().app_url}{routes.LOGIN}"
    return _link_mail(
        to=payload["email"],
        subject="Your TickIt password was changed",
        greeting=f"Hello {payload['name']},",
        lead="The password of your TickIt account was just changed, and every browser signed in "
        "to it has been signed out.",
        action="Sign in",
        url=login,
        after="If you did not change it, use “Forgot password?” on the sign-in page at once to choose "
        "a new one, and tell your help desk's admin.",
        message_id=message_id,
    )


def invitation_message(payload: dict[str, Any], *, message_id: str) -> EmailMessage:
    """The invitation: who invites, to do what, and the link (valid seven days)."""
    projects = payload.get("projects") or []
    where = f" in {', '.join(projects)}" if projects else ""
    role = payload["role"]
    article = "an" if role[0] in "aeiou" else "a"
    return _link_mail(
        to=payload["email"],
        subject=f"{payload['inviter']} invited you to TickIt",
        greeting="Hello,",
        lead=f"{payload['inviter']} invited you to join their help desk on TickIt as {article} {role}{where}. "
        "Open the link to choose your name and password.",
        action="Accept the invitation",
        url=payload["url"],
        after="The link works once, for seven days. If you do not know the sender, ignore this mail.",
        message_id=message_id,
    )


def sign_in_link_message(payload: dict[str, Any], *, message_id: str) -> EmailMessage:
    """A one-time sign-in link, valid 15 minutes."""
    return _link_mail(
        to=payload["email"],
        subject="Your TickIt sign-in link",
        greeting=f"Hello {payload['name']},",
        lead="Someone (we hope you) asked to sign in to TickIt with a link mailed to this address. "
        "It works once, for 15 minutes.",
        action="Sign in to TickIt",
        url=payload["url"],
        after="If you did not ask for this, ignore this mail: nobody can sign in without it.",
        message_id=message_id,
    )


def sign_up_message(payload: dict[str, Any], *, message_id: str) -> EmailMessage:
    """Confirm the address of a new account: the link, valid two days."""
    return _link_mail(
        to=payload["email"],
        subject="Confirm your address to finish signing up to TickIt",
        greeting="Hello,",
        lead=f"Someone (we hope you) asked for an account with this address to file requests in "
        f"{payload['project']}. Open the link to confirm the address and choose your name and password.",
        action="Confirm and create my account",
        url=payload["url"],
        after="The link works once, for two days. If you did not ask for this, ignore this mail: "
        "no account is made without it.",
        message_id=message_id,
    )


MESSAGES: dict[str, Callable[..., EmailMessage]] = {
    PASSWORD_RESET: reset_message,
    PASSWORD_CHANGED: password_changed_message,
    INVITATION: invitation_message,
    SIGN_IN_LINK: sign_in_link_message,
    SIGN_UP: sign_up_message,
}
