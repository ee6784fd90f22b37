"""A project's mailboxes: the addresses mail reaches TickIt at, and how (IMAP, the pipe, HTTP).

Admins and the project's admins add, change, disable, enable and remove them, and rotate the
HTTP secret; each change goes to the audit log, never a secret. A mailbox's HTTP secret is shown
once, when the mailbox is made or the secret rotated; only its SHA-256 is kept. Its IMAP password
has to be sent to the server, so it is kept as given and never returned: a change that leaves the
password empty keeps the one stored.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlmodel import Session, func, select

from tickit.models import InboundMessage, Mailbox, Project, TicketType
from tickit.services import audit
from tickit.services.access import project_to_configure
from tickit.services.actors import Actor
from tickit.services.errors import NotFound, ServiceError, Unauthenticated, ValidationFailed
from tickit.services.users import normalise_email

_KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
SECRET_BYTES = 32
NAME_MAX = 255  # host, user name, password and folder names: the columns' length
_CHANGEABLE = {"address", "type_key", "imap", "enabled"}


class MailboxDisabled(ServiceError):
    """Mail for a disabled mailbox: the pipe and HTTP answer "try later", so the sending server keeps it."""


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
    enabled: bool = True
    # The IMAP settings one by one, for the edit form; the password is never among them.
    imap_host: str = ""
    imap_port: int = 993
    imap_tls: bool = True
    imap_username: str = ""
    imap_folder: str = "INBOX"
    imap_move_to: str = ""
    received: int = 0  # mails stored for it
    removable: bool = True
    not_removable_because: str = ""


@dataclass(frozen=True)
class CreatedMailbox:
    """A mailbox just made, or its secret just rotated, with that secret: shown only now."""

    mailbox: MailboxPublic
    secret: str  # for `POST /inbound/email/{key}`


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
    address = _checked_address(session, address, errors, mailbox_id=None)
    chosen = _checked_type(session, project, type_key, errors)
    if imap is not None:
        errors.update(_imap_errors(imap, password_required=True))
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
    return CreatedMailbox(mailbox=_public(row, chosen, received=0), secret=secret)


def update_mailbox(
    *, session: Session, actor: Actor, project_key: str, mailbox_key: str, changes: dict[str, Any]
) -> MailboxPublic:
    """Change only what `changes` names: address, type_key, imap (ImapSettings, or None to stop polling), enabled.

    An `imap` whose password is empty keeps the stored password (it is never shown, so an edit
    form cannot send it back); turning IMAP on afresh needs one. ValidationFailed names each field
    at fault: `address`, `type`, `imap_host`, `imap_port`, `imap_username`, `imap_password`,
    `imap_folder`, `imap_move_to`.
    """
    unknown = set(changes) - _CHANGEABLE
    if unknown:
        raise ValueError(f"Not changeable: {sorted(unknown)}")
    project, row = _mailbox(session, actor, project_key, mailbox_key)
    before, was_enabled = _audited(row, session), row.enabled
    errors: dict[str, str] = {}
    if "address" in changes:
        address = _checked_address(session, changes["address"], errors, mailbox_id=row.id)
    chosen = _checked_type(session, project, changes["type_key"], errors) if "type_key" in changes else None
    imap: ImapSettings | None = changes.get("imap")
    password_changed = False
    if imap is not None:
        if not imap.password:
            imap = dataclasses.replace(imap, password=row.imap_password if row.imap_host else "")
        else:
            password_changed = imap.password != row.imap_password
        errors.update(_imap_errors(imap, password_required=True))
    if errors:
        raise ValidationFailed(errors)
    if "address" in changes:
        row.address = address
    if chosen is not None:
        row.type_id = chosen.id
    if "imap" in changes:
        _apply_imap(row, imap or ImapSettings(host="", port=993, tls=True, username="", password="", folder="INBOX"))
        # Another server or folder numbers its messages afresh: start from its first.
        if imap is None or (imap.host, imap.username, imap.folder) != (
            before["imap_host"],
            before["imap_user"],
            before["imap_folder"],
        ):
            row.imap_uidvalidity, row.imap_last_uid, row.last_error = None, 0, ""
    if "enabled" in changes:
        row.enabled = bool(changes["enabled"])
    session.add(row)
    session.flush()
    after = _audited(row, session)
    target = f"{project.key} · {row.address}"
    settings_before = {k: v for k, v in before.items() if k != "enabled"}
    settings_after = {k: v for k, v in after.items() if k != "enabled"}
    if password_changed:
        # That it changed, never what it is.
        settings_before["imap_password"], settings_after["imap_password"] = "(kept)", "(changed)"
    audit.record_change(
        session, actor=actor, action=audit.MAILBOX_CHANGED, target=target, before=settings_before, after=settings_after
    )
    if row.enabled != was_enabled:
        action = audit.MAILBOX_ENABLED if row.enabled else audit.MAILBOX_DISABLED
        audit.record(session, actor=actor, action=action, target=target, after={"key": row.key})
    return _public(row, _type_of(session, row), received=_received(session, row))


def rotate_secret(*, session: Session, actor: Actor, project_key: str, mailbox_key: str) -> CreatedMailbox:
    """Give the mailbox a new HTTP secret, returned this once; the old one stops working at once."""
    project, row = _mailbox(session, actor, project_key, mailbox_key)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    row.secret_hash = hash_secret(secret)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=audit.MAILBOX_SECRET_ROTATED,
        target=f"{project.key} · {row.address}",
        after={"key": row.key},
    )
    return CreatedMailbox(mailbox=_public(row, _type_of(session, row), received=_received(session, row)), secret=secret)


def remove_mailbox(*, session: Session, actor: Actor, project_key: str, mailbox_key: str) -> None:
    """Remove a mailbox that has received no mail; ValidationFailed naming `mailbox` says why not otherwise."""
    project, row = _mailbox(session, actor, project_key, mailbox_key)
    received = _received(session, row)
    if received:
        raise ValidationFailed({"mailbox": _why_kept(row.address, received)})
    audit.record(
        session,
        actor=actor,
        action=audit.MAILBOX_REMOVED,
        target=f"{project.key} · {row.address}",
        before={k: v for k, v in _audited(row, session).items() if v not in ("", None)},
    )
    session.delete(row)
    session.flush()


def imap_settings_to_check(*, session: Session, actor: Actor, project_key: str, mailbox_key: str) -> ImapSettings:
    """The mailbox's IMAP settings, password included, for a connection check by its project's admins."""
    _, row = _mailbox(session, actor, project_key, mailbox_key, lock=False)
    settings = imap_settings(row)
    if settings is None:
        raise ValidationFailed({"imap": f"{row.address} is not fetched over IMAP: there is no connection to check."})
    return settings


def list_mailboxes(*, session: Session, actor: Actor, project_key: str) -> list[MailboxPublic]:
    """The project's mailboxes by key (admins and its project admins)."""
    project = project_to_configure(session, actor, project_key)
    received = (
        select(func.count(InboundMessage.id))
        .where(InboundMessage.mailbox_id == Mailbox.id)
        .correlate(Mailbox)
        .scalar_subquery()
    )
    rows = session.exec(
        select(Mailbox, TicketType, received)
        .join(TicketType, TicketType.id == Mailbox.type_id)
        .where(Mailbox.project_id == project.id)
        .order_by(Mailbox.key)
    ).all()
    return [_public(mailbox, ticket_type, received=count) for mailbox, ticket_type, count in rows]


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


def _mailbox(
    session: Session, actor: Actor, project_key: str, mailbox_key: str, *, lock: bool = True
) -> tuple[Project, Mailbox]:
    """The project's mailbox `mailbox_key` (locked for a change), if the actor configures the project."""
    project = project_to_configure(session, actor, project_key)
    query = select(Mailbox).where(Mailbox.project_id == project.id, Mailbox.key == (mailbox_key or "").strip().lower())
    row = session.exec(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound(f"{project.key} has no mailbox {mailbox_key!r}.")
    return project, row


def _checked_address(session: Session, address: str, errors: dict[str, str], *, mailbox_id: int | None) -> str:
    """The address normalised; what is wrong with it goes into `errors` under `address`."""
    try:
        address = normalise_email(address)
    except ValidationFailed as exc:
        errors["address"] = exc.errors["email"]
        return address
    if "+" in address.split("@")[0]:
        errors["address"] = "Give the address without a +tag: TickIt adds one to its reply addresses."
    else:
        other = session.exec(select(Mailbox.id).where(Mailbox.address == address)).first()
        if other is not None and other != mailbox_id:
            errors["address"] = f"Another mailbox already receives {address}."
    return address


def _checked_type(
    session: Session, project: Project, type_key: str | None, errors: dict[str, str]
) -> TicketType | None:
    """The project's live type `type_key` (its first, for none); else an error under `type`."""
    types = session.exec(
        select(TicketType)
        .where(TicketType.project_id == project.id, TicketType.archived == False)  # noqa: E712
        .order_by(TicketType.sort_order, TicketType.id)
    ).all()
    chosen = next((t for t in types if t.key == type_key), None) if type_key else (types[0] if types else None)
    if chosen is None:
        known = ", ".join(t.key for t in types) or "none"
        errors["type"] = f"{project.key} has no ticket type {type_key or ''!r}; its types are: {known}."
    return chosen


def _imap_errors(imap: ImapSettings, *, password_required: bool) -> dict[str, str]:
    """What is wrong with IMAP settings, by field: `imap_host`, `imap_port`, ...; empty when nothing."""
    errors: dict[str, str] = {}
    host = imap.host.strip()
    if not host:
        errors["imap_host"] = "Give the IMAP server's host name, like imap.example.com."
    elif len(host) > NAME_MAX or any(c.isspace() or c in "/@:" for c in host):
        errors["imap_host"] = "Give only the host name, like imap.example.com: no scheme, port, user or spaces."
    if not 1 <= imap.port <= 65535:
        errors["imap_port"] = "The port is a number from 1 to 65535 (993 for IMAP over TLS)."
    if not imap.username.strip():
        errors["imap_username"] = "Give the user name TickIt logs in with."
    elif len(imap.username) > NAME_MAX:
        errors["imap_username"] = f"Keep the user name under {NAME_MAX} characters."
    if password_required and not imap.password:
        errors["imap_password"] = "Give the password TickIt logs in with."
    elif len(imap.password) > NAME_MAX:
        errors["imap_password"] = f"Keep the password under {NAME_MAX} characters."
    if not imap.folder.strip():
        errors["imap_folder"] = "Give the folder to read, usually INBOX."
    elif len(imap.folder) > NAME_MAX:
        errors["imap_folder"] = f"Keep the folder name under {NAME_MAX} characters."
    if len(imap.move_to) > NAME_MAX:
        errors["imap_move_to"] = f"Keep the folder name under {NAME_MAX} characters."
    elif imap.move_to.strip() and imap.move_to.strip() == imap.folder.strip():
        errors["imap_move_to"] = "Move processed mail to another folder than the one read, or leave this empty."
    return errors


def _apply_imap(row: Mailbox, imap: ImapSettings) -> None:
    row.imap_host, row.imap_port, row.imap_tls = imap.host.strip(), imap.port, imap.tls
    row.imap_username, row.imap_password = imap.username.strip(), imap.password
    row.imap_folder, row.imap_move_to = imap.folder.strip(), imap.move_to.strip()


def _type_of(session: Session, row: Mailbox) -> TicketType:
    return session.exec(select(TicketType).where(TicketType.id == row.type_id)).one()


def _received(session: Session, row: Mailbox) -> int:
    return session.exec(select(func.count(InboundMessage.id)).where(InboundMessage.mailbox_id == row.id)).one()


def _why_kept(address: str, received: int) -> str:
    mails = "one mail" if received == 1 else f"{received:,} mails"
    return (
        f"{address} has received {mails}, kept as the originals of tickets and replies, and its address is in "
        "the reply addresses of mail already sent. Disable it instead: it then takes no more mail."
    )


def _audited(row: Mailbox, session: Session) -> dict[str, Any]:
    """The settings an audit entry compares: never the password or the secret."""
    return {
        "address": row.address,
        "type": _type_of(session, row).key,
        "imap_host": row.imap_host,
        "imap_port": row.imap_port if row.imap_host else None,
        "imap_tls": row.imap_tls if row.imap_host else None,
        "imap_user": row.imap_username,
        "imap_folder": row.imap_folder if row.imap_host else "",
        "imap_move_to": row.imap_move_to,
        "enabled": row.enabled,
    }


def _public(row: Mailbox, ticket_type: TicketType, *, received: int) -> MailboxPublic:
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
        enabled=row.enabled,
        imap_host=row.imap_host,
        imap_port=row.imap_port,
        imap_tls=row.imap_tls,
        imap_username=row.imap_username,
        imap_folder=row.imap_folder,
        imap_move_to=row.imap_move_to,
        received=received,
        removable=received == 0,
        not_removable_because=_why_kept(row.address, received) if received else "",
    )
