"""A user's own signed-in sessions: listed on the profile, each one signed out on its own or all but this one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from tickit.models import UserSession, utcnow
from tickit.services import audit, auth
from tickit.services.actors import UserPublic
from tickit.services.errors import NotFound

# Checked in order: Edge and Opera say "Chrome" too, and Chrome says "Safari".
_BROWSERS = (
    ("Edge", r"Edg(e|A|iOS)?/"),
    ("Opera", r"OPR/|Opera"),
    ("Firefox", r"Firefox/|FxiOS/"),
    ("Chrome", r"Chrome/|CriOS/|Chromium/"),
    ("Safari", r"Safari/"),
)
_SYSTEMS = (
    ("iPhone", r"iPhone"),
    ("iPad", r"iPad"),
    ("Android", r"Android"),
    ("ChromeOS", r"CrOS"),
    ("Windows", r"Windows"),
    ("macOS", r"Macintosh|Mac OS X"),
    ("Linux", r"Linux|X11"),
)


def describe_user_agent(user_agent: str) -> str:
    """ "Firefox on Windows" from a User-Agent header, as far as it says; "Unknown browser" when it says nothing."""
    browser = next((name for name, pattern in _BROWSERS if re.search(pattern, user_agent)), "")
    system = next((name for name, pattern in _SYSTEMS if re.search(pattern, user_agent)), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or (f"A browser on {system}" if system else "Unknown browser")


@dataclass(frozen=True)
class SessionRow:
    """One signed-in session as the profile lists it."""

    id: int
    device: str
    address: str
    signed_in_at: datetime
    last_seen_at: datetime
    current: bool  # the session of the browser asking


def list_sessions(*, session: Session, actor: UserPublic, current_token: str | None) -> list[SessionRow]:
    """The actor's live sessions, this browser's first, then the most recently used."""
    current_hash = auth.token_hash(current_token) if current_token else ""
    rows = session.exec(
        select(UserSession)
        .where(UserSession.user_id == actor.id, UserSession.expires_at > utcnow())
        .order_by(col(UserSession.last_seen_at).desc())
    ).all()
    listed = [
        SessionRow(
            id=row.id,
            device=describe_user_agent(row.user_agent),
            address=row.ip_address or "unknown address",
            signed_in_at=row.created_at,
            last_seen_at=row.last_seen_at,
            current=row.token_hash == current_hash,
        )
        for row in rows
        if row.id is not None
    ]
    return sorted(listed, key=lambda r: not r.current)


def end_session_by_id(*, session: Session, actor: UserPublic, session_id: int) -> None:
    """Sign one of the actor's own sessions out; someone else's is NotFound."""
    ended = session.exec(
        delete(UserSession).where(col(UserSession.id) == session_id, UserSession.user_id == actor.id)
    ).rowcount
    if not ended:
        raise NotFound("That session has already ended.")
    audit.record(session, actor=actor, action=audit.SESSION_REVOKED, target=actor.email, after={"sessions": 1})


def end_other_sessions(*, session: Session, actor: UserPublic, keep_token: str | None) -> None:
    """Sign the actor out everywhere but the browser holding `keep_token`."""
    auth.end_other_sessions(session=session, user_id=actor.id, keep_token=keep_token)
    audit.record(
        session, actor=actor, action=audit.SESSION_REVOKED, target=actor.email, after={"sessions": "all others"}
    )
