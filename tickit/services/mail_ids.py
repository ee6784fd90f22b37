"""The Message-IDs TickIt gives its mails, and which ticket one names when a reply quotes it back."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from sqlmodel import Session, select

from tickit.config import get_settings
from tickit.models import OutboxMessage, Project, Ticket

_THREAD_ID = re.compile(r"<ticket-([A-Za-z][A-Za-z0-9]{1,9})-([1-9][0-9]{0,9})\.([0-9]{14})@([^<>]+)>")
_OUTBOX_ID = re.compile(r"<outbox-([1-9][0-9]{0,17})\.([0-9]{14})@([^<>]+)>")
_STAMP = "%Y%m%d%H%M%S"


def id_domain() -> str:
    """The right-hand side of TickIt's Message-IDs: the host people reach the app at."""
    # make_msgid() without a domain asks DNS for this machine's name, which can be slow and
    # says nothing useful; the host people reach the app at identifies the sender instead.
    return urlsplit(get_settings().app_url).hostname or "localhost"


def ticket_thread_id(number: str, created_at: datetime) -> str:
    """The Message-ID every mail about a ticket replies to, so mail clients show them as one thread.

    No mail carries it as its own id; the creation time keeps a ticket numbered like one of a
    database that was reset apart from it.
    """
    return f"<ticket-{number}.{created_at:{_STAMP}}@{id_domain()}>"


def outbox_message_id(outbox_id: int, created_at: datetime) -> str:
    """The Message-ID of the mail an outbox row sends: the same on every attempt, so a mail sent
    twice after a crash (accepted, but not yet recorded) is one message to mail clients."""
    return f"<outbox-{outbox_id}.{created_at:{_STAMP}}@{id_domain()}>"


def ticket_of_message_id(session: Session, message_id: str) -> int | None:
    """The id of the ticket a Message-ID TickIt made names (a thread id, or an outbox mail's id), else None.

    The creation time in the id must match, so an id of another installation, or of a database
    since reset, names nothing.
    """
    thread = _THREAD_ID.fullmatch(message_id.strip())
    if thread is not None and thread[4].lower() == id_domain().lower():
        ticket = session.exec(
            select(Ticket)
            .join(Project, Project.id == Ticket.project_id)
            .where(Project.key == thread[1].upper(), Ticket.number == int(thread[2]))
        ).first()
        if ticket is not None and f"{ticket.created_at:{_STAMP}}" == thread[3]:
            return ticket.id
        return None
    sent = _OUTBOX_ID.fullmatch(message_id.strip())
    if sent is not None and sent[3].lower() == id_domain().lower():
        row = session.get(OutboxMessage, int(sent[1]))
        if row is not None and f"{row.created_at:{_STAMP}}" == sent[2]:
            return row.ticket_id
    return None
