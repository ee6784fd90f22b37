"""Signing in and out: password and Google sign-in, and server-side sessions.

The browser holds only a random token in an HttpOnly cookie; the database holds its
SHA-256, so a leaked database does not yield usable sessions.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete
from sqlmodel import Session, select

from tickit.config import ANY_DOMAIN, get_settings
from tickit.db import session_scope
from tickit.models import Role, User, UserSession, utcnow
from tickit.services import audit, organisations, sign_in_throttle
from tickit.services.actors import UserPublic
from tickit.services.errors import ServiceError, ValidationFailed
from tickit.services.passwords import verify_password
from tickit.services.users import find_by_email, new_password_errors, normalise_email, set_password

SESSION_COOKIE = "tickit_session"
# The longest address the users table holds; a longer one cannot belong to an account.
MAX_EMAIL_LENGTH = 320
# Over https the cookie is named with this prefix: browsers then accept it only Secure, for path /
# and for this host alone, so neither a subdomain nor a plain-http page can plant or shadow it.
SECURE_COOKIE_PREFIX = "__Host-"
# Writing last_seen on every event would turn each click into a write; once in a while is enough.
LAST_SEEN_RESOLUTION = timedelta(minutes=5)


def session_cookie_name() -> str:
    """The session cookie's name: `__Host-tickit_session` when APP_URL is https, else `tickit_session`."""
    return SECURE_COOKIE_PREFIX + SESSION_COOKIE if get_settings().cookie_secure else SESSION_COOKIE


class SignInFailed(ServiceError):
    """Sign-in refused; the message never says whether the email has an account."""


WRONG_CREDENTIALS = "Email or password is incorrect."
DEACTIVATED = "This account has been deactivated. Ask an admin to reactivate it."
EMAIL_TOO_LONG = f"An email address has at most {MAX_EMAIL_LENGTH} characters."
GOOGLE_UNVERIFIED = "Google did not confirm this email address, so TickIt cannot sign you in with it."
GOOGLE_STAFF_HAS_PASSWORD = (
    "This staff account signs in with its password, not with Google. "
    "An admin can allow Google sign-in for its email domain."
)
GOOGLE_NO_SIGNUP = "Your Google account's email address has no TickIt account. Ask the help desk to invite you."
PASSWORD_EXPIRED = "This generated password has expired. Restart TickIt to print a new one."
SIGN_IN_AGAIN = "Sign in again with the password TickIt printed, then choose your own."
SAME_AS_PRINTED = "Choose a password of your own, not the one TickIt printed."


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class _Account:
    user: UserPublic
    password_hash: str | None
    is_active: bool
    password_expires_at: datetime | None


def sign_in_with_password(*, email: str, password: str, ip: str, engine: Engine | None = None) -> UserPublic:
    """Check credentials under sign-in throttling (`sign_in_throttle`).

    Raises RateLimited while the attempt is held back, ValidationFailed for an email no account can
    have, SignInFailed for wrong credentials, a deactivated account or an expired generated
    password. Runs its own short
    transactions, as `outbox.deliver` does: one counts the attempt and reads the account, then the
    argon2 verification runs outside any (on SQLite a write transaction holds the database's one
    write lock, and a flood of failed sign-ins would stall every other writer), then a success is
    recorded in another.
    """
    email = email.strip().lower()
    with session_scope(engine) as session:
        sign_in_throttle.admit(session=session, email=email, address=ip)
        user = find_by_email(session, email) if len(email) <= MAX_EMAIL_LENGTH else None
        account = (
            _Account(UserPublic.of(user), user.password_hash, user.is_active, user.password_expires_at)
            if user
            else None
        )
    # Only now, with its attempt counted and committed.
    if len(email) > MAX_EMAIL_LENGTH:
        raise ValidationFailed({"email": EMAIL_TOO_LONG})
    # Verified even for an unknown email (against a dummy hash), so timing does not tell them apart.
    matches = verify_password(account.password_hash if account else None, password)
    refusal = (
        WRONG_CREDENTIALS
        if account is None or not matches
        else DEACTIVATED
        if not account.is_active
        else PASSWORD_EXPIRED
        if account.password_expires_at is not None and account.password_expires_at <= utcnow()
        else None
    )
    with session_scope(engine) as session, audit.from_address(ip):
        if account is not None and matches:
            sign_in_throttle.succeeded(session=session, email=email, address=ip)
        audit.record(
            session,
            actor=account.user if refusal is None and account else None,
            action=audit.SIGN_IN if refusal is None else audit.SIGN_IN_FAILED,
            target=email,
            after={"method": "password"} if refusal is None else {"reason": refusal},
        )
    if refusal is not None:
        raise SignInFailed(refusal)
    assert account is not None
    return account.user


def _domain_allowed(email: str, domains: frozenset[str]) -> bool:
    return ANY_DOMAIN in domains or email.rpartition("@")[2] in domains


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
    set_password(session, user, new)
    session.exec(delete(UserSession).where(UserSession.user_id == user.id))
    audit.record(session, actor=UserPublic.of(user), action=audit.PASSWORD_CHANGED, target=user.email)
    session.flush()
    return UserPublic.of(user)


def sign_in_with_google(*, session: Session, subject: str, email: str, email_verified: bool, name: str) -> UserPublic:
    """Find the user Google vouches for: by subject, else by verified email (linking), else a new client.

    Linking a staff account that has a password would let whoever controls a Google account for
    its address skip that password: allowed only for TICKIT_GOOGLE_STAFF_DOMAINS. A new client is
    created only for TICKIT_SELF_SIGNUP_DOMAINS.
    """
    settings = get_settings()
    user = session.exec(select(User).where(User.google_subject == subject)).first()
    if user is None:
        if not email_verified:
            raise SignInFailed(GOOGLE_UNVERIFIED)
        email = normalise_email(email)
        user = find_by_email(session, email)
        if user is None:
            if not _domain_allowed(email, settings.self_signup_domains):
                raise SignInFailed(GOOGLE_NO_SIGNUP)
            user = User(email=email, name=(name or email.split("@")[0]).strip()[:200], role=Role.CLIENT)
        elif (
            user.role != Role.CLIENT
            and user.password_hash
            and not _domain_allowed(email, settings.google_staff_domains)
        ):
            raise SignInFailed(GOOGLE_STAFF_HAS_PASSWORD)
        user.google_subject = subject
        session.add(user)
        session.flush()
        if user.role == Role.CLIENT:
            organisations.join_by_domain(session, user)  # Google vouched for the address
    if not user.is_active:
        raise SignInFailed(DEACTIVATED)
    audit.record(
        session, actor=UserPublic.of(user), action=audit.SIGN_IN, target=user.email, after={"method": "google"}
    )
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
            token_hash=token_hash(token),
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


def _ended(user_session: UserSession, now: datetime) -> bool:
    """Past its lifetime, or unused for longer than TICKIT_SESSION_IDLE_HOURS."""
    idle = timedelta(hours=get_settings().session_idle_hours)
    return user_session.expires_at <= now or now - user_session.last_seen_at > idle


@dataclass(frozen=True)
class SessionCheck:
    """Who is behind a session token, as read without writing anything."""

    actor: UserPublic | None
    # `resolve_session` has a write to make for this token: delete it (expired) or advance its last_seen_at.
    write_due: bool


def _session_row(session: Session, token: str | None) -> tuple[UserSession, User] | None:
    if not token:
        return None
    query = select(UserSession, User).join(User).where(UserSession.token_hash == token_hash(token))
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
    if _ended(user_session, now):
        return SessionCheck(actor=None, write_due=True)
    if not user.is_active or user.password_change_required:
        return SessionCheck(actor=None, write_due=False)
    return SessionCheck(actor=UserPublic.of(user), write_due=now - user_session.last_seen_at > LAST_SEEN_RESOLUTION)


def resolve_session(*, session: Session, token: str | None) -> UserPublic | None:
    """The active user behind a session token, or None when it is unknown, expired, idle too long or deactivated.

    None too for a user who signed in with a generated password and has yet to choose their own.
    """
    row = _session_row(session, token)
    if row is None:
        return None
    user_session, user = row
    now = utcnow()
    if _ended(user_session, now):
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
    session.exec(delete(UserSession).where(UserSession.token_hash == token_hash(token)))


def end_other_sessions(*, session: Session, user_id: int, keep_token: str | None) -> None:
    """Sign the user out everywhere except the browser holding `keep_token`."""
    query = delete(UserSession).where(UserSession.user_id == user_id)
    if keep_token:
        query = query.where(UserSession.token_hash != token_hash(keep_token))
    session.exec(query)


def session_max_age_seconds() -> int:
    return get_settings().session_days * 24 * 3600
