"""The one table of mailed single-use links: reset, invitation, email verification, email change.

- The link carries a random token; only its sha256 is stored, so a copy of the database opens nothing.
- Opening a link only reads (`peek`): mail scanners fetch links. Submitting its form uses it
  (`consume`), in one UPDATE that succeeds only while the token is unused and unexpired, so two
  submits at the same instant cannot both act, and expiry is judged at the moment of use.
- A password change ends every unused link of the account (`invalidate_for_user`): a reset link
  mailed before it, or one left in a mailbox someone else reads, stops working.
As everywhere in the services, the caller commits.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select

from tickit.models import AccountToken, TokenPurpose, utcnow
from tickit.services.errors import NotFound

LIFETIMES = {
    TokenPurpose.RESET: timedelta(hours=1),
    TokenPurpose.INVITATION: timedelta(days=7),
    TokenPurpose.VERIFY_EMAIL: timedelta(days=2),
    TokenPurpose.EMAIL_CHANGE: timedelta(days=2),
    TokenPurpose.SET_PASSWORD: timedelta(days=7),
    TokenPurpose.SIGN_IN_LINK: timedelta(minutes=15),
}
# Every purpose but an invitation acts on an existing account, and dies with its password.
_ENDED_BY_PASSWORD_CHANGE = (
    TokenPurpose.RESET,
    TokenPurpose.VERIFY_EMAIL,
    TokenPurpose.EMAIL_CHANGE,
    TokenPurpose.SET_PASSWORD,
    TokenPurpose.SIGN_IN_LINK,
)
LINK_GONE = "This link has expired or has already been used."


class LinkGone(NotFound):
    """No usable token: unknown, used, expired, revoked, or meant for something else."""

    def __init__(self) -> None:
        super().__init__(LINK_GONE)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh random token for a link, and the hash to store."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def issue(
    *,
    session: Session,
    purpose: TokenPurpose,
    email: str,
    user_id: int | None = None,
    created_by_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> tuple[str, AccountToken]:
    """Store a new token for `purpose` and return it (for the link, never stored) with its row."""
    token, hashed = new_token()
    row = AccountToken(
        purpose=purpose,
        token_hash=hashed,
        user_id=user_id,
        email=email,
        details=details or {},
        created_by_id=created_by_id,
        expires_at=utcnow() + LIFETIMES[purpose],
    )
    session.add(row)
    session.flush()
    return token, row


def peek(*, session: Session, token: str, purpose: TokenPurpose) -> AccountToken:
    """The usable token behind a link, read only (opening a link must not use it); raises LinkGone."""
    row = session.exec(
        select(AccountToken).where(
            AccountToken.token_hash == token_hash(token),
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > utcnow(),
        )
    ).first()
    if row is None:
        raise LinkGone()
    return row


def consume(*, session: Session, token: str, purpose: TokenPurpose) -> AccountToken:
    """Use the token once: marks it used in one conditional UPDATE and returns its row; raises LinkGone.

    The condition (unused, unexpired, this purpose) is checked by the database as it writes, so of
    two submits racing, one gets the row and the other LinkGone.
    """
    now = utcnow()
    used_id = session.exec(
        update(AccountToken)
        .where(
            AccountToken.token_hash == token_hash(token),
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > now,
        )
        .values(used_at=now)
        .returning(AccountToken.id)
    ).first()
    if used_id is None:
        raise LinkGone()
    row = session.get(AccountToken, used_id[0], populate_existing=True)
    assert row is not None
    return row


def invalidate_for_user(*, session: Session, user_id: int) -> None:
    """End every unused link that acts on this account; called whenever its password changes."""
    session.exec(
        update(AccountToken)
        .where(
            AccountToken.user_id == user_id,
            AccountToken.purpose.in_(_ENDED_BY_PASSWORD_CHANGE),
            AccountToken.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
