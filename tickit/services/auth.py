"""Signing in and out: password and Google sign-in, and server-side sessions.

The browser holds only a random token in an HttpOnly cookie; the database holds its
SHA-256, so a leaked database does not yield usable sessions.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import Session, select

from tickit.config import get_settings
from tickit.models import Role, User, UserSession, utcnow
from tickit.services import ratelimit
from tickit.services.actors import UserPublic
from tickit.services.errors import RateLimited, ServiceError, ValidationFailed
from tickit.services.passwords import hash_password, verify_password
from tickit.services.users import find_by_email, new_password_errors, normalise_email

SESSION_COOKIE = "tickit_session"
FAILURE_WINDOW_SECONDS = 15 * 60
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_IP = 30
# Writing last_seen on every event would turn each click into a write; once in a while is enough.
LAST_SEEN_RESOLUTION = timedelta(minutes=5)


class SignInFailed(ServiceError):
    """Sign-in refused; the message never says whether the email has an account."""


WRONG_CREDENTIALS = "Email or password is incorrect."
DEACTIVATED = "This account has been deactivated. Ask an admin to reactivate it."
PASSWORD_EXPIRED = "This generated password has expired. Restart TickIt to print a new one."
SIGN_IN_AGAIN = "Sign in again with the password TickIt printed, then choose your own."
SAME_AS_PRINTED = "Choose a password of your own, not the one TickIt printed."


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _failure_keys(email: str, ip: str) -> list[tuple[str, int]]:
    return [(f"signin:email:{email.strip().lower()}", MAX_FAILURES_PER_EMAIL), (f"signin:ip:{ip}", MAX_FAILURES_PER_IP)]


def sign_in_with_password(*, session: Session, email: str, password: str, ip: str) -> UserPublic:
    """Check credentials, counting failures per email and per address to slow guessing.

    On a wrong password the failure is counted in `session` before SignInFailed is raised;
    the caller must still commit, or the count is lost and guessing goes unthrottled.
    """
    keys = _failure_keys(email, ip)
    for key, limit in keys:
        if ratelimit.count(session, key, window_seconds=FAILURE_WINDOW_SECONDS) >= limit:
            raise RateLimited(ratelimit.seconds_left(FAILURE_WINDOW_SECONDS), "Too many failed sign-in attempts")
    user = find_by_email(session, email)
    if not verify_password(user.password_hash if user else None, password):
        for key, _ in keys:
            ratelimit.hit(session, key, window_seconds=FAILURE_WINDOW_SECONDS)
        raise SignInFailed(WRONG_CREDENTIALS)
    if not user.is_active:
        raise SignInFailed(DEACTIVATED)
    if user.password_expires_at is not None and user.password_expires_at <= utcnow():
        raise SignInFailed(PASSWORD_EXPIRED)
    return UserPublic.of(user)


def choose_password(*, session: Session, token: str | None, new: str, confirm: str) -> UserPublic:
    """Replace the generated password a session signed in with by the user's own; ends all their sessions.

    A session opened with a generated password (`must_choose_password`) is good for this alone:
    `check_session` sees no one behind it. The caller opens a fresh session for the user afterwards.
    Raises SignInFailed when `token` is no such session, ValidationFailed for a password that will not do.
    """
    row = _session_row(session, token)
    if row is None or row[0].expires_at <= utcnow() or not row[1].is_active or not row[1].password_change_required:
        raise SignInFailed(SIGN_IN_AGAIN)
    user = row[1]
    errors = new_password_errors(new, confirm)
    if not errors and verify_password(user.password_hash, new):
        errors["new"] = SAME_AS_PRINTED
    if errors:
        raise ValidationFailed(errors)
    user.password_hash = hash_password(new)
    user.password_change_required = False
    user.password_expires_at = None
    session.add(user)
    session.exec(delete(UserSession).where(UserSession.user_id == user.id))
    session.flush()
    return UserPublic.of(user)


def sign_in_with_google(*, session: Session, subject: str, email: str, email_verified: bool, name: str) -> UserPublic:
    """Find the user Google vouches for: by subject, else by verified email (linking), else a new client."""
    user = session.exec(select(User).where(User.google_subject == subject)).first()
    if user is None:
        if not email_verified:
            raise SignInFailed("Google did not confirm this email address, so TickIt cannot sign you in with it.")
        email = normalise_email(email)
        user = find_by_email(session, email)
        if user is None:
            user = User(email=email, name=(name or email.split("@")[0]).strip()[:200], role=Role.CLIENT)
        user.google_subject = subject
        session.add(user)
        session.flush()
    if not user.is_active:
        raise SignInFailed(DEACTIVATED)
    return UserPublic.of(user)


def start_session(
    *, session: Session, user_id: int, ip: str = "", user_agent: str = "", replacing_token: str | None = None
) -> str:
    """Open a new session and return its token; the session the browser had before is ended."""
    if replacing_token:
        end_session(session=session, token=replacing_token)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        UserSession(
            user_id=user_id,
            token_hash=_token_hash(token),
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(days=get_settings().session_days),
            ip_address=ip[:64],
            user_agent=user_agent[:400],
        )
    )
    user = session.get(User, user_id)
    user.last_sign_in_at = now
    session.add(user)
    session.flush()
    return token


@dataclass(frozen=True)
class SessionCheck:
    """Who is behind a session token, as read without writing anything."""

    actor: UserPublic | None
    # `resolve_session` has a write to make for this token: delete it (expired) or advance its last_seen_at.
    write_due: bool


def _session_row(session: Session, token: str | None) -> tuple[UserSession, User] | None:
    if not token:
        return None
    query = select(UserSession, User).join(User).where(UserSession.token_hash == _token_hash(token))
    return session.exec(query).first()


def check_session(*, session: Session, token: str | None) -> SessionCheck:
    """The active user behind a session token, read only, for a read-only transaction.

    Says whether `resolve_session` has a write to make for the token, so the caller can run it in a
    write transaction of its own when it is due (rarely: see LAST_SEEN_RESOLUTION).
    """
    row = _session_row(session, token)
    if row is None:
        return SessionCheck(actor=None, write_due=False)
    user_session, user = row
    now = utcnow()
    if user_session.expires_at <= now:
        return SessionCheck(actor=None, write_due=True)
    if not user.is_active or user.password_change_required:
        return SessionCheck(actor=None, write_due=False)
    return SessionCheck(actor=UserPublic.of(user), write_due=now - user_session.last_seen_at > LAST_SEEN_RESOLUTION)


def resolve_session(*, session: Session, token: str | None) -> UserPublic | None:
    """The active user behind a session token, or None when it is unknown, expired or deactivated.

    None too for a user who signed in with a generated password and has yet to choose their own.
    """
    row = _session_row(session, token)
    if row is None:
        return None
    user_session, user = row
    now = utcnow()
    if user_session.expires_at <= now:
        session.delete(user_session)
        return None
    if not user.is_active or user.password_change_required:
        return None
    if now - user_session.last_seen_at > LAST_SEEN_RESOLUTION:
        user_session.last_seen_at = now
        session.add(user_session)
    return UserPublic.of(user)


def end_session(*, session: Session, token: str) -> None:
    """Sign out: the token stops working at once."""
    session.exec(delete(UserSession).where(UserSession.token_hash == _token_hash(token)))


def end_other_sessions(*, session: Session, user_id: int, keep_token: str | None) -> None:
    """Sign the user out everywhere except the browser holding `keep_token`."""
    query = delete(UserSession).where(UserSession.user_id == user_id)
    if keep_token:
        query = query.where(UserSession.token_hash != _token_hash(keep_token))
    session.exec(query)


def session_max_age_seconds() -> int:
    return get_settings().session_days * 24 * 3600
