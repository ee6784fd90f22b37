"""Requesters who never chose a password: a first-password link, and signing in by a one-time mailed link.

- A requester created by the API, by mail or by staff has no password. Their acknowledgement mail
  carries a link to choose one (`first_password_url`, purpose set_password, valid seven days;
  `password_reset.reset_password` uses it).
- "Email me a sign-in link" on the sign-in page (`request_link`) mails a link valid 15 minutes to a
  requester's address, with the same answer whether or not the address has an account, within
  limits per address and per asking client. Staff accounts get no such link: their mailbox alone
  must not open a staff account; they use "Forgot password?".
- Opening the link shows a page with a button and changes nothing (mail scanners fetch links);
  pressing it (`sign_in`) uses the link once.
As everywhere in the services, the caller commits.
"""

from __future__ import annotations

from sqlmodel import Session

from tickit import routes
from tickit.models import Role, TokenPurpose, User
from tickit.services import account_mail, account_tokens, audit, outbox, ratelimit
from tickit.services.actors import UserPublic
from tickit.services.errors import RateLimited, ValidationFailed
from tickit.services.users import find_by_email, get_user

RATE_WINDOW_SECONDS = 3600
LINKS_PER_ACCOUNT = 5  # sign-in mails an address receives per hour, however often it is asked for
REQUESTS_PER_CLIENT = 20  # requests one client address may make per hour
SENT = (
    "If that address belongs to a requester's account, we sent it a sign-in link. "
    "It works once, for 15 minutes. Staff accounts sign in with their password."
)
DEACTIVATED = "This account has been deactivated. Ask the help desk to reactivate it."


def first_password_url(session: Session, user: User) -> str | None:
    """A fresh link for `user` to choose their first password, or None when they have one."""
    if user.password_hash is not None:
        return None
    token, _ = account_tokens.issue(
        session=session, purpose=TokenPurpose.SET_PASSWORD, email=user.email, user_id=user.id
    )
    return routes.set_password_url(token)


def request_link(*, session: Session, email: str, ip: str) -> str:
    """Mail a one-time sign-in link to `email` when it is an active requester's; the one answer for everyone.

    Raises RateLimited when this client asked too often (which says nothing about any account).
    """
    if ratelimit.hit(session, f"signin-link:ip:{ip}", window_seconds=RATE_WINDOW_SECONDS) > REQUESTS_PER_CLIENT:
        raise RateLimited(ratelimit.seconds_left(RATE_WINDOW_SECONDS), "Too many sign-in link requests from here")
    email = email.strip().lower()[:320]
    # Counted for every address, known or not, so both paths do the same work.
    key = f"signin-link:email:{email}"
    over = ratelimit.hit(session, key, window_seconds=RATE_WINDOW_SECONDS) > LINKS_PER_ACCOUNT
    user = find_by_email(session, email) if email else None
    if user is not None and user.is_active and user.role == Role.CLIENT and not over:
        token, _ = account_tokens.issue(
            session=session, purpose=TokenPurpose.SIGN_IN_LINK, email=user.email, user_id=user.id
        )
        outbox.stage(
            session,
            event=account_mail.SIGN_IN_LINK,
            channel="mail",
            recipient_user_id=user.id,
            payload={"email": user.email, "name": user.name, "url": routes.sign_in_link_url(token)},
        )
    return SENT


def account_for_link(*, session: Session, token: str) -> str:
    """The address a sign-in link is for, to show on its page; raises LinkGone. Reads only."""
    return account_tokens.peek(session=session, token=token, purpose=TokenPurpose.SIGN_IN_LINK).email


def sign_in(*, session: Session, token: str) -> UserPublic:
    """Use a sign-in link once and return whom it signs in; the caller starts the session.

    Raises LinkGone for a link that is unknown, used or expired, ValidationFailed for a deactivated account.
    """
    used = account_tokens.consume(session=session, token=token, purpose=TokenPurpose.SIGN_IN_LINK)
    assert used.user_id is not None
    user = get_user(session, used.user_id)
    if not user.is_active:
        raise ValidationFailed({"form": DEACTIVATED})
    audit.record(
        session, actor=UserPublic.of(user), action=audit.SIGN_IN, target=user.email, after={"method": "mailed link"}
    )
    return UserPublic.of(user)
