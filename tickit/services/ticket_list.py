"""The ticket list: filters, search, sort and keyset pages, with the filters kept in a query string.

Decisions the list's callers rely on:
- Who sees what (as `access` decides for one ticket): one list serves every role, the client's
  portal included. Agents see the tickets of the projects where they are agents, admins every
  ticket, everyone else the tickets they reported or are in copy of (and, asked for with `colleagues`, those of
  their organisation that `access.shared_reporter_ids` lets them read). Filters only ever narrow
  that set.
- Filters combine with AND; the values of one filter with OR. Keys (projects, types, statuses) are
  resolved to ids first, so the big query filters on ticket columns the indexes cover.
- Pages are keyset pages on (sort value, ticket id), ties broken by id in the sort's direction, so
  page 200 costs what page 1 does. The cursor names the last row's sort value and id; it is checked,
  not signed: it only says where to continue, and every row still passes the visibility and filter
  conditions, so a forged cursor shows nothing a first page would not. A cursor that does not fit
  the query (garbage, another sort or direction) means the first page.
- Search on PostgreSQL is full text (`simple` configuration: whole words, no stemming and no stop
  words, so it works the same for every language) over the ticket's title and description and the
  text of its comments the actor may read (not deleted; internal notes only for staff), through
  the words each keeps in its `search_document` column and the GIN indexes on them (migration
  0009). On SQLite every word must occur (case-insensitively, ASCII only, as substrings) in the
  title, the description or such a comment, with LIKE's wildcards taken literally.
- Search text that is a ticket number (`HH-56`, `hh-56`, `#56`, `56`) also matches that ticket.
- A `tag:NAME` term in the search text (`tag:vip refund`) is not a word to look for: it keeps the
  tickets that carry that tag (any case; `tag:a tag:b` wants both, as every word must match), and
  the other words search as above. It only narrows, like the `tag` filter, which matches any of its tags.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import DateTime, Integer, and_, any_, func, literal, literal_column, or_, true, tuple_, union
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from tickit.labels import public_status_label
from tickit.models import (
    Comment,
    MemberRole,
    Organisation,
    OrganisationMember,
    Priority,
    Project,
    Ticket,
    TicketStatus,
    TicketTag,
    TicketType,
    User,
    utcnow,
)
from tickit.models.base import UTCDateTime
from tickit.models.workflow import StatusCategory
from tickit.services import sla_badges, tags
from tickit.services.access import copied_ticket_ids, format_ticket_number, shared_reporter_ids
from tickit.services.actors import UserPublic
from tickit.services.errors import ValidationFailed
from tickit.services.fields import unstorable_reason
from tickit.services.project_setup import PROJECT_KEY_PATTERN
from tickit.services.projects import project_ids_for
from tickit.services.sla_badges import SlaBadge
from tickit.services.workflow_specs import KEY_PATTERN

SORTS = ("updated", "created", "priority", "number", "due")  # due: the next SLA due time, ticket with one only
SLA_FILTERS = ("breached", "due_soon")  # an SLA due time passed; one due within the next hour
DIRECTIONS = ("desc", "asc")
ASSIGNEE_ME, ASSIGNEE_UNASSIGNED = "me", "unassigned"
PAGE_SIZE, PAGE_SIZE_MAX = 50, 200
# Past this many matches the list says "1,000+": each match counted is a row read (through the GIN
# index for a search), and twenty pages are more than anyone pages through; a filter narrows further.
COUNT_CAP = 1_000
# Tickets a search tests in list order before it looks its words up in the index (`_walked_page`).
WALK_ROWS = 1_000
TEXT_MAX = 200  # characters of search text
CURSOR_MAX = 200  # characters of an encoded cursor (a real one is under 100)
_MAX_ID = 2**31 - 1  # ids and numbers are INTEGER columns
_PRIORITY_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}
_CATEGORIES = tuple(StatusCategory)
_PRIORITIES = tuple(Priority)
_USER_ID = re.compile(r"[1-9][0-9]{0,9}")
_PAGE_SIZE = re.compile(r"[0-9]{1,9}")
_CURSOR = re.compile(r"[A-Za-z0-9_-]+")
# Search text that names a ticket: `HH-56` (any case), or `#56` / `56` in the projects listed.
_NUMBER_REFERENCE = re.compile(r"(?:([A-Za-z][A-Za-z0-9]{1,9})-|#)?([1-9][0-9]{0,9})")
# A search term naming a tag: `tag:vip`, a whole word of the text (see `_tag_terms`).
_TAG_TERM = re.compile(r"(?<!\S)tag:([\w][\w.-]*)(?!\S)", re.IGNORECASE)


@dataclass(frozen=True)
class TicketQuery:
    """What the list shows: filters, search text, sort and the page.

    Values are kept in a canonical form (filter values sorted and unique, project keys upper-case,
    text stripped), so two queries that select the same tickets compare equal and serialise alike.
    Out-of-range values are a programming error (ValueError); `from_query_params` is the lenient
    way in from a URL. `after` is taken as given: `list_tickets` treats a bad cursor as no cursor.
    """

    text: str = ""
    project_keys: tuple[str, ...] = ()
    type_keys: tuple[str, ...] = ()
    status_keys: tuple[str, ...] = ()
    status_categories: tuple[str, ...] = ()  # todo | in_progress | done
    assignee: str | int | None = None  # "me", "unassigned", a user id, or None for anyone
    priorities: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()  # tag names (`tags.normalise`d): tickets carrying any of them
    created_from: date | None = None  # inclusive, a day in `zone`
    created_to: date | None = None  # inclusive, a day in `zone`
    resolved_from: date | None = None  # inclusive, a day in `zone`: resolved (and not reopened since) then
    resolved_to: date | None = None  # inclusive, a day in `zone`
    zone: str = ""  # the IANA time zone whose days the date filters name; "" for UTC
    sla: str = ""  # "", or one of SLA_FILTERS (staff lists)
    organisation: int | None = None  # the id of the reporter's organisation
    colleagues: bool = False  # a requester's list: their organisation's tickets they may read, not only their own
    sort: str = "updated"
    direction: str = "desc"
    page_size: int = PAGE_SIZE
    after: str | None = None

    def __post_init__(self) -> None:
        text = self.text.strip()
        if len(text) > TEXT_MAX or unstorable_reason(text):
            raise ValueError(f"search text must be storable text of at most {TEXT_MAX} characters")
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "project_keys", _canonical(self.project_keys, _is_project_key, str.upper))
        object.__setattr__(self, "type_keys", _canonical(self.type_keys, _is_key))
        object.__setattr__(self, "status_keys", _canonical(self.status_keys, _is_key))
        object.__setattr__(self, "status_categories", _canonical(self.status_categories, _CATEGORIES.__contains__))
        object.__setattr__(self, "priorities", _canonical(self.priorities, _PRIORITIES.__contains__))
        object.__setattr__(self, "tags", _canonical(self.tags, _is_tag))
        if not _is_assignee(self.assignee):
            raise ValueError(f"assignee must be 'me', 'unassigned', a user id or None, not {self.assignee!r}")
        for day in (self.created_from, self.created_to, self.resolved_from, self.resolved_to):
            if day is not None and (not isinstance(day, date) or isinstance(day, datetime)):
                raise ValueError(f"created_from/_to and resolved_from/_to are dates, not {day!r}")
        if self.zone and not _is_zone(self.zone):
            raise ValueError(f"zone is '' or an IANA time zone name, not {self.zone!r}")
        object.__setattr__(self, "zone", "" if self.zone == "UTC" else self.zone)
        if self.sla not in ("", *SLA_FILTERS):
            raise ValueError(f"sla is '' or one of {SLA_FILTERS}")
        if self.organisation is not None and not _is_id(self.organisation):
            raise ValueError(f"organisation must be an id or None, not {self.organisation!r}")
        if self.sort not in SORTS or self.direction not in DIRECTIONS:
            raise ValueError(f"sort is one of {SORTS} and direction one of {DIRECTIONS}")
        if isinstance(self.page_size, bool) or not 1 <= self.page_size <= PAGE_SIZE_MAX:
            raise ValueError(f"page_size is 1 to {PAGE_SIZE_MAX}, not {self.page_size!r}")


@dataclass(frozen=True)
class TicketRow:
    """One ticket as a list shows it."""

    number: str
    title: str
    project_key: str
    project_name: str
    type_name: str
    status_name: str
    status_category: str
    status_color: str
    status_label: str  # what the requester reads for the status (`labels.public_status_label`)
    priority: str
    reporter_name: str
    assignee_name: str
    created_at: datetime
    updated_at: datetime
    sla: SlaBadge | None = None  # staff only
    organisation_name: str = ""  # the reporter's organisation, if any
    tags: tuple[str, ...] = ()  # staff only


@dataclass(frozen=True)
class TicketPage:
    """One page of the list; `next_cursor` goes into the next query's `after` (None on the last page).

    `first_row` is the position of the first row in the whole list (1 on the first page). `named` is
    the ticket the search text names by its number (`HH-56`, or `56` within one project) when it is
    in the list, so a caller may open it.
    """

    rows: list[TicketRow]
    next_cursor: str | None
    first_row: int = 1
    named: str | None = None


@dataclass(frozen=True)
class TicketCount:
    """How many tickets match: exact up to COUNT_CAP, else the cap."""

    total: int
    capped: bool


def _canonical(values, valid, normalise=lambda value: value) -> tuple[str, ...]:
    if isinstance(values, str):
        raise ValueError(f"give a tuple of values, not the string {values!r}")
    cleaned = [normalise(value) for value in values]
    bad = [value for value in cleaned if not isinstance(value, str) or not valid(value)]
    if bad:
        raise ValueError(f"invalid filter values: {bad!r}")
    return tuple(sorted(set(cleaned)))


def _is_project_key(value: str) -> bool:
    return PROJECT_KEY_PATTERN.fullmatch(value) is not None


def _is_key(value: str) -> bool:
    return KEY_PATTERN.fullmatch(value) is not None


def _is_tag(value: str) -> bool:
    try:
        return tags.normalise(value) == value
    except ValidationFailed:
        return False


def _is_assignee(value: object) -> bool:
    if value is None or value in (ASSIGNEE_ME, ASSIGNEE_UNASSIGNED):
        return True
    return _is_id(value)


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= _MAX_ID


# --- the query string --------------------------------------------------------------------------


def to_query_string(query: TicketQuery) -> str:
    """The query as URL parameters (no leading `?`); defaults are left out, lists comma-separated."""
    pairs: list[tuple[str, str]] = []
    if query.text:
        pairs.append(("q", query.text))
    for name, values in (
        ("project", query.project_keys),
        ("type", query.type_keys),
        ("status", query.status_keys),
        ("category", query.status_categories),
        ("priority", query.priorities),
        ("tag", query.tags),
    ):
        if values:
            pairs.append((name, ",".join(values)))
    if query.assignee is not None:
        pairs.append(("assignee", str(query.assignee)))
    if query.created_from is not None:
        pairs.append(("from", query.created_from.isoformat()))
    if query.created_to is not None:
        pairs.append(("to", query.created_to.isoformat()))
    if query.resolved_from is not None:
        pairs.append(("resolved_from", query.resolved_from.isoformat()))
    if query.resolved_to is not None:
        pairs.append(("resolved_to", query.resolved_to.isoformat()))
    if query.zone:
        pairs.append(("tz", query.zone))
    if query.sla:
        pairs.append(("sla", query.sla))
    if query.organisation is not None:
        pairs.append(("organisation", str(query.organisation)))
    if query.sort != "updated":
        pairs.append(("sort", query.sort))
    if query.direction != "desc":
        pairs.append(("dir", query.direction))
    if query.page_size != PAGE_SIZE:
        pairs.append(("size", str(query.page_size)))
    if query.after:
        pairs.append(("after", query.after))
    return urlencode(pairs)


def from_query_params(params: Mapping[str, str | list[str]]) -> TicketQuery:
    """The query a URL's parameters describe; values that make no sense are dropped, never an error.

    Takes what `urllib.parse.parse_qs` or the router gives: a string or a list of strings per name.
    List filters may repeat their name or separate values with commas.
    """

    def values(name: str) -> list[str]:
        raw = params.get(name)
        raw = [raw] if isinstance(raw, str) else raw if isinstance(raw, list | tuple) else []
        return [value.strip() for value in raw if isinstance(value, str) and value.strip()]

    def listed(name: str, valid, normalise=lambda value: value) -> tuple[str, ...]:
        found = [normalise(part.strip()) for value in values(name) for part in value.split(",")]
        return tuple(value for value in found if valid(value))

    def first(name: str, parse):
        for value in values(name):
            parsed = parse(value)
            if parsed is not None:
                return parsed
        return None

    sort = first("sort", lambda value: value if value in SORTS else None) or "updated"
    direction = first("dir", lambda value: value if value in DIRECTIONS else None) or "desc"
    return TicketQuery(
        text=first("q", _parse_text) or "",
        project_keys=listed("project", _is_project_key, str.upper),
        type_keys=listed("type", _is_key),
        status_keys=listed("status", _is_key),
        status_categories=listed("category", _CATEGORIES.__contains__),
        assignee=first("assignee", _parse_assignee),
        priorities=listed("priority", _PRIORITIES.__contains__),
        tags=listed("tag", _is_tag, str.lower),
        created_from=first("from", _parse_date),
        created_to=first("to", _parse_date),
        resolved_from=first("resolved_from", _parse_date),
        resolved_to=first("resolved_to", _parse_date),
        zone=first("tz", lambda value: value if _is_zone(value) else None) or "",
        sla=first("sla", lambda value: value if value in SLA_FILTERS else None) or "",
        organisation=first("organisation", _parse_id),
        sort=sort,
        direction=direction,
        page_size=first("size", _parse_page_size) or PAGE_SIZE,
        after=first("after", lambda value: value if _decode_cursor(value, sort, direction) else None),
    )


def _parse_text(value: str) -> str | None:
    # A URL's text is cut to the limit rather than thrown away, so a long paste still searches.
    text = value[:TEXT_MAX].strip()
    return text if text and unstorable_reason(text) is None else None


def _parse_assignee(value: str) -> str | int | None:
    if value in (ASSIGNEE_ME, ASSIGNEE_UNASSIGNED):
        return value
    return _parse_id(value)


def _parse_id(value: str) -> int | None:
    if _USER_ID.fullmatch(value) and int(value) <= _MAX_ID:
        return int(value)
    return None


def _is_zone(value: str) -> bool:
    try:
        ZoneInfo(value)  # cached after the first look-up
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _day_start(day: date, zone: str) -> datetime:
    """The instant `day` begins in `zone` ("" for UTC)."""
    return datetime.combine(day, time.min, ZoneInfo(zone) if zone else UTC)


def _between_days(column, start: date | None, end: date | None, zone: str) -> list:
    """`column` within the days `start`..`end` (either may be open) of `zone`."""
    conditions = []
    if start is not None:
        conditions.append(column >= _day_start(start, zone))
    if end is not None and end < date.max:
        conditions.append(column < _day_start(end + timedelta(days=1), zone))
    return conditions


def _parse_date(value: str) -> date | None:
    if len(value) != 10:  # only YYYY-MM-DD, which is what to_query_string writes
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _parse_page_size(value: str) -> int | None:
    if not _PAGE_SIZE.fullmatch(value) or int(value) < 1:
        return None
    return min(int(value), PAGE_SIZE_MAX)


# --- cursors -----------------------------------------------------------------------------------


def _encode_cursor(sort: str, direction: str, value: datetime | int, ticket_id: int, shown_before: int) -> str:
    shown = value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value
    payload = json.dumps([sort, direction, shown, ticket_id, shown_before], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None, sort: str, direction: str) -> tuple[datetime | int, int, int] | None:
    """The (sort value, id, rows before it) a cursor continues after, or None when it does not fit this sort.

    The count of rows before is what the pages so far showed: it numbers the rows ("51–100"), and
    is only as true as the list was stable while paging, which is all a position in a list needs.
    """
    if not isinstance(cursor, str) or not 0 < len(cursor) <= CURSOR_MAX or not _CURSOR.fullmatch(cursor):
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):  # bad base64, bad UTF-8 and bad JSON are all ValueErrors
        return None
    if not isinstance(payload, list) or len(payload) != 5 or payload[:2] != [sort, direction]:
        return None
    raw, ticket_id, shown_before = payload[2], payload[3], payload[4]
    if not _is_int(ticket_id, 1) or not _is_int(shown_before, 1):
        return None
    if sort in ("updated", "created", "due"):
        if not isinstance(raw, str) or len(raw) > 40:
            return None
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            return None
        if value.tzinfo is None:
            return None
        value = value.astimezone(UTC)
    elif _is_int(raw, -1):
        value = raw
    else:
        return None
    # Only the one spelling `_encode_cursor` writes, so a cursor in a URL round-trips exactly.
    if _encode_cursor(sort, direction, value, ticket_id, shown_before) != cursor:
        return None
    return value, ticket_id, shown_before


def _is_int(value: object, low: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= _MAX_ID


# --- the list ----------------------------------------------------------------------------------

_SIMPLE = literal_column("'simple'")  # the columns' configuration: whole words, as typed
# Built once: making an alias costs more than the rest of a page's Python work.
_REPORTER, _ASSIGNEE = aliased(User, name="reporter"), aliased(User, name="assignee")


# On PostgreSQL each ticket and comment keeps its words in a generated column (migration 0009),
# which ix_tickets_search and ix_comments_search index: testing a row reads its words instead of
# parsing its text again, which made a common word's search cost a parse per match.
_TICKET_DOCUMENT = literal_column("tickets.search_document")  # to_tsvector('simple', title || ' ' || description)
_COMMENT_DOCUMENT = literal_column("comments.search_document")  # to_tsvector('simple', body_text)


# Spelled out, not bound: the expression indexes of migration 0009 hold exactly this order.
PRIORITY_RANK_SQL = (
    "CASE tickets.priority "
    + " ".join(f"WHEN '{priority}' THEN {rank}" for priority, rank in _PRIORITY_RANK.items())
    + " ELSE -1 END"
)


def _priority_rank():
    return literal_column(PRIORITY_RANK_SQL, Integer())


def _updated_at(actor: UserPublic):
    """The change time the actor is shown: clients see `public_updated_at`, which internal notes leave alone."""
    return Ticket.updated_at if actor.is_staff else Ticket.public_updated_at


def _sort_key(sort: str, actor: UserPublic):
    if sort == "priority":
        return _priority_rank()
    return {
        "updated": _updated_at(actor),
        "created": Ticket.created_at,
        "number": Ticket.number,
        "due": Ticket.sla_next_due_at,
    }[sort]


def list_tickets(*, session: Session, actor: UserPublic, query: TicketQuery) -> TicketPage:
    """One page of the tickets the actor may see that match the query, in the query's order."""
    conditions = _conditions(session, actor, query)
    if conditions is None:
        return TicketPage(rows=[], next_cursor=None)
    key = _sort_key(query.sort, actor)
    descending = query.direction == "desc"
    after = _decode_cursor(query.after, query.sort, query.direction)
    shown_before = 0
    if after is not None:
        value, ticket_id, shown_before = after
        bound = tuple_(literal(value, UTCDateTime() if isinstance(value, datetime) else Integer()), literal(ticket_id))
        conditions.append(tuple_(key, Ticket.id) < bound if descending else tuple_(key, Ticket.id) > bound)
    limit = query.page_size + 1
    # Find the page's ids on the tickets table alone (the part indexes serve), then fetch what rows show.
    # PostgreSQL's planner would walk the updated or number order from its start, passing every
    # ticket created after a range that ends in the past (both grow with creation) before its
    # first match: have it find the range first. (SQLite lists in one plan either way.)
    postgresql = session.get_bind().dialect.name == "postgresql"
    walk_passes_range = (
        postgresql
        and query.sort in ("updated", "number")
        and (query.created_to is not None if descending else query.created_from is not None)
    )
    order_key = _unindexed(key) if walk_passes_range else key
    words = _tag_terms(query.text)[0]
    finders = [lambda: _indexed_page(session, actor, words, conditions, key, order_key, descending, limit)]
    if words and postgresql:
        finders.insert(0, lambda: _walked_page(actor, words, conditions, key, descending, limit))
    for find in finders:
        found = session.exec(_page_rows(find(), actor, descending)).all()
        if len(found) == limit:  # a full page: what the walk found is the page
            break
    shown = found[: query.page_size]
    sla_of = sla_badges.badges(session, [row.id for row in shown], utcnow()) if actor.is_staff else {}
    tags_of = tags.tags_by_ticket(session, [row.id for row in shown]) if actor.is_staff else {}
    rows = [
        TicketRow(
            number=format_ticket_number(row.project_key, row.number),
            title=row.title,
            project_key=row.project_key,
            project_name=row.project_name,
            type_name=row.type_name,
            status_name=row.status_name,
            status_category=row.status_category,
            status_color=row.status_color,
            status_label=public_status_label(row.status_public_label, row.status_category, row.status_closes),
            priority=row.priority,
            reporter_name=row.reporter_name or "—",
            assignee_name=row.assignee_name or "Unassigned",
            created_at=row.created_at,
            updated_at=row.updated_at,
            sla=sla_of.get(row.id),
            organisation_name=row.organisation_name or "",
            tags=tuple(tags_of.get(row.id, ())),
        )
        for row in shown
    ]
    next_cursor = None
    if len(found) > query.page_size:
        last = found[query.page_size - 1]
        next_cursor = _encode_cursor(
            query.sort, query.direction, last.sort_value, last.id, shown_before + query.page_size
        )
    return TicketPage(
        rows=rows,
        next_cursor=next_cursor,
        first_row=shown_before + 1,
        named=_named_ticket(session, words, conditions),
    )


def matching_numbers(*, session: Session, actor: UserPublic, query: TicketQuery, limit: int) -> list[str]:
    """The numbers of the first `limit` tickets the query lists, in its order (a bulk action's "all matching").

    Read a page of the query's size at a time, through `list_tickets`, so search and visibility are the list's own.
    """
    query = replace(query, after=None)
    numbers: list[str] = []
    while len(numbers) < limit:
        page = list_tickets(session=session, actor=actor, query=query)
        numbers += [row.number for row in page.rows]
        if page.next_cursor is None:
            break
        query = replace(query, after=page.next_cursor)
    return numbers[:limit]


def _page_rows(page, actor: UserPublic, descending: bool):
    """What the rows of a page show, for the page's (id, sort_value) rows."""
    return (
        select(
            page.c.id,
            page.c.sort_value,
            Ticket.number,
            Ticket.title,
            Ticket.priority,
            Ticket.created_at,
            _updated_at(actor).label("updated_at"),
            Project.key.label("project_key"),
            Project.name.label("project_name"),
            TicketType.name.label("type_name"),
            TicketStatus.name.label("status_name"),
            TicketStatus.category.label("status_category"),
            TicketStatus.color.label("status_color"),
            TicketStatus.public_label.label("status_public_label"),
            TicketStatus.closes.label("status_closes"),
            _REPORTER.name.label("reporter_name"),
            _ASSIGNEE.name.label("assignee_name"),
            Organisation.name.label("organisation_name"),
        )
        .select_from(page)
        .join(Ticket, Ticket.id == page.c.id)
        .join(Project, Ticket.project_id == Project.id)
        .join(TicketType, Ticket.type_id == TicketType.id)
        .join(TicketStatus, Ticket.status_id == TicketStatus.id)
        .outerjoin(_REPORTER, Ticket.reporter_id == _REPORTER.id)
        .outerjoin(_ASSIGNEE, Ticket.assignee_id == _ASSIGNEE.id)
        .outerjoin(OrganisationMember, OrganisationMember.user_id == Ticket.reporter_id)
        .outerjoin(Organisation, Organisation.id == OrganisationMember.organisation_id)
        .order_by(*_ordered(page.c.sort_value, page.c.id, descending))
    )


def _indexed_page(
    session: Session, actor: UserPublic, text: str, conditions: list, key, order_key, descending: bool, limit: int
):
    """The page's (id, sort_value) rows found through the indexes: the sort's, or the search's.

    `order_key` is `key`, or the same order as an expression no index holds, to keep the planner
    from walking the sort's index.

    A search that may match in several ways (own text, a comment, the number) runs as one ordered,
    limited branch per way, as PostgreSQL cannot look up `own text OR comment` in the GIN indexes in one plan.
    """
    alternatives = _search_alternatives(session, actor, text)
    # A search branch orders by a copy of the key no index holds: otherwise the planner may walk the
    # sort index and test every ticket's text until a page is full, which for a word it has no
    # statistics for (most of them) means reading all of them. Finding the matches first costs what
    # there are of them.
    branch_key = _unindexed(key) if text and len(alternatives) > 1 else order_key
    branches = [
        select(Ticket.id.label("id"), key.label("sort_value"))
        .where(*conditions, alternative)
        .order_by(*_ordered(branch_key, Ticket.id, descending))
        .limit(limit)
        for alternative in alternatives
    ]
    if len(branches) == 1:
        return branches[0].subquery("page")
    parts = [branch.subquery() for branch in branches]
    candidates = union(*(select(part.c.id, part.c.sort_value) for part in parts)).subquery("candidates")
    return (
        select(candidates.c.id, candidates.c.sort_value)
        .order_by(*_ordered(candidates.c.sort_value, candidates.c.id, descending))
        .limit(limit)
        .subquery("page")
    )


def _walked_page(actor: UserPublic, text: str, conditions: list, key, descending: bool, limit: int):
    """The page's (id, sort_value) rows found by testing the first WALK_ROWS tickets in list order.

    Finding every match through the GIN index costs what there are of them: for a word in 8 % of a
    million tickets, reading 80,000 rows to show 50. Walking the list in order and testing each
    ticket's text finds a common word's page after a few hundred rows. It is complete when it
    finds a full page; when it does not (a rarer word), the index search follows, and is cheap then.
    """
    walked = (
        select(Ticket, key.label("sort_value"), _TICKET_DOCUMENT.label("search_document"))
        .where(*conditions)
        .order_by(*_ordered(key, Ticket.id, descending))
        .limit(WALK_ROWS)
        .subquery("walked")
    )
    ticket = aliased(Ticket, walked)
    words = func.websearch_to_tsquery(_SIMPLE, literal(text))
    # Inside an OR, `IN (subquery)` stays a hashed subplan: the commented tickets are found once.
    commented = select(Comment.ticket_id).where(_COMMENT_DOCUMENT.op("@@")(words), *_readable_comment(actor))
    matches = [walked.c.search_document.op("@@")(words), ticket.id.in_(commented)]
    by_number = _number_reference(text)
    if by_number is not None:
        project_key, number = by_number
        numbered = ticket.number == number
        if project_key:
            numbered &= ticket.project_id == select(Project.id).where(Project.key == project_key).scalar_subquery()
        matches.append(numbered)
    return (
        select(ticket.id.label("id"), walked.c.sort_value)
        .where(or_(*matches))
        .order_by(*_ordered(walked.c.sort_value, ticket.id, descending))
        .limit(limit)
        .subquery("page")
    )


def count_tickets(*, session: Session, actor: UserPublic, query: TicketQuery) -> TicketCount:
    """How many tickets the list holds for the query (its filters and search; the page does not matter)."""
    conditions = _conditions(session, actor, query)
    if conditions is None:
        return TicketCount(total=0, capped=False)
    # Each way of matching stops at the cap, so no count reads more than COUNT_CAP + 1 rows of a branch.
    parts = [
        select(Ticket.id.label("id")).where(*conditions, alternative).limit(COUNT_CAP + 1).subquery()
        for alternative in _search_alternatives(session, actor, _tag_terms(query.text)[0])
    ]
    if len(parts) > 1:
        # A common word fills the cap from the tickets' own text alone; the comments' branch, which
        # looks up every commented ticket by id, then cannot change what is shown.
        own_text = session.exec(select(func.count()).select_from(parts[0])).one()
        if own_text > COUNT_CAP:
            return TicketCount(total=COUNT_CAP, capped=True)
    matches = parts[0] if len(parts) == 1 else union(*(select(part.c.id) for part in parts)).subquery()
    total = session.exec(select(func.count()).select_from(matches)).one()
    return TicketCount(total=min(total, COUNT_CAP), capped=total > COUNT_CAP)


def _unindexed(key):
    """The same order as `key`, as an expression no index matches."""
    return key + literal_column("interval '0'") if key.type._type_affinity is DateTime else key + 0


def _ordered(key, ticket_id, descending: bool) -> tuple:
    return (key.desc(), ticket_id.desc()) if descending else (key.asc(), ticket_id.asc())


def _conditions(session: Session, actor: UserPublic, query: TicketQuery) -> list | None:
    """WHERE conditions on `tickets` for the actor and the query's filters; None when nothing can match."""
    # A ticket number is NULL only inside an API filing's own transaction; never list one.
    conditions: list = [Ticket.number.is_not(None)]
    project_ids: set[int] | None = None  # None: every project
    if not actor.is_staff:
        colleagues = shared_reporter_ids(session, actor) if query.colleagues else None
        if query.colleagues and colleagues is None:
            return None
        if colleagues is None:
            conditions.append((Ticket.reporter_id == actor.id) | Ticket.id.in_(copied_ticket_ids(actor)))
        else:
            conditions.append(Ticket.reporter_id.in_(colleagues))
    elif not actor.is_admin:
        project_ids = set(project_ids_for(session, actor, MemberRole.AGENT))
    if query.project_keys:
        named = set(session.exec(select(Project.id).where(Project.key.in_(query.project_keys))).all())
        project_ids = named if project_ids is None else project_ids & named
    if project_ids is not None:
        if not project_ids:
            return None
        conditions.append(Ticket.project_id.in_(sorted(project_ids)))

    if query.type_keys:
        types = select(TicketType.id).where(TicketType.key.in_(query.type_keys))
        if project_ids is not None:
            types = types.where(TicketType.project_id.in_(project_ids))
        type_ids = sorted(session.exec(types).all())
        if not type_ids:
            return None
        conditions.append(Ticket.type_id.in_(type_ids))
    if query.status_keys or query.status_categories:
        statuses = select(TicketStatus.id)
        if query.status_keys:
            statuses = statuses.where(TicketStatus.key.in_(query.status_keys))
        if query.status_categories:
            statuses = statuses.where(TicketStatus.category.in_(query.status_categories))
        if project_ids is not None:
            statuses = statuses.join(TicketType, TicketType.id == TicketStatus.type_id).where(
                TicketType.project_id.in_(project_ids)
            )
        status_ids = sorted(session.exec(statuses).all())
        if not status_ids:
            return None
        conditions.append(Ticket.status_id.in_(status_ids))

    if query.assignee == ASSIGNEE_ME:
        conditions.append(Ticket.assignee_id == actor.id)
    elif query.assignee == ASSIGNEE_UNASSIGNED:
        conditions.append(Ticket.assignee_id.is_(None))
    elif query.assignee is not None:
        conditions.append(Ticket.assignee_id == query.assignee)
    if query.priorities:
        conditions.append(Ticket.priority.in_(query.priorities))
    if query.organisation is not None:
        members = select(OrganisationMember.user_id).where(OrganisationMember.organisation_id == query.organisation)
        conditions.append(Ticket.reporter_id.in_(members))
    if query.tags:
        tag_ids = tags.tag_ids_named(session, query.tags, project_ids)
        if not tag_ids:
            return None
        conditions.append(Ticket.id.in_(select(TicketTag.ticket_id).where(TicketTag.tag_id.in_(tag_ids))))
    by_tag_terms = _tag_terms_conditions(session, query.text, project_ids)
    if by_tag_terms is None:
        return None
    conditions += by_tag_terms
    conditions += _between_days(Ticket.created_at, query.created_from, query.created_to, query.zone)
    conditions += _between_days(Ticket.resolved_at, query.resolved_from, query.resolved_to, query.zone)
    # SLA: through ix_tickets_sla_next_due. Requesters never filter or sort by what they cannot see.
    if (query.sla or query.sort == "due") and not actor.is_staff:
        return None
    if query.sort == "due":
        conditions.append(Ticket.sla_next_due_at.is_not(None))
    if query.sla == "breached":
        conditions.append(Ticket.sla_next_due_at < utcnow())
    elif query.sla == "due_soon":
        now = utcnow()
        conditions.append(Ticket.sla_next_due_at.between(now, now + timedelta(hours=1)))

    return conditions


def _tag_terms(text: str) -> tuple[str, tuple[str, ...]]:
    """The search text without its `tag:NAME` terms, and the tag names they give (lower case)."""
    names = tuple(sorted({match.group(1).lower() for match in _TAG_TERM.finditer(text)}))
    return (" ".join(_TAG_TERM.sub(" ", text).split()) if names else text), names


def _tag_terms_conditions(session: Session, text: str, project_ids: set[int] | None) -> list | None:
    """One condition per `tag:` term of the text: the ticket carries that tag. None when a term's tag is nowhere."""
    conditions = []
    for name in _tag_terms(text)[1]:
        tag_ids = tags.tag_ids_named(session, [name], project_ids)
        if not tag_ids:  # no such tag in the listed projects (a name too long to be one included)
            return None
        conditions.append(Ticket.id.in_(select(TicketTag.ticket_id).where(TicketTag.tag_id.in_(tag_ids))))
    return conditions


def _search_alternatives(session: Session, actor: UserPublic, text: str) -> list:
    """Conditions of which a ticket must meet one to match the search text (`[true()]` without text)."""
    if not text:
        return [true()]
    by_number = _number_match(session, text)
    if session.get_bind().dialect.name != "postgresql":  # one condition: SQLite has no index to choose
        by_text = _substring_match(text, readable_comment=_readable_comment(actor))
        return [by_text if by_number is None else or_(by_text, by_number)]
    by_text = _full_text_alternatives(text, readable_comment=_readable_comment(actor))
    return by_text if by_number is None else [*by_text, by_number]


def _number_reference(text: str) -> tuple[str | None, int] | None:
    """(project key or None, number) when the text is a ticket number: `HH-56`, `hh-56`, `#56` or `56`."""
    match = _NUMBER_REFERENCE.fullmatch(text)
    if match is None or int(match.group(2)) > _MAX_ID:
        return None
    return (match.group(1).upper() if match.group(1) else None), int(match.group(2))


def _number_match(session: Session, text: str):
    """The condition of the ticket(s) the text names by number, or None when it names none.

    `HH-56` names one ticket; `#56` and `56` name number 56 in each project listed (one, under a
    project filter). Listing project ids explicitly lets the (project, number) index find them.
    """
    reference = _number_reference(text)
    if reference is None:
        return None
    project_key, number = reference
    projects = select(Project.id) if project_key is None else select(Project.id).where(Project.key == project_key)
    project_ids = sorted(session.exec(projects).all())
    if not project_ids:
        return None
    return and_(Ticket.project_id.in_(project_ids), Ticket.number == number)


def _named_ticket(session: Session, text: str, conditions: list) -> str | None:
    """The number of the one listed ticket the search text names, else None."""
    by_number = _number_match(session, text) if text else None
    if by_number is None:
        return None
    found = session.exec(
        select(Project.key, Ticket.number)
        .join(Project, Project.id == Ticket.project_id)
        .where(*conditions, by_number)
        .limit(2)
    ).all()
    return format_ticket_number(*found[0]) if len(found) == 1 else None


def _readable_comment(actor: UserPublic) -> list:
    # Staff only list tickets of projects they work, where they may read internal notes too.
    readable = [Comment.deleted_at.is_(None)]
    if not actor.is_staff:
        readable.append(Comment.is_internal == False)
    return readable


def _full_text_alternatives(text: str, *, readable_comment: list) -> list:
    words = func.websearch_to_tsquery(_SIMPLE, literal(text))
    # The commented tickets' ids as one array (computed once, from the GIN index), so tickets are
    # fetched by primary key; as `IN (subquery)` the planner would rather scan every ticket to join.
    commented = (
        select(func.array_agg(Comment.ticket_id))
        .where(_COMMENT_DOCUMENT.op("@@")(words), *readable_comment)
        .scalar_subquery()
    )
    # coalesce() also makes it `ANY (an array)`; `ANY (SELECT ...)` would compare with each row instead.
    commented_ids = func.coalesce(commented, literal_column("'{}'::integer[]"))
    return [_TICKET_DOCUMENT.op("@@")(words), Ticket.id == any_(commented_ids)]


def _substring_match(text: str, *, readable_comment: list):
    words = [word.strip('"') for word in text.split()]
    conditions = []
    for word in filter(None, words):
        in_comment = (
            select(Comment.id)
            .where(Comment.ticket_id == Ticket.id, *readable_comment)
            .where(Comment.body_text.icontains(word, autoescape=True))
            .exists()
        )
        conditions.append(
            Ticket.title.icontains(word, autoescape=True)
            | Ticket.description.icontains(word, autoescape=True)
            | in_comment
        )
    return and_(true(), *conditions)
