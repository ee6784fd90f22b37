"""Mail coming in: the project's mailboxes, and every message they received, stored before it is read."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from tickit.models.base import UTCDateTime, utcnow


class InboundOutcome(StrEnum):
    PENDING = "pending"  # stored, not processed yet (or processing failed for now)
    NEW_TICKET = "new_ticket"
    THREADED = "threaded"  # became a comment on an existing ticket
    DROPPED = "dropped"  # auto-reply, list mail, bounce, TickIt's own mail: nothing made, on purpose
    REFUSED = "refused"  # could not be taken (no sender, unreadable, over a limit); "process again" may help
    FAILED = "failed"  # an error while processing; "process again" retries


class Mailbox(SQLModel, table=True):
    """An address of a project that mail reaches TickIt at: by IMAP polling, the pipe, or HTTP."""

    __tablename__ = "mailboxes"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="projects.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=40, unique=True)  # `tickit mail receive --mailbox KEY`, the HTTP path
    address: str = Field(max_length=320, unique=True)  # stored lower-cased
    type_id: int = Field(foreign_key="ticket_types.id")  # the type new tickets get
    secret_hash: str = Field(max_length=64)  # sha256 hex of the HTTP endpoint's secret, shown once
    # A disabled mailbox is not polled, and the pipe and HTTP answer "try later", so senders' servers keep its mail.
    enabled: bool = Field(default=True)
    # IMAP polling; no host means the mailbox is fed by the pipe or HTTP only.
    imap_host: str = Field(default="", max_length=255)
    imap_port: int = Field(default=993)
    imap_tls: bool = Field(default=True)
    imap_username: str = Field(default="", max_length=255)
    # The server needs the password itself, so it is stored as given (the database is the secret store).
    imap_password: str = Field(default="", max_length=255)
    imap_folder: str = Field(default="INBOX", max_length=255)
    imap_move_to: str = Field(default="", max_length=255)  # "" leaves processed mail where it is
    imap_uidvalidity: int | None = Field(default=None)
    imap_last_uid: int = Field(default=0)  # the highest UID taken: never the \Seen flag
    last_poll_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class InboundMessage(SQLModel, table=True):
    """One received mail: its raw bytes first, then what became of it."""

    __tablename__ = "inbound_messages"
    # Fetching or piping the same mail twice finds this row instead of making a second one.
    __table_args__ = (
        UniqueConstraint("mailbox_id", "message_key"),
        Index("ix_inbound_messages_mailbox_received", "mailbox_id", "received_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    mailbox_id: int = Field(foreign_key="mailboxes.id", ondelete="CASCADE")
    message_key: str = Field(max_length=255)  # the Message-ID, or "sha256:<hex>" of the raw bytes
    message_id: str = Field(default="", max_length=255, index=True)  # as the header gave it, for threading
    raw: bytes = Field(sa_type=LargeBinary)
    channel: str = Field(max_length=8)  # imap, pipe, http
    from_address: str = Field(default="", max_length=320)
    subject: str = Field(default="", max_length=300)
    outcome: str = Field(default=InboundOutcome.PENDING, max_length=16)
    detail: str = Field(default="", sa_type=Text)  # why, in words an admin reads
    ticket_id: int | None = Field(default=None, foreign_key="tickets.id", index=True, ondelete="SET NULL")
    comment_id: int | None = Field(default=None, foreign_key="comments.id", ondelete="SET NULL")
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    processed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
