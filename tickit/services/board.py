"""The Kanban board: one column per status of a ticket type, cards in their board rank.

Moves between columns go through `workflow.move`, so the board, the ticket page and the API
obey the same transitions. Order within a column is the ticket's `board_rank`: a dropped card
gets a rank between its new neighbours, so one move writes one row.

A column carries its full count but only its first cards (CARD_WINDOW, more on request): a
type with thousands of tickets costs a walk down the board index and a dozen cards a column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, false, func, or_, true, union_all
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from tickit.models import (
    WORKING_ROLES,
    MemberRole,
    Priority,
    Project,
    ProjectMember,
    StatusCategory,
    Ticket,
    TicketStatus,
    TicketType,
    User,
    utcnow,
)
from tickit.services import activity, fields, sla_badges, ticket_stamp, workflow
from tickit.services.access import can_work, format_ticket_number, parse_ticket_number, ticket_for
from tickit.services.actors import UserPublic, require_staff
from tickit.services.errors import NotFound, ValidationFailed
from tickit.services.projects import project_ids_for
from tickit.services.sla_badges import SlaBadge

CARD_FIELD_COUNT = 2
CARD_WINDOW = 12  # cards a column carries at first: more than a tall window shows
CARD_STEP = 50  # more cards a column carries after each "Show more"
# Past this many columns a board no longer fits a laptop's width: its done columns start collapsed
# (they are drop targets far more than reading matter), and each column can be opened or collapsed.
FOLD_DONE_ABOVE = 5
# Ranks are floats: halving a gap about fifty times exhausts it, then the column is renumbered.
MIN_RANK_GAP = 1e-9
SEARCH_MAX = 200
_ASSIGNEE_WORDS = ("", "mine", "unassigned")
_USER_ID = re.compile(r"[1-9][0-9]{0,9}")
_MAX_ID = 2**31 - 1
_PRIORITIES = tuple(p.value for p in Priority)


@dataclass(frozen=True)
class BoardFilters:
    assignee: str = ""  # "", "mine", "unassigned", or a user id
    priority: str = ""  # "" or one of Priority
    text: str = ""


@dataclass(frozen=True)
class Card:
    number: str
    title: str
    priority: str
    assignee_id: int | None
    assignee_name: str
    created_at: datetime
    field_values: tuple[tuple[str, str], ...]  # (label, shown value), at most CARD_FIELD_COUNT
    sla: SlaBadge | None = None


@dataclass(frozen=True)
class Column:
    key: str
    name: str
    color: str
    category: str
    count: int  # every card of the column that passes the filters
    cards: tuple[Card, ...]  # the first of them in rank order, as many as asked for
    folded: bool  # shown collapsed until the viewer opens it (see FOLD_DONE_ABOVE)


@dataclass(frozen=True)
class Board:
    project_key: str
    project_name: str
    type_key: str
    type_name: str
    columns: tuple[Column, ...]
    legal_moves: dict[str, list[str]]  # status key -> status keys a card may move to
    stamp: str  # changes whenever a ticket of this type changes


@dataclass(frozen=True)
class Drop:
    """What a drop did: the workflow move (None for a reorder within a column), and the board's new
    stamp when the drop was the only change since the stamp the dropping board had seen ("" otherwise,
    so that board reloads to show the other changes too)."""

    move: workflow.MoveResult | None
    stamp: str


@dataclass(frozen=True)
class BoardChoice:
    project_key: str
    project_name: str
    type_key: str
    type_name: str


def board_choices(*, session: Session, actor: UserPublic) -> list[BoardChoice]:
    """Every (project, ticket type) board the actor may open, in project then type order."""
    require_staff(actor)
    ids = project_ids_for(session, actor, MemberRole.AGENT)
    rows = session.exec(
        select(Project.key, Project.name, TicketType.key, TicketType.name)
        .join(TicketType, TicketType.project_id == Project.id)
        .where(Project.id.in_(ids), Project.archived_at.is_(None), TicketType.archived == False)  # noqa: E712
        .order_by(Project.name, Project.id, TicketType.sort_order, TicketType.id)
    ).all()
    return [BoardChoice(*row) for row in rows]


def remembered_board(*, session: Session, actor: UserPublic) -> str:
    """The board the actor opened last, as "PROJECTKEY/typekey" ("" if none); it may since have closed to them."""
    return session.exec(select(User.last_board).where(User.id == actor.id)).first() or ""


def remember_board(*, session: Session, actor: UserPublic, project_key: str, type_key: str) -> str:
    """Make this board the one the actor's board page opens on, in any browser; NotFound unless they may open it.

    Returns the stored "PROJECTKEY/typekey".
    """
    ticket_type, project = _board_type(session, actor, project_key, type_key)
    choice = f"{project.key}/{ticket_type.key}"
    user = session.get(User, actor.id)
    if user.last_board != choice:
        user.last_board = choice
        session.add(user)
    return choice


def board(
    *,
    session: Session,
    actor: UserPublic,
    project_key: str,
    type_key: str,
    filters: BoardFilters = BoardFilters(),
    shown: Mapping[str, int] | None = None,
) -> Board:
    """The board of one ticket type, filtered; NotFound unless the actor works the project.

    Every column has its full count and its first `shown[status key]` cards (CARD_WINDOW by default).
    ValidationFailed for a filter no board offers (they come from the address bar).
    """
    _check_filters(filters)
    ticket_type, project = _board_type(session, actor, project_key, type_key)
    statuses = workflow.status_options_by_id(session, ticket_type.id)
    limits = {
        status_id: max(1, int((shown or {}).get(status.key, CARD_WINDOW))) for status_id, status in statuses.items()
    }
    conditions = [Ticket.type_id == ticket_type.id, *_filter_conditions(actor, filters)]
    counts = dict(
        session.exec(select(Ticket.status_id, func.count()).where(*conditions).group_by(Ticket.status_id)).all()
    )
    # Each column's first cards walk the board index (type, status, rank) and stop at the column's
    # limit; only then are the few rows read, and only the columns a card shows.
    firsts = [
        select(Ticket.id)
        .where(*conditions, Ticket.status_id == status_id)
        .order_by(Ticket.board_rank, Ticket.id)
        .limit(limits[status_id])
        .subquery()
        for status_id in statuses
        if counts.get(status_id)
    ]
    cards: dict[int, list[Card]] = {status_id: [] for status_id in statuses}
    if firsts:
        shown_ids = union_all(*(select(first.c.id) for first in firsts)).subquery()
        assignee = aliased(User)
        rows = session.exec(
            select(
                Ticket.id,
                Ticket.status_id,
                Ticket.number,
                Ticket.title,
                Ticket.priority,
                Ticket.assignee_id,
                Ticket.created_at,
                Ticket.fields,
                assignee.name.label("assignee_name"),
            )
            .join(shown_ids, shown_ids.c.id == Ticket.id)
            .outerjoin(assignee, assignee.id == Ticket.assignee_id)
            .order_by(Ticket.board_rank, Ticket.id)
        ).all()
        rules = fields.rules_for_type(session, ticket_type.id)
        sla_of = sla_badges.badges(session, [row.id for row in rows], utcnow()) if actor.is_staff else {}
        for row in rows:
            cards[row.status_id].append(_card(project.key, row, rules, sla_of.get(row.id)))
    columns = tuple(
        Column(
            key=status.key,
            name=status.name,
            color=status.color,
            category=status.category,
            count=counts.get(status_id, 0),
            cards=tuple(cards[status_id]),
            folded=len(statuses) > FOLD_DONE_ABOVE and status.category == StatusCategory.DONE,
        )
        for status_id, status in statuses.items()
    )
    return Board(
        project_key=project.key,
        project_name=project.name,
        type_key=ticket_type.key,
        type_name=ticket_type.name,
        columns=columns,
        legal_moves=workflow.transition_map(session=session, actor=actor, type_id=ticket_type.id),
        stamp=board_stamp(session=session, type_id=ticket_type.id),
    )


def assignable_agents(*, session: Session, actor: UserPublic, project_key: str) -> list[tuple[int, str]]:
    """(user id, name) of the project's active agents, by name: the board's assignee filter."""
    require_staff(actor)
    project = session.exec(select(Project).where(Project.key == project_key.strip().upper())).first()
    if project is None or not can_work(session, actor, project.id):
        raise NotFound(f"No project {project_key}.")
    rows = session.exec(
        select(User.id, User.name)
        .join(ProjectMember, ProjectMember.user_id == User.id)
        .where(ProjectMember.project_id == project.id, ProjectMember.role.in_(WORKING_ROLES), User.is_active == True)  # noqa: E712
        .order_by(User.name, User.id)
    ).all()
    return [(user_id, name) for user_id, name in rows]


def stamp_of(*, session: Session, actor: UserPublic, project_key: str, type_key: str) -> str:
    """The `board_stamp` of a board the actor may open, by its keys (what an open board polls)."""
    ticket_type, _ = _board_type(session, actor, project_key, type_key)
    return board_stamp(session=session, type_id=ticket_type.id)


def board_stamp(*, session: Session, type_id: int) -> str:
    """A cheap fingerprint of a type's tickets: when it changes, open boards reload."""
    return _stamp_text(*session.exec(select(*_stamp_columns(type_id).c)).one())


def _stamp_columns(type_id: int):
    """The stamp's figures as a one-row subquery, for `board_stamp` or for a drop's first read to join."""
    return (
        select(
            func.count(Ticket.id).label("stamp_count"),
            func.max(Ticket.updated_at).label("stamp_latest"),
            func.sum(Ticket.board_rank).label("stamp_rank_sum"),
        )
        .where(Ticket.type_id == type_id)
        .subquery()
    )


def _stamp_text(count: int, latest: datetime | None, rank_sum: float | None) -> str:
    return f"{count}:{latest.isoformat() if latest else ''}:{rank_sum or 0}"


def move_card(
    *,
    session: Session,
    actor: UserPublic,
    number: str,
    to_status: str,
    after: str | None = None,
    before: str | None = None,
    seen_stamp: str = "",
) -> Drop:
    """Drop card `number` into column `to_status`, right below card `after` and above card `before`.

    Either neighbour may be None: the card then goes right next to the other one (a board that shows
    a column's first cards only does not know what follows its last), or, with neither, keeps its rank.
    A move to another column is a workflow move (IllegalTransition names the legal targets); a drop
    in the same column only reorders. Both are logged. `seen_stamp` is the stamp the dropping board
    shows; the returned stamp says whether that board is current after the drop (see `Drop`).
    """
    require_staff(actor)
    ticket = ticket_for(session, actor, number, for_update=True)
    if not can_work(session, actor, ticket.project_id):
        raise NotFound(f"No ticket {number}.")
    place = _place(session, ticket, number, to_status, after, before, with_stamp=bool(seen_stamp))
    # The stamp is read before the change: if it is what the dropping board shows, nothing else changed
    # since. (On PostgreSQL another ticket's change committed during this drop would pass unseen until the next.)
    unchanged = bool(seen_stamp) and place.stamp == seen_stamp
    rank = _rank_between(
        session, ticket, place, reread=lambda: _place(session, ticket, number, to_status, after, before)
    )
    if place.status_id != ticket.status_id:
        move = workflow.move(
            session=session, actor=actor, number=number, to_status=to_status, board_rank=rank, locked=ticket
        )
    else:
        move = None
        previous = ticket.board_rank
        ticket.board_rank = rank
        # Only staff see the board's order: clients are not told the ticket changed.
        ticket_stamp.touch(ticket, utcnow(), internal=True)
        session.add(ticket)
        activity.record(
            session,
            ticket,
            actor,
            "reordered",
            now=ticket.updated_at,
            before={"board_rank": previous},
            after={"board_rank": rank},
        )
    session.flush()
    fresh = board_stamp(session=session, type_id=ticket.type_id) if unchanged else ""
    return Drop(move=move, stamp=fresh)


def move_back(
    *,
    session: Session,
    actor: UserPublic,
    number: str,
    to_status: str,
    after: str | None = None,
    before: str | None = None,
) -> Drop:
    """Undo a drop: move card `number` back to `to_status`, between its old neighbours when they are still
    there, else at its rank in that column.

    A normal move through the workflow, logged like any other: when the way back is not a legal
    transition, IllegalTransition says so and names where the card can go.
    """
    try:
        with session.begin_nested():
            return move_card(
                session=session, actor=actor, number=number, to_status=to_status, after=after, before=before
            )
    except ValidationFailed as exc:
        if "position" not in exc.errors:
            raise
    return move_card(session=session, actor=actor, number=number, to_status=to_status)


def _board_type(session: Session, actor: UserPublic, project_key: str, type_key: str) -> tuple[TicketType, Project]:
    require_staff(actor)
    row = session.exec(
        select(TicketType, Project)
        .join(Project, Project.id == TicketType.project_id)
        .where(Project.key == project_key.strip().upper(), TicketType.key == type_key, TicketType.archived == False)  # noqa: E712
    ).first()
    if row is None or not can_work(session, actor, row[1].id):
        raise NotFound(f"No board for {project_key} / {type_key}.")
    return row


def _check_filters(filters: BoardFilters) -> None:
    errors = {}
    if not (filters.assignee in _ASSIGNEE_WORDS or _is_user_id(filters.assignee)):
        errors["assignee"] = "Filter by mine, unassigned or an agent; that assignee is not one."
    if filters.priority and filters.priority not in _PRIORITIES:
        errors["priority"] = f"Filter by one of the priorities: {', '.join(_PRIORITIES)}."
    if (reason := fields.unstorable_reason(filters.text)) is not None:
        errors["text"] = f"The search {reason}."
    if errors:
        raise ValidationFailed(errors)


def _is_user_id(text: str) -> bool:
    return _USER_ID.fullmatch(text) is not None and int(text) <= _MAX_ID


def _filter_conditions(actor: UserPublic, filters: BoardFilters) -> list:
    conditions = []
    if filters.assignee == "mine":
        conditions.append(Ticket.assignee_id == actor.id)
    elif filters.assignee == "unassigned":
        conditions.append(Ticket.assignee_id.is_(None))
    elif filters.assignee:
        conditions.append(Ticket.assignee_id == int(filters.assignee))
    if filters.priority:
        conditions.append(Ticket.priority == filters.priority)
    text = filters.text.strip()[:SEARCH_MAX]
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(or_(Ticket.title.ilike(pattern, escape="\\"), _number_matches(text)))
    return conditions


def _number_matches(text: str):
    # "42" or "HH-42" finds the card by number.
    digits = text.rsplit("-", 1)[-1]
    return Ticket.number == int(digits) if digits.isdigit() and len(digits) <= 9 else False


def _card(project_key: str, row, rules: list[fields.FieldRule], sla: SlaBadge | None) -> Card:
    shown = []
    values = row.fields or {}
    for rule in rules:
        value = fields.display_value(rule, values.get(rule.key))
        if value:
            shown.append((rule.label, value))
        if len(shown) == CARD_FIELD_COUNT:
            break
    return Card(
        number=format_ticket_number(project_key, row.number),
        title=row.title,
        priority=row.priority,
        assignee_id=row.assignee_id,
        assignee_name=row.assignee_name or "",
        created_at=row.created_at,
        field_values=tuple(shown),
        sla=sla,
    )


# The cards a drop names as its neighbours, in `_place`'s one statement.
_AFTER, _BEFORE = aliased(Ticket, name="after_card"), aliased(Ticket, name="before_card")


@dataclass(frozen=True)
class _Place:
    """What a drop reads before it writes: the target column, the neighbours it named, the board's stamp."""

    status_id: int
    low: tuple[float, int] | None  # (rank, id) of the card named `after`
    high: tuple[float, int] | None  # of the card named `before`
    stamp: str  # "" unless asked for


def _place(
    session: Session,
    ticket: Ticket,
    number: str,
    to_status: str,
    after: str | None,
    before: str | None,
    *,
    with_stamp: bool = False,
) -> _Place:
    """The target column's status id and the named neighbours' (rank, id), and with `with_stamp` the board's
    stamp, in one statement (each is a round trip of its own otherwise, and a drop should take few).

    A neighbour must still be in the target column. The dropped ticket has been authorised, and a
    neighbour in its column belongs to the same project and type, so only its rank is read.
    """
    project_key, _ = parse_ticket_number(number)
    columns, joins = [TicketStatus.id], []
    for name, neighbour in ((after, _AFTER), (before, _BEFORE)):
        if not name:
            continue
        key, n = parse_ticket_number(name)
        columns += [neighbour.board_rank, neighbour.id, neighbour.status_id]
        on = and_(
            neighbour.project_id == ticket.project_id,
            neighbour.number == n if key == project_key else false(),  # another project's card is in no column here
            neighbour.type_id == ticket.type_id,
            neighbour.id != ticket.id,
        )
        joins.append((neighbour, on, True))
    if with_stamp:
        stamp = _stamp_columns(ticket.type_id)
        columns += list(stamp.c)
        joins.append((stamp, true(), False))
    query = select(*columns).select_from(TicketStatus)
    for target, on, outer in joins:
        query = query.join(target, on, isouter=outer)
    query = query.where(TicketStatus.type_id == ticket.type_id, TicketStatus.key == to_status)
    row = session.connection().execute(query).first()  # a row even when only the status id is asked for
    if row is None:
        raise ValidationFailed({"status": f"This board has no column “{to_status}”."})
    status_id, values = row[0], list(row[1:])
    named = []
    for name in (after, before):
        if not name:
            named.append(None)
            continue
        rank, neighbour_id, neighbour_status = values[:3]
        del values[:3]
        if neighbour_id is None or neighbour_status != status_id:
            raise ValidationFailed({"position": f"{name} is not in that column any more; reload the board."})
        named.append((rank, neighbour_id))
    return _Place(status_id, named[0], named[1], _stamp_text(*values) if with_stamp else "")


def _rank_between(session: Session, ticket: Ticket, place: _Place, reread: Callable[[], _Place]) -> float:
    """A rank that sorts between the neighbours' (renumbering the column when the gap is used up, then
    `reread` reads the neighbours' new ranks). A missing neighbour is the card next to the named one.
    """
    low, high = _with_adjacent(session, ticket, place)
    if low is not None and high is not None and high[0] - low[0] < MIN_RANK_GAP:
        _renumber(session, ticket.type_id, place.status_id, exclude_id=ticket.id)
        low, high = _with_adjacent(session, ticket, reread())
    if low is None and high is None:
        return ticket.board_rank
    if low is None:
        return high[0] - 1.0
    if high is None:
        return low[0] + 1.0
    return (low[0] + high[0]) / 2


def _with_adjacent(
    session: Session, ticket: Ticket, place: _Place
) -> tuple[tuple[float, int] | None, tuple[float, int] | None]:
    """(rank, id) of the cards the drop lands between: the named ones, or the card next to the one named."""
    low, high = place.low, place.high
    if low is not None and high is None:
        high = _adjacent(session, ticket, place.status_id, low, below=True)
    elif high is not None and low is None:
        low = _adjacent(session, ticket, place.status_id, high, below=False)
    return low, high


def _adjacent(
    session: Session, ticket: Ticket, status_id: int, of: tuple[float, int], *, below: bool
) -> tuple[float, int] | None:
    """(rank, id) of the card right below (or above) `of` in the column, the dropped card aside."""
    rank, ticket_id = of
    if below:
        beyond = or_(Ticket.board_rank > rank, and_(Ticket.board_rank == rank, Ticket.id > ticket_id))
        order = (Ticket.board_rank, Ticket.id)
    else:
        beyond = or_(Ticket.board_rank < rank, and_(Ticket.board_rank == rank, Ticket.id < ticket_id))
        order = (Ticket.board_rank.desc(), Ticket.id.desc())
    row = session.exec(
        select(Ticket.board_rank, Ticket.id)
        .where(Ticket.type_id == ticket.type_id, Ticket.status_id == status_id, Ticket.id != ticket.id, beyond)
        .order_by(*order)
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def _renumber(session: Session, type_id: int, status_id: int, *, exclude_id: int) -> None:
    # Housekeeping that keeps every card's place, so it is not logged as a change to the tickets.
    rows = session.exec(
        select(Ticket)
        .where(Ticket.type_id == type_id, Ticket.status_id == status_id, Ticket.id != exclude_id)
        .order_by(Ticket.board_rank, Ticket.id)
        .with_for_update()
    ).all()
    for position, row in enumerate(rows, start=1):
        row.board_rank = float(position)
        session.add(row)
    session.flush()
