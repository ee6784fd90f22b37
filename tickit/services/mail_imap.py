"""Polling a mailbox over IMAP: every new message, by UID, into `mail_in.receive`.

- New mail is what has a UID above the last one taken, in the folder's current UIDVALIDITY; the
  \\Seen flag is never read or set (messages are fetched with BODY.PEEK), so a person reading
  the mailbox in a mail client changes nothing. When the server renumbers the folder (a new
  UIDVALIDITY) every message is read again, and the stored Message-IDs make nothing twice.
- The last UID is saved after each message, so a poll that dies halfway goes on from there.
- With a "move to" folder each processed message is moved there (MOVE, or COPY and expunge).
- What goes wrong is saved on the mailbox in words an admin can act on ("the server refused the
  user name or password"), and cleared by the next poll that works.
"""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError
from sqlmodel import select

from tickit.models import Mailbox, utcnow
from tickit.services import mail_in
from tickit.services.mail_in import UnitOfWork
from tickit.services.mailboxes import imap_settings

log = logging.getLogger(__name__)

IMAP_TIMEOUT_SECONDS = 30
BATCH = 200  # messages a poll takes at most; the next poll, a minute later, goes on


@dataclass(frozen=True)
class PollReport:
    mailbox_key: str
    taken: int
    error: str  # "" when the poll worked


def poll_all(*, unit_of_work: UnitOfWork, ssl_context: ssl.SSLContext | None = None) -> list[PollReport]:
    """Poll every mailbox that has an IMAP server, one after the other."""
    with unit_of_work() as session:
        keys = list(session.exec(select(Mailbox.key).where(Mailbox.imap_host != "").order_by(Mailbox.id)).all())
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
        context = ssl_context or ssl.create_default_context()
        with IMAPClient(
            settings.host,
            port=settings.port,
            ssl=settings.tls,
            ssl_context=context if settings.tls else None,
            timeout=IMAP_TIMEOUT_SECONDS,
        ) as client:
            try:
                client.login(settings.username, settings.password)
            except LoginError as exc:
                raise _Plain(
                    f"The IMAP server {settings.host} refused the user name or password of {settings.username} "
                    f"({_said(exc)})."
                ) from None
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
    except _Plain as exc:
        error = str(exc)
    except ssl.SSLError as exc:
        error = f"TLS with {settings.host}:{settings.port} failed: {exc.reason or exc}."
    except TimeoutError:
        error = f"{settings.host}:{settings.port} did not answer within {IMAP_TIMEOUT_SECONDS} seconds."
    except OSError as exc:
        error = f"Cannot reach the IMAP server {settings.host}:{settings.port}: {exc.strerror or exc}."
    except IMAPClientError as exc:
        error = f"The IMAP server {settings.host} refused: {_said(exc)}."
    _save(unit_of_work, mailbox_key, last_error=error[:1000], polled=True)
    return PollReport(mailbox_key, taken, error)


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
