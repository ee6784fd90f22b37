"""A project's mailboxes: the addresses mail reaches TickIt at, and how (IMAP, the pipe, HTTP).

A mailbox's HTTP secret is shown once when the mailbox is made; only its SHA-256 is kept. Its
IMAP password has to be sent to the server, so it is kept as given and never shown again.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote, urlsplit

from sqlmodel import Session, select

from tickit.models import Mailbox, TicketType
from tickit.services import audit
from tickit.services.access import project_to_configure
from tickit.services.actors import Actor
from tickit.services.errors import NotFound, Unauthenticated, ValidationFailed
from tickit.services.users import normalise_email

_KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
SECRET_BYTES = 32


@dataclass(frozen=True)
class ImapSettings:
    """Where and how a mailbox is polled."""

    host: str
    port: int
    tls: bool
    username: str
    password: str
    folder: str
    move_to: str = ""


@dataclass(frozen=True)
class MailboxPublic:
    """A mailbox as the admin page and `tickit mailbox list` show it (never its secret or password)."""

    id: int
    key: str
    address: str
    project_id: int
    type_key: str
    type_name: str
    imap: str  # "imaps://user@host:993/INBOX", or "" when not polled
    last_poll_at: datetime | None
    last_error: str


@dataclass(frozen=True)
class CreatedMailbox:
    mailbox: MailboxPublic
    secret: str  # for `POST /inbound/email/{key}`; shown only now


def parse_imap_url(url: str, *, move_to: str = "") -> ImapSettings:
    """`imaps://user:pass@host:port/INBOX` (`imap://` for a server without TLS) as settings.

    ValidationFailed naming `imap_url` when it is not such a URL.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("imap", "imaps") or not parts.hostname:
        raise ValidationFailed({"imap_url": "Give the server as imaps://user:password@host:993/INBOX."})
    if not parts.username or parts.password is None:
        raise ValidationFailed({"imap_url": "Give the user name and password in the URL: imaps://user:password@host."})
    tls = parts.scheme == "imaps"
    try:
        port = parts.port or (993 if tls else 143)
    except ValueError:
        raise ValidationFailed({"imap_url": "The port must be a number from 1 to 65535."}) from None
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    return ImapSettings(
        host=parts.hostname,
        port=port,
        tls=tls,
        username=unquote(parts.username),
        password=unquote(parts.password),
        folder=folder,
        move_to=move_to.strip(),
    )


def add_mailbox(
    *,
    session: Session,
    actor: Actor,
    project_key: str,
    key: str,
    address: str,
    type_key: str | None = None,
    imap: ImapSettings | None = None,
) -> CreatedMailbox:
    """Make a mailbox for the project (admins, its project admins); new tickets get `type_key`, else its first type.

    ValidationFailed names `key`, `address` or `type`: a key already used, an address another
    mailbox has, a type the project does not have.
    """
    project = project_to_configure(session, actor, project_key)
    errors: dict[str, str] = {}
    key = key.strip().lower()
    if not _KEY.fullmatch(key):
        errors["key"] = "Use 1-40 lower-case letters, digits, - or _, starting with a letter or digit."
    elif session.exec(select(Mailbox.id).where(Mailbox.key == key)).first() is not None:
        errors["key"] = f"There is already a mailbox {key}."
    try:
        address = normalise_email(address)
    except ValidationFailed as exc:
        errors["address"] = exc.errors["email"]
    else:
        if "+" in address.split("@")[0]:
            errors["address"] = "Give the address without a +tag: TickIt adds one to its reply addresses."
        elif session.exec(select(Mailbox.id).where(Mailbox.address == address)).first() is not None:
            errors["address"] = f"Another mailbox already receives {address}."
    types = session.exec(
        select(TicketType)
        .where(TicketType.project_id == project.id, TicketType.archived == False)  # noqa: E712
        .order_by(TicketType.sort_order, TicketType.id)
    ).all()
    chosen = next((t for t in types if t.key == type_key), None) if type_key else (types[0] if types else None)
    if chosen is None:
        known = ", ".join(t.key for t in types) or "none"
        errors["type"] = f"{project.key} has no ticket type {type_key or ''!r}; its types are: {known}."
    if errors:
        raise ValidationFailed(errors)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    row = Mailbox(project_id=project.id, key=key, address=address, type_id=chosen.id, secret_hash=hash_secret(secret))
    if imap is not None:
        _apply_imap(row, imap)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=audit.MAILBOX_ADDED,
        target=f"{project.key} · {address}",
        # The IMAP password and the endpoint's secret stay out of the log.
        after={"key": key, "type": chosen.key, "imap": imap.host if imap is not None else None},
    )
    return CreatedMailbox(mailbox=_public(row, chosen), secret=secret)


def list_mailboxes(*, session: Session, actor: Actor, project_key: str) -> list[MailboxPublic]:
    """The project's mailboxes by key (admins and its project admins)."""
    project = project_to_configure(session, actor, project_key)
    rows = session.exec(
        select(Mailbox, TicketType)
        .join(TicketType, TicketType.id == Mailbox.type_id)
        .where(Mailbox.project_id == project.id)
        .order_by(Mailbox.key)
    ).all()
    return [_public(mailbox, ticket_type) for mailbox, ticket_type in rows]


def mailbox_by_key(session: Session, key: str, *, for_update: bool = False) -> Mailbox:
    """The mailbox `key`; NotFound when there is none."""
    query = select(Mailbox).where(Mailbox.key == (key or "").strip().lower())
    if for_update:
        query = query.with_for_update()
    row = session.exec(query).first()
    if row is None:
        raise NotFound(f"There is no mailbox {key!r}; `tickit mailbox list --project KEY` shows them.")
    return row


def check_secret(session: Session, key: str, secret: str | None) -> Mailbox:
    """The mailbox `key` when `secret` is its HTTP secret; Unauthenticated otherwise (also for an unknown key)."""
    row = session.exec(select(Mailbox).where(Mailbox.key == (key or "").strip().lower())).first()
    # Compared even when there is no mailbox, so the answer's timing does not tell which keys exist.
    stored = row.secret_hash if row is not None else "0" * 64
    if not hmac.compare_digest(stored, hash_secret(secret or "")) or row is None or not secret:
        raise Unauthenticated("Unknown mailbox or wrong secret.")
    return row


def hash_secret(secret: str) -> str:
    """The stored form of a mailbox's HTTP secret: its SHA-256, hex."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def imap_settings(mailbox: Mailbox) -> ImapSettings | None:
    """How the mailbox is polled, or None when it is not."""
    if not mailbox.imap_host:
        return None
    return ImapSettings(
        host=mailbox.imap_host,
        port=mailbox.imap_port,
        tls=mailbox.imap_tls,
        username=mailbox.imap_username,
        password=mailbox.imap_password,
        folder=mailbox.imap_folder,
        move_to=mailbox.imap_move_to,
    )


def _apply_imap(row: Mailbox, imap: ImapSettings) -> None:
    row.imap_host, row.imap_port, row.imap_tls = imap.host, imap.port, imap.tls
    row.imap_username, row.imap_password = imap.username, imap.password
    row.imap_folder, row.imap_move_to = imap.folder, imap.move_to


def _public(row: Mailbox, ticket_type: TicketType) -> MailboxPublic:
    imap = ""
    if row.imap_host:
        scheme = "imaps" if row.imap_tls else "imap"
        imap = f"{scheme}://{row.imap_username}@{row.imap_host}:{row.imap_port}/{row.imap_folder}"
    return MailboxPublic(
        id=row.id,
        key=row.key,
        address=row.address,
        project_id=row.project_id,
        type_key=ticket_type.key,
        type_name=ticket_type.name,
        imap=imap,
        last_poll_at=row.last_poll_at,
        last_error=row.last_error,
    )
