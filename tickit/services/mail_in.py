"""Mail coming in: stored first, then made into a ticket or a reply, once, whatever channel brought it.

Decisions the rest of the app relies on:
- Every channel (IMAP, the pipe, HTTP) calls `receive`. It stores the raw bytes in their own
  transaction, unique on (mailbox, Message-ID) or, without one, the SHA-256 of the bytes; the
  same mail arriving twice finds its row and makes nothing twice. Processing runs in a second
  transaction on the locked row and only while the row is `pending`, so two deliveries racing
  process it once.
- A reply is threaded, in this order, by (a) a signed reply address among its recipients
  (`reply_address`), (b) In-Reply-To/References naming a mail TickIt sent about a ticket (its
  thread id or an outbox message's id) or a mail stored on a ticket, (c) a `[HH-42]` tag in its
  subject. Only tickets of the mailbox's project count, and only when the sender may see the
  ticket: its requester, an address in copy of it, or staff who work it (the same check as the
  ticket page). A mail that
  names a ticket but fails that check opens a new ticket whose activity says why. A threaded
  reply is a public comment by its sender through `comments.add_comment`, so the reply rules,
  reopen window and limits hold.
- A sender nobody knows becomes a client of the mailbox's project, with their display name.
- A new ticket's `Cc:` addresses are put in copy of it (`ticket_cc.add_where_allowed`).
- Automatic mail (see `mail_parse`) makes nothing; a bounce marks the failed addresses as
  bouncing, and TickIt then sends them nothing for a while (`mail.BOUNCE_PAUSE`). TickIt's own
  mail coming back (its loop header) is dropped.
- A processing error never loses the mail: the row keeps its bytes and says what went wrong,
  and `process_again` takes it up once the cause is fixed.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape, unescape

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from tickit.models import (
    Comment,
    InboundMessage,
    InboundOutcome,
    Mailbox,
    MemberRole,
    Project,
    ProjectMember,
    Role,
    Source,
    Ticket,
    TicketType,
    User,
    utcnow,
)
from tickit.services import activity, attachments, comments, mail_parse, merges, reply_address, ticket_cc, tickets
from tickit.services.access import (
    format_ticket_number,
    may_configure,
    parse_ticket_number,
    project_to_configure,
    ticket_for,
)
from tickit.services.actors import SYSTEM, Actor, UserPublic
from tickit.services.errors import NotFound, ServiceError, ValidationFailed
from tickit.services.mail_ids import ticket_of_message_id
from tickit.services.mailboxes import MailboxDisabled, mailbox_by_key
from tickit.services.sanitize import clean_html, own_image_url, plain_text
from tickit.services.users import create_user

log = logging.getLogger(__name__)

MAX_RAW_BYTES = 50 * 1024 * 1024  # a mail larger than this is refused outright (the pipe exits 65)
RECENT_SHOWN = 100
# A mail still waiting this long after it arrived was left half-way (a worker killed, the database
# gone before the outcome was written): "process again" is offered for it too.
STUCK_AFTER = timedelta(minutes=10)
STUCK_DETAIL = "Stored, but its processing stopped before it finished."
_SUBJECT_TAG = re.compile(r"\[([A-Za-z][A-Za-z0-9]{1,9}-[1-9][0-9]{0,9})\]")
_NO_TEXT = "<p>(The mail had no text.)</p>"
DESCRIPTION_MAX = tickets.DESCRIPTION_MAX

UnitOfWork = Callable[[], AbstractContextManager[Session]]


class Unreadable(ServiceError):
    """The bytes can never be taken as mail (empty, too large, no headers): the pipe exits 65."""


@dataclass(frozen=True)
class Received:
    """What became of one received mail."""

    id: int
    duplicate: bool  # the same mail was stored before
    outcome: str
    detail: str
    ticket: str  # "HH-42", or ""


@dataclass(frozen=True)
class InboundRow:
    """One received mail as the mailbox page lists it."""

    id: int
    mailbox_key: str
    received_at: datetime
    channel: str
    sender: str
    subject: str
    outcome: str
    detail: str
    ticket: str
    may_process_again: bool


def receive(*, unit_of_work: UnitOfWork, mailbox_key: str, raw: bytes, channel: str) -> Received:
    """Store a received mail, then process it unless it was processed before; returns what became of it.

    NotFound for an unknown mailbox, MailboxDisabled for a disabled one (nothing is stored: the
    sender's server keeps the mail and tries again), Unreadable for bytes that are no mail. The mail is committed
    before processing starts, so a failure after that leaves it stored (outcome `failed`).
    """
    if not raw or not raw.strip():
        raise Unreadable("The message is empty.")
    if len(raw) > MAX_RAW_BYTES:
        raise Unreadable(f"The message is larger than {MAX_RAW_BYTES // (1024 * 1024)} MB.")
    if b":" not in raw.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]:
        raise Unreadable("This is not a mail message: it has no headers.")
    with unit_of_work() as session:
        mailbox = mailbox_by_key(session, mailbox_key)
        if not mailbox.enabled:
            raise MailboxDisabled(f"The mailbox {mailbox.key} is disabled; an admin can enable it on its mail page.")
        stored, duplicate = _store(session, mailbox, raw, channel)
        if duplicate and stored.outcome != InboundOutcome.PENDING:
            return _result(stored, duplicate=True, session=session)
    return _process(unit_of_work, stored.id, duplicate=duplicate)


def process_again(*, unit_of_work: UnitOfWork, actor: Actor, inbound_id: int) -> Received:
    """Process a failed, refused or stuck mail once more (admins of its project); NotFound for any other."""
    with unit_of_work() as session:
        row = session.exec(select(InboundMessage).where(InboundMessage.id == inbound_id).with_for_update()).first()
        mailbox = session.get(Mailbox, row.mailbox_id) if row is not None else None
        configures = mailbox is not None and may_configure(session, actor, mailbox.project_id)
        if not configures or not _may_process_again(row.outcome, row.received_at, utcnow()):
            raise NotFound("That mail was not refused and did not fail; there is nothing to process again.")
        row.outcome = InboundOutcome.PENDING
        session.add(row)
    return _process(unit_of_work, inbound_id, duplicate=False)


def recent(*, session: Session, actor: Actor, project_key: str, limit: int = RECENT_SHOWN) -> list[InboundRow]:
    """The project's last `limit` mails, newest first, with what became of each (admins, its project admins)."""
    project = project_to_configure(session, actor, project_key)
    rows = session.exec(
        select(InboundMessage, Mailbox.key, Ticket.number)
        .join(Mailbox, Mailbox.id == InboundMessage.mailbox_id)
        .outerjoin(Ticket, Ticket.id == InboundMessage.ticket_id)
        .where(Mailbox.project_id == project.id)
        .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc())
        .limit(limit)
    ).all()
    now = utcnow()
    lines = []
    for row, key, number in rows:
        again = _may_process_again(row.outcome, row.received_at, now)
        stuck = again and row.outcome == InboundOutcome.PENDING
        lines.append(
            InboundRow(
                id=row.id,
                mailbox_key=key,
                received_at=row.received_at,
                channel=row.channel,
                sender=row.from_address,
                subject=row.subject,
                outcome=row.outcome,
                detail=row.detail or (STUCK_DETAIL if stuck else ""),
                ticket=format_ticket_number(project.key, number) if number is not None else "",
                may_process_again=again,
            )
        )
    return lines


def _may_process_again(outcome: str, received_at: datetime, now: datetime) -> bool:
    if outcome in (InboundOutcome.FAILED, InboundOutcome.REFUSED):
        return True
    return outcome == InboundOutcome.PENDING and received_at < now - STUCK_AFTER


def original(*, session: Session, actor: UserPublic, inbound_id: int) -> tuple[str, bytes]:
    """The raw mail behind a ticket or comment ("show original"): for those who work its ticket; else NotFound."""
    row = session.get(InboundMessage, inbound_id) if isinstance(inbound_id, int) else None
    ticket = session.get(Ticket, row.ticket_id) if row is not None and row.ticket_id is not None else None
    if ticket is None:
        raise NotFound("No such mail.")
    project = session.get(Project, ticket.project_id)
    number = format_ticket_number(project.key, ticket.number)
    try:
        ticket_for(session, actor, number)
    except NotFound:
        raise NotFound("No such mail.") from None
    from tickit.services.access import can_work

    if not can_work(session, actor, ticket.project_id):
        raise NotFound("No such mail.")
    return f"{number}-mail-{row.id}.eml", row.raw


def originals_of(session: Session, ticket_id: int) -> dict[int | None, int]:
    """The stored mails behind a ticket: comment id (None for the ticket itself) → inbound message id."""
    rows = session.exec(
        select(InboundMessage.id, InboundMessage.comment_id).where(
            InboundMessage.ticket_id == ticket_id,
            InboundMessage.outcome.in_([InboundOutcome.NEW_TICKET, InboundOutcome.THREADED]),
        )
    ).all()
    return {comment_id: inbound_id for inbound_id, comment_id in rows}


# --- storing ---------------------------------------------------------------------------------


def _store(session: Session, mailbox: Mailbox, raw: bytes, channel: str) -> tuple[InboundMessage, bool]:
    message_id = mail_parse.message_id_of(raw)
    key = message_id[:255] if message_id else "sha256:" + hashlib.sha256(raw).hexdigest()
    existing = _stored(session, mailbox.id, key)
    if existing is not None:
        return existing, True
    row = InboundMessage(mailbox_id=mailbox.id, message_key=key, message_id=message_id[:255], raw=raw, channel=channel)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        # Another delivery of the same mail committed first: that row is the one.
        existing = _stored(session, mailbox.id, key)
        if existing is None:
            raise
        return existing, True
    return row, False


def _stored(session: Session, mailbox_id: int, key: str) -> InboundMessage | None:
    return session.exec(
        select(InboundMessage).where(InboundMessage.mailbox_id == mailbox_id, InboundMessage.message_key == key)
    ).first()


# --- processing ------------------------------------------------------------------------------


def _process(unit_of_work: UnitOfWork, inbound_id: int, *, duplicate: bool) -> Received:
    with unit_of_work() as session:
        raw = session.get(InboundMessage, inbound_id).raw
    try:
        parsed = mail_parse.parse(raw, loop_header=reply_address.LOOP_HEADER)
    except Exception as exc:  # the bytes are stored; say why they cannot be read
        return _record(unit_of_work, inbound_id, InboundOutcome.REFUSED, f"Unreadable mail: {exc}", duplicate)
    # Files are written before the transaction, never while it holds the database's write lock.
    received: list[tuple[mail_parse.MailFile, attachments.ReceivedFile | None, str]] = []
    handed: set[str] = set()
    if not parsed.noise and parsed.loop != reply_address.loop_mark():
        for file in parsed.files:
            try:
                received.append((file, attachments.receive_file([file.data]), ""))
            except attachments.TooLarge as exc:
                received.append((file, None, str(exc)))
    try:
        with unit_of_work() as session:
            row = session.exec(select(InboundMessage).where(InboundMessage.id == inbound_id).with_for_update()).first()
            if row.outcome != InboundOutcome.PENDING:  # another delivery of it got here first
                return _result(row, duplicate=True, session=session)
            mailbox = session.get(Mailbox, row.mailbox_id)
            row.from_address, row.subject = parsed.sender[:320], parsed.subject[:300]
            try:
                with session.begin_nested():
                    outcome, detail, ticket_id, comment_id = _take(session, mailbox, parsed, received, handed)
            except ServiceError as refusal:
                outcome, detail, ticket_id, comment_id = InboundOutcome.REFUSED, _reason(refusal), None, None
            row.outcome, row.detail = outcome, detail
            row.ticket_id, row.comment_id, row.processed_at = ticket_id, comment_id, utcnow()
            session.add(row)
            session.flush()
            result = _result(row, duplicate=duplicate, session=session)
    except Exception as exc:
        log.exception("Processing inbound mail %s failed", inbound_id)
        return _record(unit_of_work, inbound_id, InboundOutcome.FAILED, f"{type(exc).__name__}: {exc}", duplicate)
    finally:
        # A file handed to `attachments.store_upload` belongs to its transaction (kept on commit,
        # deleted on rollback); the rest were never recorded and go now.
        attachments.discard(r for _, r, _ in received if r is not None and r.key not in handed)
    return result


def _reason(refusal: ServiceError) -> str:
    """A refusal in an admin's words: the messages alone, without the form-field names."""
    return " ".join(refusal.errors.values()) if isinstance(refusal, ValidationFailed) else str(refusal)


def _record(unit_of_work: UnitOfWork, inbound_id: int, outcome: str, detail: str, duplicate: bool) -> Received:
    with unit_of_work() as session:
        row = session.get(InboundMessage, inbound_id)
        row.outcome, row.detail, row.processed_at = outcome, detail[:2000], utcnow()
        session.add(row)
        session.flush()
        return _result(row, duplicate=duplicate, session=session)


def _result(row: InboundMessage, *, duplicate: bool, session: Session | None = None) -> Received:
    number = ""
    if session is not None and row.ticket_id is not None:
        ticket = session.get(Ticket, row.ticket_id)
        number = format_ticket_number(session.get(Project, ticket.project_id).key, ticket.number)
    return Received(id=row.id, duplicate=duplicate, outcome=row.outcome, detail=row.detail, ticket=number)


def _take(
    session: Session,
    mailbox: Mailbox,
    parsed: mail_parse.ParsedMail,
    received: list[tuple[mail_parse.MailFile, attachments.ReceivedFile | None, str]],
    handed: set[str],
) -> tuple[str, str, int | None, int | None]:
    """Decide what the mail becomes and make it: (outcome, detail, ticket id, comment id)."""
    if parsed.loop and parsed.loop == reply_address.loop_mark():
        return InboundOutcome.DROPPED, "TickIt's own mail came back; dropped.", None, None
    if parsed.is_bounce:
        marked = _mark_bouncing(session, parsed.bounced)
        shown = ", ".join(parsed.bounced) or "no address named"
        return InboundOutcome.DROPPED, f"Bounce ({shown}); {marked} address(es) marked as bouncing.", None, None
    if parsed.noise:
        return InboundOutcome.DROPPED, f"Automatic mail ({parsed.noise}); nothing created.", None, None
    if not parsed.sender:
        return InboundOutcome.REFUSED, "The mail has no sender address.", None, None
    if session.exec(select(Mailbox.id).where(Mailbox.address == parsed.sender)).first() is not None:
        return InboundOutcome.DROPPED, "Sent from a TickIt mailbox; dropped so no loop starts.", None, None
    project = session.get(Project, mailbox.project_id)
    sender = _sender_account(session, project, parsed)
    number, how, why_not = _thread(session, mailbox, project, parsed, sender)
    if number:
        body = mail_parse.CID_TOKENS.sub("", parsed.html)  # a reply's images are listed with its files
        view = comments.add_comment(
            session=session, actor=sender, number=number, body_html=body or _NO_TEXT, internal=False
        )
        comment = session.get(Comment, view.id)
        ticket = session.get(Ticket, comment.ticket_id)
        where = format_ticket_number(project.key, ticket.number)
        skipped, _ = _attach(session, sender, where, received, handed, comment_id=comment.id)
        detail = f"Threaded onto {number} ({how})." + (
            f" Filed as {where}: {number} is closed." if view.filed_as else ""
        )
        return InboundOutcome.THREADED, detail + skipped, ticket.id, comment.id
    ticket_type = session.get(TicketType, mailbox.type_id)
    text = plain_text(mail_parse.CID_TOKENS.sub("", parsed.html))
    filed = tickets.file_ticket(
        session=session,
        actor=sender,
        source=Source.EMAIL,
        project_key=project.key,
        type_key=ticket_type.key,
        title=(mail_parse.title_of(parsed.subject) or "(no subject)")[: tickets.TITLE_MAX],
        description=text[:DESCRIPTION_MAX],
        reporter_id=sender.id,
    )
    ticket = session.get(Ticket, filed.id)
    skipped, images = _attach(session, sender, filed.reference, received, handed, comment_id=None)
    ticket.description_html = _with_images(parsed.html, images)
    session.add(ticket)
    ticket_cc.add_where_allowed(session, ticket, sender, parsed.copied)
    if why_not:
        activity.record(session, ticket, sender, "mail_not_threaded", after={"reason": why_not}, now=utcnow())
    detail = f"New ticket {filed.reference}." + (f" {why_not}" if why_not else "")
    return InboundOutcome.NEW_TICKET, detail + skipped, filed.id, None


def _sender_account(session: Session, project: Project, parsed: mail_parse.ParsedMail) -> UserPublic:
    """The sender as a user: found by address, or made a client of the project under their display name."""
    user = session.exec(select(User).where(User.email == parsed.sender)).first()
    if user is None:
        name = parsed.sender_name or parsed.sender.split("@")[0]
        try:
            created = create_user(
                session=session, actor=SYSTEM, email=parsed.sender, name=name, role=Role.CLIENT, send_welcome=False
            )
        except ValidationFailed as exc:
            raise ValidationFailed({"sender": f"The sender {parsed.sender} cannot be a user: {exc}"}) from None
        user = session.get(User, created.user.id)
    if not user.is_active:
        raise ValidationFailed({"sender": f"{user.email} is a deactivated account; its mail is not taken."})
    if user.role == Role.CLIENT and session.get(ProjectMember, (project.id, user.id)) is None:
        session.add(ProjectMember(project_id=project.id, user_id=user.id, role=MemberRole.CLIENT))
        session.flush()
    return UserPublic.of(user)


def _thread(
    session: Session, mailbox: Mailbox, project: Project, parsed: mail_parse.ParsedMail, sender: UserPublic
) -> tuple[str, str, str]:
    """(number, how, "") for the ticket the mail answers; ("", "", why) when it names one the sender may not
    post to; ("", "", "") when it names none."""
    for named, how in _named_tickets(session, mailbox, project, parsed):
        number = merges.forwarded_number(session, named)
        try:
            ticket_for(session, sender, number)
        except NotFound:
            return (
                "",
                "",
                (
                    f"It names {number} ({how}), but {sender.email} is not its requester, in copy, "
                    "or staff working it, so it was filed as a new ticket."
                ),
            )
        return number, how, ""
    return "", "", ""


def _named_tickets(session: Session, mailbox: Mailbox, project: Project, parsed: mail_parse.ParsedMail):
    """The tickets of the project the mail names, strongest evidence first: (number, how)."""
    for recipient in parsed.recipients:
        number = reply_address.ticket_named_by(recipient, mailbox.address)
        if number and _exists(session, project, number):
            yield number, "by its signed reply address"
    for message_id in parsed.answers:
        ticket_id = ticket_of_message_id(session, message_id) or _stored_ticket(session, mailbox, message_id)
        ticket = session.get(Ticket, ticket_id) if ticket_id else None
        if ticket is not None and ticket.project_id == project.id:
            yield format_ticket_number(project.key, ticket.number), "by In-Reply-To/References"
    for tag in _SUBJECT_TAG.findall(parsed.subject):
        try:
            key, n = parse_ticket_number(tag)
        except NotFound:
            continue
        if key == project.key and _exists(session, project, f"{key}-{n}"):
            yield f"{key}-{n}", "by the subject tag"


def _exists(session: Session, project: Project, number: str) -> bool:
    _, n = parse_ticket_number(number)
    return (
        session.exec(select(Ticket.id).where(Ticket.project_id == project.id, Ticket.number == n)).first() is not None
    )


def _stored_ticket(session: Session, mailbox: Mailbox, message_id: str) -> int | None:
    return session.exec(
        select(InboundMessage.ticket_id)
        .join(Mailbox, Mailbox.id == InboundMessage.mailbox_id)
        .where(
            InboundMessage.message_id == message_id,
            Mailbox.project_id == mailbox.project_id,
            InboundMessage.ticket_id.is_not(None),
        )
    ).first()


def _attach(
    session: Session,
    sender: UserPublic,
    number: str,
    received: list[tuple[mail_parse.MailFile, attachments.ReceivedFile | None, str]],
    handed: set[str],
    *,
    comment_id: int | None,
) -> tuple[str, dict[str, attachments.AttachmentView]]:
    """Record the mail's files on the ticket (or its comment) under the usual limits: a sentence on any left
    out, and the stored inline images by Content-ID."""
    left_out: list[str] = []
    images: dict[str, attachments.AttachmentView] = {}
    for file, stored, refusal in received:
        if stored is None:
            left_out.append(f"{file.name}: {refusal}")
            continue
        handed.add(stored.key)
        try:
            with session.begin_nested():
                view = attachments.store_upload(
                    session=session,
                    actor=sender,
                    number=number,
                    filename=file.name,
                    content_type=file.content_type,
                    file=stored,
                    comment_id=comment_id,
                )
        except ServiceError as exc:
            left_out.append(f"{file.name}: {exc}")
            continue
        if file.inline and file.content_id and view.is_image:
            images[file.content_id] = view
    return (f" Files left out: {'; '.join(left_out)}" if left_out else ""), images


def _with_images(html: str, images: dict[str, attachments.AttachmentView]) -> str:
    """The description with each inline image shown in place from its stored attachment, through the sanitiser
    (an image that was not stored leaves nothing behind)."""

    def image(match: re.Match) -> str:
        view = images.get(unescape(match.group(1)))
        if view is None:
            return ""
        return f'<img src="{escape(own_image_url(view.download_url))}" alt="{escape(view.name)}">'

    return clean_html(mail_parse.CID_TOKENS.sub(image, html))


def _mark_bouncing(session: Session, addresses: tuple[str, ...]) -> int:
    users = session.exec(select(User).where(User.email.in_(addresses))).all() if addresses else []
    now = utcnow()
    for user in users:
        user.mail_bounced_at = now
        session.add(user)
    session.flush()
    return len(users)
