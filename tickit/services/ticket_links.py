"""Links between tickets: related, duplicate of, blocks, parent of — shown on both tickets.

One row per pair, whichever way round: the ticket a link was added on reads its kind ("blocks"),
the other the inverse ("blocked by"). Both tickets must be ones the actor works; a ticket never
links to itself and a pair holds one link. Adding or removing a link writes an activity entry
on each ticket. As everywhere in the services, the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_
from sqlmodel import Session, select

from tickit.models import LinkKind, Project, StatusCategory, Ticket, TicketLink, TicketStatus, utcnow
from tickit.services import activity, ticket_stamp
from tickit.services.access import can_work, format_ticket_number, ticket_for
from tickit.services.actors import UserPublic
from tickit.services.errors import NotFound, PermissionDenied, ValidationFailed

# How each end reads a link: (from its source, from its target).
LABELS: dict[str, tuple[str, str]] = {
    LinkKind.RELATED: ("related to", "related to"),
    LinkKind.DUPLICATE_OF: ("duplicate of", "duplicated by"),
    LinkKind.BLOCKS: ("blocks", "blocked by"),
    LinkKind.PARENT_OF: ("parent of", "child of"),
}


@dataclass(frozen=True)
class LinkView:
    id: int
    label: str  # as this ticket reads it: "blocked by"
    number: str  # the other ticket
    title: str
    status_name: str
    done: bool


def links_of(session: Session, actor: UserPublic, ticket: Ticket) -> list[LinkView]:
    """The ticket's links the actor may see (both ends visible to them), by label then number."""
    rows = session.exec(
        select(TicketLink, Ticket, Project.key, TicketStatus)
        .join(
            Ticket,
            or_(
                and_(TicketLink.source_id == ticket.id, Ticket.id == TicketLink.target_id),
                and_(TicketLink.target_id == ticket.id, Ticket.id == TicketLink.source_id),
            ),
        )
        .join(Project, Project.id == Ticket.project_id)
        .join(TicketStatus, TicketStatus.id == Ticket.status_id)
        .where(or_(TicketLink.source_id == ticket.id, TicketLink.target_id == ticket.id))
    ).all()
    views = [
        LinkView(
            id=link.id,
            label=LABELS[link.kind][0 if link.source_id == ticket.id else 1],
            number=format_ticket_number(key, other.number),
            title=other.title,
            status_name=status.name,
            done=status.category == StatusCategory.DONE,
        )
        for link, other, key, status in rows
        if can_work(session, actor, other.project_id)
    ]
    return sorted(views, key=lambda v: (v.label, v.number))


def add_link(*, session: Session, actor: UserPublic, number: str, kind: str, other_number: str) -> LinkView:
    """Link ticket `number` to `other_number` as `kind` (see LABELS); ValidationFailed names `link`."""
    if kind not in LABELS:
        raise ValidationFailed({"link": f"A link is one of: {', '.join(LABELS)}."})
    ticket = _workable(session, actor, number)
    try:
        other = _workable(session, actor, other_number)
    except NotFound:
        raise ValidationFailed({"link": f"No ticket {other_number.strip() or '(none)'} that you work."}) from None
    if other.id == ticket.id:
        raise ValidationFailed({"link": "A ticket cannot be linked to itself."})
    if existing := _link_between(session, ticket.id, other.id):
        shown = LABELS[existing.kind][0 if existing.source_id == ticket.id else 1]
        raise ValidationFailed({"link": f"It is already linked: {shown} {_number(session, other)}."})
    link = TicketLink(source_id=ticket.id, target_id=other.id, kind=kind, created_by_id=actor.id)
    session.add(link)
    session.flush()
    _log_both(session, actor, link, ticket, other, "link_added")
    return next(v for v in links_of(session, actor, ticket) if v.id == link.id)


def remove_link(*, session: Session, actor: UserPublic, number: str, link_id: int) -> None:
    """Remove a link of ticket `number` (NotFound if it has no such link)."""
    ticket = _workable(session, actor, number)
    link = session.get(TicketLink, link_id)
    if link is None or ticket.id not in (link.source_id, link.target_id):
        raise NotFound("No such link on this ticket.")
    source, target = session.get(Ticket, link.source_id), session.get(Ticket, link.target_id)
    if not can_work(session, actor, source.project_id) or not can_work(session, actor, target.project_id):
        raise PermissionDenied("Only agents who work both tickets may remove their link.")
    _log_both(session, actor, link, source, target, "link_removed")
    session.delete(link)
    session.flush()


def _link_between(session: Session, first_id: int, second_id: int) -> TicketLink | None:
    return session.exec(
        select(TicketLink).where(
            or_(
                and_(TicketLink.source_id == first_id, TicketLink.target_id == second_id),
                and_(TicketLink.source_id == second_id, TicketLink.target_id == first_id),
            )
        )
    ).first()


def _log_both(
    session: Session, actor: UserPublic, link: TicketLink, source: Ticket, target: Ticket, action: str
) -> None:
    now = utcnow()
    source_label, target_label = LABELS[link.kind]
    for ticket, label, other in ((source, source_label, target), (target, target_label, source)):
        ticket_stamp.touch(ticket, now, internal=True)
        session.add(ticket)
        activity.record(
            session, ticket, actor, action, now=now, after={"label": label, "other": _number(session, other)}
        )


def _workable(session: Session, actor: UserPublic, number: str) -> Ticket:
    ticket = ticket_for(session, actor, number, for_update=True)
    if not can_work(session, actor, ticket.project_id):
        raise PermissionDenied("Only the project's agents link its tickets.")
    return ticket


def _number(session: Session, ticket: Ticket) -> str:
    return format_ticket_number(session.get(Project, ticket.project_id).key, ticket.number)
