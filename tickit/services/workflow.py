"""The ticket workflow: which statuses a ticket may move to, for whom, and the move itself.

The answer comes from the type's TicketStatus and TicketTransition rows alone. Every path that
changes a ticket's status (board drag, ticket page buttons, API, admin bulk moves) goes through
`move`, so the rule and the activity entry live here once.

Who may take a transition, by the capacity in which the actor holds the ticket:
- admins (and the system) take any transition row;
- agents of the ticket's project take rows with no role restriction or restricted to "agent";
- a reporter who does not work the project takes only rows restricted to "client".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_
from sqlmodel import Session, select

from tickit.models import (
    ActivityEntry,
    MemberRole,
    ProjectMember,
    Role,
    StatusCategory,
    Ticket,
    TicketStatus,
    TicketTransition,
    TicketType,
    utcnow,
)
from tickit.services import notifications, reporting, sla, ticket_stamp, webhook_events
from tickit.services.access import can_work, format_ticket_number, parse_ticket_number, ticket_for
from tickit.services.actors import SYSTEM, Actor
from tickit.services.errors import NotFound, ServiceError, ValidationFailed


@dataclass(frozen=True)
class StatusOption:
    """A status as a column, button or menu entry shows it."""

    key: str
    name: str
    category: str
    color: str
    sort_order: int
    closes: bool = False  # a done status that closes the ticket, rather than resolving it

    @classmethod
    def of(cls, status: TicketStatus) -> StatusOption:
        return cls(
            key=status.key,
            name=status.name,
            category=status.category,
            color=status.color,
            sort_order=status.sort_order,
            closes=status.closes,
        )

    @property
    def is_done(self) -> bool:
        return self.category == StatusCategory.DONE


@dataclass(frozen=True)
class MoveResult:
    number: str
    from_status: StatusOption
    to_status: StatusOption
    moved_at: datetime


class IllegalTransition(ServiceError):
    """The workflow has no move from the ticket's status to the target for this actor.

    The message names the legal targets; `legal` holds them for a board to highlight.
    """

    def __init__(self, number: str, from_status: StatusOption, to_status: StatusOption, legal: list[StatusOption]):
        self.number = number
        self.from_status = from_status
        self.to_status = to_status
        self.legal = list(legal)
        if self.legal:
            options = f"It can move to: {', '.join(s.name for s in self.legal)}."
        else:
            options = f"It cannot move anywhere from {from_status.name}."
        super().__init__(f"{number} cannot move from {from_status.name} to {to_status.name}. {options}")


def allowed_targets(*, session: Session, actor: Actor, number: str) -> list[StatusOption]:
    """The statuses the actor may move ticket `number` to, in board order (NotFound if hidden)."""
    ticket = ticket_for(session, actor, number)
    return _legal_targets(session, ticket, _capacity(session, actor, ticket))


def transition_map(*, session: Session, actor: Actor, type_id: int) -> dict[str, list[str]]:
    """For every status key of the type, the keys the actor may move a ticket to, in board order.

    A fixed handful of queries whatever the number of tickets, for a board to highlight legal
    columns while dragging. For a project's client the map holds for their own tickets only.
    """
    ticket_type = session.get(TicketType, type_id)
    if ticket_type is None:
        raise NotFound("No such ticket type.")
    capacity = _type_capacity(session, actor, ticket_type.project_id)
    statuses = status_options_by_id(session, type_id)
    transitions = session.exec(
        select(TicketTransition.from_status_id, TicketTransition.to_status_id, TicketTransition.required_role).where(
            TicketTransition.type_id == type_id
        )
    ).all()
    allowed: dict[int, set[int]] = {status_id: set() for status_id in statuses}
    for from_id, to_id, required_role in transitions:
        if from_id in statuses and to_id in statuses and _may_take(capacity, required_role):
            allowed[from_id].add(to_id)
    # `statuses` is in board order, so walking it orders each list of targets the same way.
    return {
        status.key: [target.key for target_id, target in statuses.items() if target_id in allowed[status_id]]
        for status_id, status in statuses.items()
    }


def status_options_by_id(session: Session, type_id: int) -> dict[int, StatusOption]:
    """The type's statuses in board order, keyed by row id."""
    rows = session.exec(
        select(TicketStatus).where(TicketStatus.type_id == type_id).order_by(TicketStatus.sort_order, TicketStatus.id)
    ).all()
    return {row.id: StatusOption.of(row) for row in rows}


def move(
    *,
    session: Session,
    actor: Actor,
    number: str,
    to_status: str,
    board_rank: float | None = None,
    locked: Ticket | None = None,
) -> MoveResult:
    """Move ticket `number` to the status with key `to_status`, logging it; the caller commits.

    The ticket row is locked first, so of two concurrent moves the second decides against the
    first one's result. `board_rank`, when given, places the card in its new column in the same
    transaction. `locked` is for a caller that already holds the ticket as
    `ticket_for(session, actor, number, for_update=True)` returned it in this transaction: it is
    then not read and locked a second time (the legality check below runs all the same).
    """
    project_key, n = parse_ticket_number(number)
    number = format_ticket_number(project_key, n)
    if locked is not None and locked.number != n:
        raise ValueError(f"The locked ticket is not {number}")
    ticket = locked if locked is not None else ticket_for(session, actor, number, for_update=True)
    current, target = _check_move(session, actor, ticket, number, to_status)
    now = utcnow()
    if board_rank is not None:
        ticket.board_rank = board_rank
    apply_status_change(session=session, actor=actor, ticket=ticket, current=current, target=target, now=now)
    return MoveResult(
        number=number,
        from_status=StatusOption.of(current),
        to_status=StatusOption.of(target),
        moved_at=now,
    )


def apply_status_change(
    *,
    session: Session,
    actor: Actor,
    ticket: Ticket,
    current: TicketStatus,
    target: TicketStatus,
    now: datetime,
    reason: str | None = None,
) -> None:
    """Put a ticket in `target`: resolved/closed times follow the status, and one activity entry records it.

    Entering a done status resolves the ticket (`resolved_at`, kept while it moves between done
    statuses, so one resolution stays one survey); entering a done status that `closes` also
    closes it (`closed_at`). Leaving the done statuses reopens it and clears both. Only for moves
    already judged allowed (by `move`, the reply rules, auto-close, or an admin removing a status).
    """
    ticket.status_id = target.id
    ticket_stamp.touch(ticket, now)
    if target.category == StatusCategory.DONE:
        if current.category != StatusCategory.DONE or ticket.resolved_at is None:
            ticket.resolved_at = now
        if not target.closes:
            ticket.closed_at = None
        elif ticket.closed_at is None or not current.closes:
            ticket.closed_at = now
    else:  # open, or reopened
        ticket.resolved_at = ticket.closed_at = None
    session.add(ticket)
    after = {"status": target.key, "status_name": target.name}
    if reason:
        after["reason"] = reason
    session.add(
        ActivityEntry(
            ticket_id=ticket.id,
            actor_user_id=None if actor is SYSTEM else actor.id,
            action="status_changed",
            before={"status": current.key, "status_name": current.name},
            after=after,
            created_at=now,
        )
    )
    session.flush()
    sla.on_status_change(session, ticket, current, target, now)
    reporting.on_status_change(session, ticket, current, target, now)
    notifications.stage_status_changed(session, ticket=ticket, actor=actor, current=current, target=target)
    webhook_events.publish(
        session,
        project_id=ticket.project_id,
        ticket_id=ticket.id,
        event=webhook_events.STATUS_CHANGED,
        data={
            "from_status": {"key": current.key, "name": current.name},
            "to_status": {"key": target.key, "name": target.name},
        },
    )


def _check_move(
    session: Session, actor: Actor, ticket: Ticket, number: str, to_status: str
) -> tuple[TicketStatus, TicketStatus]:
    """The ticket's current status and the target, once the move is known to be legal.

    One query reads the current status, the target and every status the workflow leads to from
    the current one (the transition's role is judged below, as `_legal_targets` judges it).
    """
    transition = and_(
        TicketTransition.to_status_id == TicketStatus.id, TicketTransition.from_status_id == ticket.status_id
    )
    wanted = [TicketTransition.id.is_not(None)]  # the legal targets
    if isinstance(to_status, str):
        wanted.append(TicketStatus.key == to_status)
    rows = session.exec(
        select(TicketStatus, TicketTransition.id, TicketTransition.required_role)
        .outerjoin(TicketTransition, transition)
        .where(or_(TicketStatus.id == ticket.status_id, and_(TicketStatus.type_id == ticket.type_id, or_(*wanted))))
        .order_by(TicketStatus.sort_order, TicketStatus.id)
    ).all()
    current = next(status for status, _, _ in rows if status.id == ticket.status_id)
    target = next((s for s, _, _ in rows if s.key == to_status and s.type_id == ticket.type_id), None)
    if target is None:
        raise ValidationFailed({"status": f"{number} has no status “{to_status}”."})
    if target.id == current.id:
        raise ValidationFailed({"status": f"{number} is already in {current.name}."})
    capacity = _capacity(session, actor, ticket)
    legal = [
        StatusOption.of(status)
        for status, transition_id, required_role in rows
        if transition_id is not None and status.type_id == ticket.type_id and _may_take(capacity, required_role)
    ]
    if target.key not in {s.key for s in legal}:
        raise IllegalTransition(number, StatusOption.of(current), StatusOption.of(target), legal)
    return current, target


def _legal_targets(session: Session, ticket: Ticket, capacity: str) -> list[StatusOption]:
    rows = session.exec(
        select(TicketStatus, TicketTransition.required_role)
        .join(TicketTransition, TicketTransition.to_status_id == TicketStatus.id)
        .where(TicketTransition.from_status_id == ticket.status_id, TicketStatus.type_id == ticket.type_id)
        .order_by(TicketStatus.sort_order, TicketStatus.id)
    ).all()
    return [StatusOption.of(status) for status, required_role in rows if _may_take(capacity, required_role)]


READER = "reader"  # the capacity of someone who may read a ticket but not move it


def _may_take(capacity: str, required_role: str | None) -> bool:
    if capacity == Role.ADMIN:
        return True
    if capacity == Role.AGENT:
        return required_role in (None, Role.AGENT)
    return capacity == Role.CLIENT and required_role == Role.CLIENT


def _capacity(session: Session, actor: Actor, ticket: Ticket) -> str:
    """The role in which the actor holds this ticket; `ticket_for` has already let them see it."""
    if actor is SYSTEM or actor.is_admin:
        return Role.ADMIN
    if can_work(session, actor, ticket.project_id):
        return Role.AGENT
    # A colleague reading it through their organisation (access.shared_reporter_ids) moves nothing.
    return Role.CLIENT if ticket.reporter_id == actor.id else READER


def _type_capacity(session: Session, actor: Actor, project_id: int) -> str:
    if actor is SYSTEM or actor.is_admin:
        return Role.ADMIN
    if can_work(session, actor, project_id):
        return Role.AGENT
    client_member = session.get(ProjectMember, (project_id, actor.id))
    if actor.is_active and client_member is not None and client_member.role == MemberRole.CLIENT:
        return Role.CLIENT
    raise NotFound("No such ticket type.")
