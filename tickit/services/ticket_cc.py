"""Addresses in copy of a ticket (CC): who adds them, and what being in copy means.

Decisions the rest of the app relies on:
- The requester (on the portal) and the ticket's staff add and remove CCs; an address in copy
  does not manage the list itself. Every change is one activity entry, which the requester's
  timeline shows too.
- A CC'd address receives every public comment by mail (never internal notes, see
  `notifications`), and may see the ticket and answer it: `access.ticket_for` lets a user whose
  address is in copy read the ticket as its requester does, so a CC's reply by mail threads
  (`mail_in`) and posts as a public comment under their own client account.
- A new ticket by mail takes the requester's `Cc:` addresses, except TickIt's own mailbox
  addresses (and reply addresses of them) and the requester.
- The requester's own address is never a CC (they hear everything already); a ticket holds at
  most MAX_CCS, and one person adds at most ADDS_PER_HOUR, since each CC is mailed on every reply.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from tickit.models import Mailbox, Ticket, TicketCc, User, utcnow
from tickit.services import activity, ratelimit, ticket_stamp
from tickit.services.access import can_work, ticket_for
from tickit.services.actors import UserPublic
from tickit.services.errors import PermissionDenied, RateLimited, ValidationFailed
from tickit.services.users import normalise_email

MAX_CCS = 20
ADDS_PER_HOUR = 50
ADD_WINDOW_SECONDS = 3600


@dataclass(frozen=True)
class CcList:
    """A ticket's addresses in copy, and whether the reader may change them."""

    emails: tuple[str, ...]
    manageable: bool  # the reader is the requester or works the ticket


def cc_list(*, session: Session, actor: UserPublic, number: str) -> CcList:
    """The addresses in copy of ticket `number` (NotFound when the actor may not see it)."""
    ticket = ticket_for(session, actor, number)
    return CcList(emails=tuple(emails_of(session, ticket.id)), manageable=_may_manage(session, actor, ticket))


def add_cc(*, session: Session, actor: UserPublic, number: str, email: str) -> CcList:
    """Put `email` in copy of ticket `number`; ValidationFailed (`email`) for a bad, own or repeated address."""
    ticket = _managed(session, actor, number)
    address = normalise_email(email)
    if ratelimit.hit(session, f"cc:{actor.id}", window_seconds=ADD_WINDOW_SECONDS) > ADDS_PER_HOUR:
        raise RateLimited(ratelimit.seconds_left(ADD_WINDOW_SECONDS), "Too many addresses put in copy")
    refusal = _refusal(session, ticket, address)
    if refusal:
        raise ValidationFailed({"email": refusal})
    _add(session, ticket, actor, address)
    return CcList(emails=tuple(emails_of(session, ticket.id)), manageable=True)


def remove_cc(*, session: Session, actor: UserPublic, number: str, email: str) -> CcList:
    """Take `email` out of copy of ticket `number`; ValidationFailed (`email`) when it is not in copy."""
    ticket = _managed(session, actor, number)
    address = email.strip().lower()
    row = session.exec(select(TicketCc).where(TicketCc.ticket_id == ticket.id, TicketCc.email == address)).first()
    if row is None:
        raise ValidationFailed({"email": f"{address} is not in copy of this ticket."})
    session.delete(row)
    _log(session, ticket, actor, "cc_removed", {"email": address})
    return CcList(emails=tuple(emails_of(session, ticket.id)), manageable=True)


def add_where_allowed(session: Session, ticket: Ticket, actor: UserPublic, addresses: tuple[str, ...]) -> list[str]:
    """Put the addresses in copy that may be, skipping the others without complaint; returns those added.

    For addresses nobody typed into a form: a new ticket mail's `Cc:` and the people a merged
    duplicate carries over. TickIt's own, the requester's, repeats and those past the limit are left out.
    """
    added: list[str] = []
    for raw in addresses:
        try:
            address = normalise_email(raw)
        except ValidationFailed:
            continue  # a malformed Cc is not worth refusing the mail for
        if _is_tickit_address(session, address) or _refusal(session, ticket, address):
            continue
        _add(session, ticket, actor, address)
        added.append(address)
    return added


def emails_of(session: Session, ticket_id: int) -> list[str]:
    """The addresses in copy of a ticket, in the order they were added."""
    return list(session.exec(select(TicketCc.email).where(TicketCc.ticket_id == ticket_id).order_by(TicketCc.id)).all())


def _managed(session: Session, actor: UserPublic, number: str) -> Ticket:
    ticket = ticket_for(session, actor, number, for_update=True)
    if not _may_manage(session, actor, ticket):
        raise PermissionDenied("Only the requester and the ticket's agents change who is in copy.")
    return ticket


def _may_manage(session: Session, actor: UserPublic, ticket: Ticket) -> bool:
    return ticket.reporter_id == actor.id or can_work(session, actor, ticket.project_id)


def _refusal(session: Session, ticket: Ticket, address: str) -> str:
    """Why `address` cannot be put in copy of `ticket` ("" when it can)."""
    reporter = session.get(User, ticket.reporter_id) if ticket.reporter_id is not None else None
    if reporter is not None and reporter.email == address:
        return f"{address} is the requester; they hear of every reply already."
    ccs = emails_of(session, ticket.id)
    if address in ccs:
        return f"{address} is already in copy."
    if len(ccs) >= MAX_CCS:
        return f"A ticket has at most {MAX_CCS} addresses in copy."
    if _is_tickit_address(session, address):
        return f"{address} is one of TickIt's own mailboxes."
    return ""


def _is_tickit_address(session: Session, address: str) -> bool:
    """A mailbox's address, or a plus address of one (its signed reply addresses)."""
    local, _, domain = address.partition("@")
    candidates = {address, f"{local.split('+', 1)[0]}@{domain}"}
    return session.exec(select(Mailbox.id).where(Mailbox.address.in_(candidates))).first() is not None


def _add(session: Session, ticket: Ticket, actor: UserPublic, address: str) -> None:
    session.add(TicketCc(ticket_id=ticket.id, email=address, added_by_id=actor.id))
    _log(session, ticket, actor, "cc_added", {"email": address})


def _log(session: Session, ticket: Ticket, actor: UserPublic, action: str, after: dict) -> None:
    now = utcnow()
    ticket_stamp.touch(ticket, now)
    session.add(ticket)
    activity.record(session, ticket, actor, action, now=now, after=after)
