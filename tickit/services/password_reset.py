"""Password reset: "Forgot password?", an admin's "send reset link", and the operator's CLI.

- Asking (`request_reset`) always gets the same answer whether or not the address has an account,
  and does the same work up to the point where there is an account to mail; limits per address
  and per asking client keep it from being used to flood a mailbox.
- The link (`account_tokens`, purpose reset) works once, for one hour. Opening it shows a form
  and changes nothing; submitting it (`reset_password`) sets the password, ends every session of
  the account and every other link, and mails "your password was changed".
As everywhere in the services, the caller commits.
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import Session

from tickit import routes
from tickit.models import TokenPurpose, User, UserSession
from tickit.services import account_mail, account_tokens, audit, outbox, ratelimit
from tickit.services.actors import Actor, UserPublic, require_admin
from tickit.services.errors import RateLimited, ValidationFailed
from tickit.services.users import find_by_email, get_user, new_password_errors, set_password

RATE_WINDOW_SECONDS = 3600
LINKS_PER_ACCOUNT = 3  # reset mails an address receives per hour, however often it is asked for
REQUESTS_PER_CLIENT = 20  # requests one client address may make per hour
SENT = "If an account exists for that address, we sent it a link to choose a new password. It works for one hour."
DEACTIVATED = "This account has been deactivated. Ask an admin to reactivate it."


def request_reset(*, session: Session, email: str, ip: str) -> str:
    """Mail a reset link to `email` when it belongs to an active account; returns the one answer for everyone.

    Raises RateLimited when this client asked too often (which says nothing about any account).
    """
    if ratelimit.hit(session, f"reset:ip:{ip}", window_seconds=RATE_WINDOW_SECONDS) > REQUESTS_PER_CLIENT:
        raise RateLimited(ratelimit.seconds_left(RATE_WINDOW_SECONDS), "Too many reset requests from here")
    email = email.strip().lower()[:320]
    # Counted for every address, known or not, so both paths do the same work.
    over = ratelimit.hit(session, f"reset:email:{email}", window_seconds=RATE_WINDOW_SECONDS) > LINKS_PER_ACCOUNT
    user = find_by_email(session, email) if email else None
    if user is not None and user.is_active and not over:
        _stage_link(session, user, created_by_id=None)
    return SENT


def _stage_link(session: Session, user: User, *, created_by_id: int | None) -> None:
    token, _ = account_tokens.issue(
        session=session, purpose=TokenPurpose.RESET, email=user.email, user_id=user.id, created_by_id=created_by_id
    )
    outbox.stage(
        session,
        event=account_mail.PASSWORD_RESET,
        channel="mail",
        recipient_user_id=user.id,
        payload={"email": user.email, "name": user.name, "url": routes.reset_password_url(token)},
    )


def send_reset_link(*, session: Session, actor: Actor, user_id: int) -> UserPublic:
    """An admin mails a user a reset link (the users page's "Send reset link")."""
    require_admin(actor)
    user = get_user(session, user_id)
    if not user.is_active:
        raise ValidationFailed({"user": "This account is deactivated; reactivate it first."})
    _stage_link(session, user, created_by_id=actor.id if isinstance(actor, UserPublic) else None)
    audit.record(session, actor=actor, action=audit.PASSWORD_RESET_SENT, target=user.email, after={"by": "mail"})
    return UserPublic.of(user)


def reset_link(*, session: Session, actor: Actor, email: str) -> str:
    """A reset link for the operator to hand over (`tickit user reset-password`); nothing is mailed."""
    require_admin(actor)
    user = find_by_email(session, email)
    if user is None:
        raise ValidationFailed({"email": f"No user with email {email.strip().lower()}."})
    if not user.is_active:
        raise ValidationFailed({"email": f"{user.email} is deactivated; reactivate it first."})
    token, _ = account_tokens.issue(session=session, purpose=TokenPurpose.RESET, email=user.email, user_id=user.id)
    audit.record(
        session, actor=actor, action=audit.PASSWORD_RESET_SENT, target=user.email, after={"by": "printed link"}
    )
    return routes.reset_password_url(token)


# The links that set a password: a reset, and a requester's first password (`sign_in_links`).
PASSWORD_LINKS = (TokenPurpose.RESET, TokenPurpose.SET_PASSWORD)


def account_for_link(*, session: Session, token: str, purpose: TokenPurpose = TokenPurpose.RESET) -> str:
    """The address a reset (or first-password) link is for, to show on its page; raises LinkGone. Reads only."""
    assert purpose in PASSWORD_LINKS
    return account_tokens.peek(session=session, token=token, purpose=purpose).email


def reset_password(
    *, session: Session, token: str, new: str, confirm: str, purpose: TokenPurpose = TokenPurpose.RESET
) -> UserPublic:
    """Use a reset (or first-password) link: set the password, end every session and link of the account.

    The owner is mailed "your password was changed" when the account had a password before.
    Raises LinkGone for a link that is unknown, used, expired or ended by a password change, and
    ValidationFailed (leaving the link usable) for a password that will not do.
    """
    assert purpose in PASSWORD_LINKS
    account_tokens.peek(session=session, token=token, purpose=purpose)
    errors = new_password_errors(new, confirm)
    if errors:
        raise ValidationFailed(errors)
    used = account_tokens.consume(session=session, token=token, purpose=purpose)
    assert used.user_id is not None
    user = get_user(session, used.user_id)
    if not user.is_active:
        raise ValidationFailed({"form": DEACTIVATED})
    had_password = user.password_hash is not None
    set_password(session, user, new)
    session.exec(delete(UserSession).where(UserSession.user_id == user.id))
    audit.record(
        session,
        actor=UserPublic.of(user),
        action=audit.PASSWORD_RESET if had_password else audit.PASSWORD_CHANGED,
        target=user.email,
        after={"sessions": "ended", "link": str(purpose)},
    )
    if had_password:
        outbox.stage(
            session,
            event=account_mail.PASSWORD_CHANGED,
            channel="mail",
            recipient_user_id=user.id,
            payload={"email": user.email, "name": user.name},
        )
    session.flush()
    return UserPublic.of(user)
