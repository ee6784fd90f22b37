"""Merging a duplicate into another ticket of the same project, and numbers that follow a merge.

- The duplicate's comments (with their threads) and attachments move to the target; its mail
  originals stay where they are and forward through it. It then closes (its type's closing
  status, or its first done status when none closes: a merge is judged here, not by the
  workflow) and keeps `merged_into_id`, the pointer its page, mail threading and the API follow.
- A merge into a merged ticket follows to where that one went; one that would end on the
  duplicate itself (A into B, then B into A) is refused, so the pointers never form a loop.
- The duplicate's requester and the addresses in copy of it are put in copy of the target (where
  `ticket_cc` allows, each with its own activity entry), so they keep hearing about the one
  conversation left.
- Both tickets get an activity entry, and the duplicate a `ticket.merged` webhook event. As
  everywhere in the services, the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, select

from tickit.models import Attachment, Comment, Project, StatusCategory, Ticket, TicketStatus, User, utcnow
from tickit.services import activity, ticket_cc, ticket_stamp, webhook_events, workflow
from tickit.services.access import can_work, format_ticket_number, parse_ticket_number, ticket_for
from tickit.services.actors import UserPublic
from tickit.services.errors import NotFound, PermissionDenied, ValidationFailed

_MAX_HOPS = 50  # pointers never loop (merges refuse it); this only bounds a corrupted chain


@dataclass(frozen=True)
class MergeResult:
    merged: str  # the duplicate's number
    into: str  # the number it now forwards to
    comments_moved: int
    attachments_moved: int


def merge(*, session: Session, actor: UserPublic, number: str, into: str) -> MergeResult:
    """Merge ticket `number` into `into` (or where `into` was merged); ValidationFailed names `merge`."""
    duplicate = _workable(session, actor, number)
    if duplicate.merged_into_id is not None:
        raise ValidationFailed(
            {
                "merge": f"{_number(session, duplicate)} is already merged into "
                f"{_number(session, followed(session, duplicate))}."
            }
        )
    try:
        target = followed(session, _workable(session, actor, into))
    except NotFound:
        raise ValidationFailed({"merge": f"No ticket {into.strip() or '(none)'} that you work."}) from None
    if target.id == duplicate.id:
        raise ValidationFailed({"merge": "A ticket cannot be merged into itself (nor into one merged into it)."})
    if target.project_id != duplicate.project_id:
        raise ValidationFailed({"merge": "Only tickets of the same project can be merged."})
    target = ticket_for(session, actor, _number(session, target), for_update=True)
    now = utcnow()
    comments_moved = session.exec(
        update(Comment).where(Comment.ticket_id == duplicate.id).values(ticket_id=target.id)
    ).rowcount
    attachments_moved = session.exec(
        update(Attachment).where(Attachment.ticket_id == duplicate.id).values(ticket_id=target.id)
    ).rowcount
    duplicate.merged_into_id = target.id
    _close(session, actor, duplicate, f"merged into {_number(session, target)}", now)
    ticket_stamp.touch(duplicate, now)
    ticket_stamp.touch(target, now)
    session.add_all([duplicate, target])
    session.flush()
    merged, into_number = _number(session, duplicate), _number(session, target)
    activity.record(session, duplicate, actor, "merged_into", now=now, after={"into": into_number})
    activity.record(
        session,
        target,
        actor,
        "merged_from",
        now=now,
        after={
            "from": merged,
            "comments": comments_moved,
            "attachments": attachments_moved,
        },
    )
    ticket_cc.add_where_allowed(session, target, actor, _participants(session, duplicate))
    webhook_events.publish(
        session,
        project_id=duplicate.project_id,
        ticket_id=duplicate.id,
        event=webhook_events.MERGED,
        data={"merged_into": into_number},
    )
    return MergeResult(
        merged=merged, into=into_number, comments_moved=comments_moved, attachments_moved=attachments_moved
    )


def _participants(session: Session, duplicate: Ticket) -> tuple[str, ...]:
    """The addresses that hear about the duplicate: its requester's, then those in copy of it."""
    requester = session.get(User, duplicate.reporter_id) if duplicate.reporter_id is not None else None
    return ((requester.email,) if requester else ()) + tuple(ticket_cc.emails_of(session, duplicate.id))


def followed(session: Session, ticket: Ticket) -> Ticket:
    """The ticket a merged ticket forwards to (through every merge), or the ticket itself."""
    for _ in range(_MAX_HOPS):
        if ticket.merged_into_id is None:
            return ticket
        ticket = session.get(Ticket, ticket.merged_into_id)
    raise ValidationFailed({"merge": "The ticket's merge pointers go round in a circle."})


def forwarded_number(session: Session, number: str) -> str:
    """`number`, or the number of the ticket it was merged into; unknown numbers come back as given.

    Reads no more than the pointers: the caller's own access check (`ticket_for`) then decides
    whether the actor may see the ticket the number leads to.
    """
    try:
        key, n = parse_ticket_number(number)
    except NotFound:
        return number
    ticket = session.exec(
        select(Ticket).join(Project, Project.id == Ticket.project_id).where(Project.key == key, Ticket.number == n)
    ).first()
    if ticket is None or ticket.merged_into_id is None:
        return number
    return _number(session, followed(session, ticket))


def merged_into(session: Session, ticket: Ticket) -> str:
    """The number a merged ticket forwards to, "" for a ticket that was not merged."""
    return _number(session, followed(session, ticket)) if ticket.merged_into_id is not None else ""


def _close(session: Session, actor: UserPublic, ticket: Ticket, reason: str, now) -> None:
    current = session.get(TicketStatus, ticket.status_id)
    if current.category == StatusCategory.DONE and current.closes:
        return
    closing = session.exec(
        select(TicketStatus)
        .where(TicketStatus.type_id == ticket.type_id, TicketStatus.category == StatusCategory.DONE)
        .order_by(TicketStatus.closes.desc(), TicketStatus.sort_order, TicketStatus.id)
    ).first()
    if closing is None:
        raise ValidationFailed({"merge": "Its type has no done status to close it in."})
    workflow.apply_status_change(
        session=session, actor=actor, ticket=ticket, current=current, target=closing, now=now, reason=reason
    )


def _workable(session: Session, actor: UserPublic, number: str) -> Ticket:
    ticket = ticket_for(session, actor, number, for_update=True)
    if not can_work(session, actor, ticket.project_id):
        raise PermissionDenied("Only the project's agents merge its tickets.")
    return ticket


def _number(session: Session, ticket: Ticket) -> str:
    return format_ticket_number(session.get(Project, ticket.project_id).key, ticket.number)
