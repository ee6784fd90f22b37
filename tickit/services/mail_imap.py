"""Polling a mailbox over IMAP: every new message, by UID, into `mail_in.receive`.

- New mail is what has a UID above the last one taken, in the folder's current UIDVALIDITY; the
  \\Seen flag is never read or set (messages are fetched with BODY.PEEK), so a person reading
  the mailbox in a mail client changes nothing. When the server renumbers the folder (a new
  UIDVALIDITY) every message is read again, and the stored Message-IDs make nothing twice.
- The last UID is saved after each message, so a poll that dies halfway goes on from there.
- With a "move to" folder each processed message is moved there (MOVE, or COPY and expunge).
- What goes wrong is saved on the mailbox in words an admin can act on ("the server refused the
  user name or password"), and cleared by the next poll that works. `check_connection` logs in
  the same way for an admin who asks, and words a failure the same way.
- Certificates are checked against the system's authorities, and those of TICKIT_IMAP_CA_FILE.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError
from sqlmodel import select

from tickit.config import get_settings
from tickit.models import Mailbox, utcnow
from tickit.services import mail_in
from tickit.services.actors import Actor
from tickit.services.mail_in import UnitOfWork
from tickit.services.mailboxes import ImapSettings, imap_settings, imap_settings_to_check

log = logging.getLogger(__name__)

IMAP_TIMEOUT_SECONDS = 30
CHECK_TIMEOUT_SECONDS = 10  # an admin waits on the page for the answer
BATCH = 200  # messages a poll takes at most; the next poll, a minute later, goes on


@dataclass(frozen=True)
class ConnectionCheck:
    """What logging in to a mailbox's IMAP server showed, in words for the admin who asked."""

    ok: bool
    message: str


@dataclass(frozen=True)
class PollReport:
    mailbox_key: str
    taken: int
    error: str  # "" when the poll worked


def poll_all(*, unit_of_work: UnitOfWork, ssl_context: ssl.SSLContext | None = None) -> list[PollReport]:
    """Poll every mailbox that has an IMAP server, one after the other."""
    with unit_of_work() as session:
        keys = list(
            session.exec(
                select(Mailbox.key)
                .where(Mailbox.imap_host != "", Mailbox.enabled == True)  # noqa: E712
                .order_by(Mailbox.id)
            ).all()
        )
    return [poll(unit_of_work=unit_of_work, mailbox_key=key, ssl_context=ssl_context) for key in keys]


def poll(*, unit_of_work: UnitOfWork, mailbox_key: str, ssl_context: ssl.SSLContext | None = None) -> PollReport:
    """Take the new messages of one mailbox's IMAP folder; the outcome is saved on the mailbox too."""
    with unit_of_work() as session:
        mailbox = session.exec(select(Mailbox).where(Mailbox.key == mailbox_key)).one()
        settings, last_uid, validity = imap_settings(mailbox), mailbox.imap_last_uid, mailbox.imap_uidvalidity
    if settings is None:
        return PollReport(mailbox_key, 0, "This mailbox has no IMAP server.")
    taken, error = 0, ""
    try:
        with _logged_in(settings, ssl_context, IMAP_TIMEOUT_SECONDS) as client:
            selected = client.select_folder(settings.folder, readonly=not settings.move_to)
            current = int(selected[b"UIDVALIDITY"])
            if validity != current:
                last_uid = 0
                _save(unit_of_work, mailbox_key, uidvalidity=current, last_uid=0)
            # "N:*" always matches the highest UID, even one below N: filter again.
            uids = sorted(uid for uid in client.search(["UID", f"{last_uid + 1}:*"]) if uid > last_uid)[:BATCH]
            for uid in uids:
                raw = client.fetch([uid], ["BODY.PEEK[]"]).get(uid, {}).get(b"BODY[]")
                if raw:
                    try:
                        mail_in.receive(unit_of_work=unit_of_work, mailbox_key=mailbox_key, raw=raw, channel="imap")
                    except mail_in.Unreadable as exc:
                        log.warning("IMAP message %s of %s is no mail: %s", uid, mailbox_key, exc)
                if settings.move_to:
                    _move(client, uid, settings.move_to)
                _save(unit_of_work, mailbox_key, last_uid=uid)
                taken += 1
    except (_Plain, OSError, IMAPClientError) as exc:
        error = _worded(exc, settings, IMAP_TIMEOUT_SECONDS)
    _save(unit_of_work, mailbox_key, last_error=error[:1000], polled=True)
    return PollReport(mailbox_key, taken, error)


def check_connection(
    *,
    unit_of_work: UnitOfWork,
    actor: Actor,
    project_key: str,
    mailbox_key: str,
    ssl_context: ssl.SSLContext | None = None,
) -> ConnectionCheck:
    """Log in to the mailbox's IMAP server and open its folders, as a poll would (the project's admins).

    Nothing is fetched or moved and the mailbox's poll record is left alone. The database
    transaction ends before the server is reached, so a slow server holds no connection.
    """
    with unit_of_work() as session:
        settings = imap_settings_to_check(
            session=session, actor=actor, project_key=project_key, mailbox_key=mailbox_key
        )
    try:
        with _logged_in(settings, ssl_context, CHECK_TIMEOUT_SECONDS) as client:
            try:
                selected = client.select_folder(settings.folder, readonly=True)
            except IMAPClientError as exc:
                return ConnectionCheck(
                    False, f"Logged in, but the folder {settings.folder!r} cannot be opened ({_said(exc)})."
                )
            if settings.move_to and not client.folder_exists(settings.move_to):
                return ConnectionCheck(
                    False,
                    f"Logged in, but there is no folder {settings.move_to!r} to move processed mail to; "
                    "create it in a mail client, or leave that setting empty.",
                )
    except (_Plain, OSError, IMAPClientError) as exc:
        return ConnectionCheck(False, _worded(exc, settings, CHECK_TIMEOUT_SECONDS))
    count = int(selected.get(b"EXISTS", 0))
    mails = "1 message" if count == 1 else f"{count:,} messages"
    return ConnectionCheck(
        True, f"Logged in to {settings.host} as {settings.username}; {settings.folder} holds {mails}."
    )


@contextmanager
def _logged_in(settings: ImapSettings, ssl_context: ssl.SSLContext | None, timeout: float) -> Iterator[IMAPClient]:
    """A client logged in to the server; a refused login raises _Plain, already worded."""
    with IMAPClient(
        settings.host,
        port=settings.port,
        ssl=settings.tls,
        ssl_context=(ssl_context or _trusted_context()) if settings.tls else None,
        timeout=timeout,
    ) as client:
        try:
            client.login(settings.username, settings.password)
        except LoginError as exc:
            raise _Plain(
                f"The IMAP server {settings.host} refused the user name or password of {settings.username} "
                f"({_said(exc)})."
            ) from None
        yield client


def _trusted_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    extra = get_settings().imap_ca_file
    if extra is not None and extra.is_file():
        context.load_verify_locations(cafile=str(extra))
    return context


def _worded(exc: Exception, settings: ImapSettings, timeout: float) -> str:
    """A failure to reach or use the server, in words an admin can act on."""
    where = f"{settings.host}:{settings.port}"
    if isinstance(exc, _Plain):
        return str(exc)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            f"TLS with {where} failed: its certificate is not trusted ({exc.verify_message}). "
            "Use the name the certificate is for, or trust its authority with TICKIT_IMAP_CA_FILE."
        )
    if isinstance(exc, ssl.SSLError):
        hint = " Is that the server's IMAP-over-TLS port (usually 993)?" if "WRONG_VERSION" in str(exc) else ""
        return f"TLS with {where} failed: {exc.reason or exc}.{hint}"
    if isinstance(exc, TimeoutError):
        return f"{where} did not answer within {timeout:g} seconds."
    if isinstance(exc, OSError):
        return f"Cannot reach the IMAP server {where}: {exc.strerror or exc}."
    return f"The IMAP server {settings.host} refused: {_said(exc)}."


class _Plain(Exception):
    """A failure already worded for the admin."""


def _said(exc: Exception) -> str:
    text = str(exc)
    return text[2:-1] if text.startswith(("b'", 'b"')) else text


def _move(client: IMAPClient, uid: int, folder: str) -> None:
    if client.has_capability("MOVE"):
        client.move([uid], folder)
        return
    client.copy([uid], folder)
    client.delete_messages([uid])
    client.uid_expunge([uid]) if client.has_capability("UIDPLUS") else client.expunge()


def _save(unit_of_work: UnitOfWork, mailbox_key: str, *, polled: bool = False, **changes) -> None:
    with unit_of_work() as session:
        mailbox = session.exec(select(Mailbox).where(Mailbox.key == mailbox_key).with_for_update()).one()
        for name, value in changes.items():
            setattr(mailbox, f"imap_{name}" if name in ("last_uid", "uidvalidity") else name, value)
        if polled:
            mailbox.last_poll_at = utcnow()
        session.add(mailbox)
