"""Ticket lists: the client's own tickets, and the staff's list with filters kept in the URL."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any
from urllib.parse import parse_qs

import reflex as rx
from sqlmodel import Session

from tickit import routes
from tickit.labels import CATEGORY_LABELS, priority_color, priority_label, status_color
from tickit.models import Role
from tickit.services import access, list_filters, tags, ticket_list, views
from tickit.services.actors import UserPublic
from tickit.services.errors import PermissionDenied, ValidationFailed
from tickit.state import live
from tickit.state.formatting import iso
from tickit.state.session import Outcome, SessionState
from tickit.state.sla_badge import sla_badge_fields


@dataclasses.dataclass
class TicketLine:
    number: str
    title: str
    project: str
    type_name: str
    status: str
    status_color: str
    priority: str
    priority_color: str
    reporter: str
    assignee: str
    updated: str  # ISO 8601, worded in the viewer's zone by components.local_time
    created: str
    organisation: str  # the reporter's customer organisation, "" for none
    sla_text: str = ""  # empty: no SLA badge (no policy, or a requester's list)
    sla_color: str = "gray"
    sla_detail: str = ""
    tags: list[str] = dataclasses.field(default_factory=list)


def ticket_lines(rows: list[ticket_list.TicketRow], *, for_requester: bool = False) -> list[TicketLine]:
    """Rows as a list shows them; a requester reads each status in plain words and no priority."""
    return [
        TicketLine(
            number=r.number,
            title=r.title,
            project=r.project_name,
            type_name=r.type_name,
            status=r.status_label if for_requester else r.status_name,
            status_color=status_color(r.status_color, r.status_category),
            priority="" if for_requester else priority_label(r.priority),
            priority_color=priority_color(r.priority),
            reporter=r.reporter_name,
            assignee=r.assignee_name,
            updated=iso(r.updated_at),
            created=iso(r.created_at),
            organisation=r.organisation_name,
            **sla_badge_fields(r.sla),
            tags=list(r.tags),
        )
        for r in rows
    ]


MINE, ORGANISATION = "mine", "organisation"  # the portal list's two views


def _client_page(after: str | None, scope: str = MINE):
    """The use case reading a client's own tickets (or their organisation's), the keyset page after `after`."""
    query = ticket_list.TicketQuery(after=after, colleagues=scope == ORGANISATION)
    return lambda session, actor: ticket_list.list_tickets(session=session, actor=actor, query=query)


def _client_home(session: Session, actor: UserPublic) -> tuple[ticket_list.TicketPage, bool]:
    return _client_page(None)(session, actor), access.reads_colleagues_tickets(session, actor)


POLL_SECONDS = 3.0


class MyTicketsState(SessionState):
    """A client's portal home: the tickets they filed, a keyset page at a time, most recently updated first.

    A client whose organisation lets them read colleagues' tickets (a manager, or a member of an
    organisation that shares) may switch to their organisation's requests.

    Its ticker reads the page shown again every few seconds (a keyset page of one client's tickets
    is cheap), so a reply or a status change from the team shows without a reload.
    """

    rows: list[TicketLine] = []
    next_cursor: str = ""
    later_page: bool = False
    scope: str = MINE
    reads_colleagues: bool = False

    async def _show(self, after: str | None) -> Any:
        outcome = await self.read(_client_page(after, self.scope))
        return self._show_page(outcome, later_page=after is not None)

    def _show_page(self, outcome: Outcome[ticket_list.TicketPage], *, later_page: bool) -> Any:
        if not outcome.ok:
            return outcome.event
        self._take(outcome.value, later_page=later_page)
        return None

    def _take(self, page: ticket_list.TicketPage, *, later_page: bool) -> None:
        rows, next_cursor = ticket_lines(page.rows, for_requester=True), page.next_cursor or ""
        # Assigning marks a var for sending even when unchanged: a tick that finds nothing new sends nothing.
        if rows != self.rows:
            self.rows = rows
        if next_cursor != self.next_cursor:
            self.next_cursor = next_cursor
        if later_page != self.later_page:
            self.later_page = later_page

    @rx.event
    async def load(self):
        outcome = await self.admit_and_read((Role.CLIENT,), _client_home)
        self.scope = MINE
        if outcome is None:
            self.rows, self.next_cursor, self.later_page, self.reads_colleagues = [], "", False, False
            return self.refusal()
        if not outcome.ok:
            return outcome.event
        page, self.reads_colleagues = outcome.value
        self._take(page, later_page=False)
        return None

    @rx.event
    async def set_scope(self, scope: str):
        """Show the client's own requests, or their organisation's."""
        self.scope = ORGANISATION if scope == ORGANISATION else MINE
        return await self._show(None)

    @rx.event
    async def next_page(self):
        return await self._show(self.next_cursor) if self.next_cursor else None

    @rx.event
    async def first_page(self):
        return await self._show(None)

    @rx.event
    async def watch(self):
        """One tick of the list's ticker: the first page as it now is (a later page stays as it was read)."""
        if self.later_page:
            return None
        return await live.tick(self, _client_page(None, self.scope), lambda page: self._take(page, later_page=False))


ANY = "any"  # a select's "no filter" item (Radix items need a non-empty value)
ASSIGNEE_LABELS = {ticket_list.ASSIGNEE_ME: "Me", ticket_list.ASSIGNEE_UNASSIGNED: "Unassigned"}
OPEN_CATEGORIES = ("in_progress", "todo")  # "All open": every status not in the done category
ALL_OPEN = "open"  # the status filter's value for OPEN_CATEGORIES


def _one(values: tuple[str, ...]) -> str:
    """A single-value select's value: the one value, else "any" (several only come from a hand-made URL)."""
    return values[0] if len(values) == 1 else ANY


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def rows_shown(page: ticket_list.TicketPage, count: ticket_list.TicketCount) -> str:
    """Which rows of how many the page shows: "1–50 of 1,283", "51–100 of 1,000+", "" when none."""
    if not page.rows:
        return ""
    last = page.first_row + len(page.rows) - 1
    total = f"{max(count.total, last):,}{'+' if count.capped else ''}"
    return f"{page.first_row:,}\u2013{last:,} of {total}"


SLA_FILTER_LABELS = {"breached": "SLA breached", "due_soon": "SLA due within the next hour"}


def filter_summary(
    query: ticket_list.TicketQuery,
    agent_names: dict[str, str] | None = None,
    organisation_names: dict[str, str] | None = None,
) -> str:
    """The filters that are on, in words, for the empty state ("" when none are); agents and organisations by name."""
    parts = []
    if query.text:
        parts.append(f"search \u201c{query.text}\u201d")
    categories = "all open" if query.status_categories == OPEN_CATEGORIES else ""
    for label, values in (
        ("project", query.project_keys),
        ("type", query.type_keys),
        ("status", query.status_keys),
        ("status", (categories,) if categories else tuple(CATEGORY_LABELS.get(c, c) for c in query.status_categories)),
        ("priority", query.priorities),
        ("tag", query.tags),
    ):
        if values:
            parts.append(f"{label} {' or '.join(values)}")
    if query.assignee is not None:
        names = {**(agent_names or {}), **ASSIGNEE_LABELS}
        parts.append(f"assignee {names.get(str(query.assignee), f'#{query.assignee}')}")
    if query.sla:
        parts.append(SLA_FILTER_LABELS[query.sla].lower())
    if query.organisation is not None:
        named = (organisation_names or {}).get(str(query.organisation), f"#{query.organisation}")
        parts.append(f"organisation {named}")
    if query.created_from:
        parts.append(f"created from {query.created_from.isoformat()}")
    if query.created_to:
        parts.append(f"created to {query.created_to.isoformat()}")
    if query.resolved_from:
        parts.append(f"resolved from {query.resolved_from.isoformat()}")
    if query.resolved_to:
        parts.append(f"resolved to {query.resolved_to.isoformat()}")
    if query.zone and any((query.created_from, query.created_to, query.resolved_from, query.resolved_to)):
        parts.append(f"days in {query.zone}")
    return ", ".join(parts)


def _staff_list(session: Session, actor: UserPublic, query: ticket_list.TicketQuery):
    # The page admits staff only; a client's hand-sent event gets no list here (theirs is the portal's).
    if not actor.is_staff:
        raise PermissionDenied("Only agents and admins use this list.")
    page = ticket_list.list_tickets(session=session, actor=actor, query=query)
    return page, ticket_list.count_tickets(session=session, actor=actor, query=query)


def list_url(query: ticket_list.TicketQuery) -> str:
    """The staff list's address for a query: the query string is the view."""
    return routes.ticket_list(ticket_list.to_query_string(query))


class StaffTicketsState(SessionState):
    """Agents' and admins' ticket list: filters, search, sort and keyset pages, all kept in the URL.

    The address is the view: every change navigates to the list's new URL (a history entry, so Back
    undoes it), and loading the page reads the URL. Search text replaces the entry instead, so Back
    does not step through each pause in typing. An address with no query opens on the list
    `views.opening_query` chooses ("My open tickets" for an agent), and the filters build on it.
    """

    rows: list[TicketLine] = []
    query_string: str = ""  # to_query_string of what is shown, the cursor included
    list_path: str = routes.TICKETS  # where the ticket page's way back leads: the list as it was
    csv_path: str = routes.TICKETS_CSV  # the whole list under the shown filters, as CSV
    next_cursor: str = ""
    text: str = ""
    named: str = ""  # the ticket the search text names by number, which Enter opens
    project: str = ANY
    type_key: str = ANY
    statuses: list[str] = []  # chosen "status:<key>" values, or [ALL_OPEN], or [] for any status
    status_label: str = "Any status"
    assignee: str = ANY
    priority: str = ANY
    sla: str = ANY
    organisation: str = ANY  # an organisation's id, or ANY
    created_from: str = ""
    created_to: str = ""
    resolved_range: str = ""  # "2026-11-05 – 2026-12-04" while the list filters on resolution days
    day_zone: str = ""  # the time zone of the date filters' days, when it is not UTC
    tag_filter: str = ""  # the tag filter's names, comma-separated
    sort: str = "updated"
    direction: str = "desc"
    later_page: bool = False
    shown: str = ""  # "1–50 of 1,283"
    summary: str = ""
    built_in: str = ""  # "My open tickets" or "All tickets" when the filters are that built-in view's
    project_options: list[list[str]] = []  # [key, name]
    type_options: list[list[str]] = []  # [key, name]
    status_options: list[list[str]] = []  # ["status:<key>", name, category]
    assignee_options: list[list[str]] = []  # [user id, name]: the agents of the chosen project, or of all
    organisation_options: list[list[str]] = []  # [id, name]
    _types: list[list[str]] = []  # [project key, type key, name]
    _agents: list[list[str]] = []  # [project key, user id, name]
    _statuses: list[list[str]] = []  # [project key, type key, status key, name, category]

    def _query(self) -> ticket_list.TicketQuery:
        return ticket_list.from_query_params(parse_qs(self.query_string))

    def _offer(self, query: ticket_list.TicketQuery) -> None:
        """The types and statuses the chosen project (and type) have, or all of them."""
        projects = set(query.project_keys)
        types: dict[str, str] = {}
        for project_key, key, name in self._types:
            if not projects or project_key in projects:
                types.setdefault(key, name)
        self.type_options = [[key, name] for key, name in types.items()]
        chosen_types = set(query.type_keys)
        statuses: dict[str, list[str]] = {}
        for project_key, type_key, key, name, category in self._statuses:
            if (not projects or project_key in projects) and (not chosen_types or type_key in chosen_types):
                statuses.setdefault(key, [f"status:{key}", name, category])
        self.status_options = list(statuses.values())
        agents: dict[str, str] = {}
        for project_key, user_id, name in self._agents:
            if not projects or project_key in projects:
                agents.setdefault(user_id, name)
        # An agent named in the URL stays offered (and named) even outside the chosen project.
        named = {user_id: name for _, user_id, name in self._agents}
        if str(query.assignee) in named:
            agents.setdefault(str(query.assignee), named[str(query.assignee)])
        self.assignee_options = sorted(([user_id, name] for user_id, name in agents.items()), key=lambda a: a[1])

    def _display(self, query: ticket_list.TicketQuery, page: ticket_list.TicketPage, count) -> None:
        """Show `page` and set what the filter bar shows."""
        self.rows = ticket_lines(page.rows)
        self.next_cursor = page.next_cursor or ""
        self.named = page.named or ""
        self.shown = rows_shown(page, count)
        self.query_string = ticket_list.to_query_string(query)
        self.list_path = list_url(query)
        self.csv_path = routes.tickets_csv(ticket_list.to_query_string(dataclasses.replace(query, after=None)))
        self.later_page = query.after is not None
        self.text = query.text
        self.project = _one(query.project_keys)
        self.type_key = _one(query.type_keys)
        self.assignee = str(query.assignee) if query.assignee is not None else ANY
        self.priority = _one(query.priorities)
        self.sla = query.sla or ANY
        self.organisation = str(query.organisation) if query.organisation is not None else ANY
        self.created_from = query.created_from.isoformat() if query.created_from else ""
        self.created_to = query.created_to.isoformat() if query.created_to else ""
        self.resolved_range = (
            f"{query.resolved_from.isoformat() if query.resolved_from else '…'} – "
            f"{query.resolved_to.isoformat() if query.resolved_to else '…'}"
            if query.resolved_from or query.resolved_to
            else ""
        )
        self.day_zone = query.zone
        self.tag_filter = ", ".join(query.tags)
        self.sort, self.direction = query.sort, query.direction
        self.built_in = views.built_in_name(query)
        self.summary = filter_summary(
            query,
            {user_id: name for _, user_id, name in self._agents},
            {id_: name for id_, name in self.organisation_options},
        )
        self._offer(query)
        self._show_statuses(query)

    def _show_statuses(self, query: ticket_list.TicketQuery) -> None:
        names = {value: name for value, name, _ in self.status_options}
        if query.status_categories == OPEN_CATEGORIES and not query.status_keys:
            self.statuses, self.status_label = [ALL_OPEN], "All open"
        elif query.status_keys and not query.status_categories:
            self.statuses = [f"status:{key}" for key in query.status_keys]
            shown = [names.get(value, value.partition(":")[2]) for value in self.statuses]
            self.status_label = ", ".join(shown) if len(shown) <= 2 else f"{len(shown)} statuses"
        elif query.status_categories and not query.status_keys:  # a category from a hand-made or older URL
            self.statuses = []
            self.status_label = " or ".join(CATEGORY_LABELS.get(c, c) for c in query.status_categories)
        else:
            self.statuses, self.status_label = [], "Any status"

    def _go(self, query: ticket_list.TicketQuery, *, replace: bool = False):
        """Navigate to the list `query` names; loading it shows it."""
        # A change made before that load lands builds on this query, not on the one shown.
        self.query_string = ticket_list.to_query_string(query)
        return rx.redirect(list_url(query), replace=replace)

    def _change(self, *, replace: bool = False, **changes):
        """Apply filter changes to the shown query, back on the first page."""
        try:
            query = dataclasses.replace(self._query(), after=None, **changes)
        except ValueError as exc:
            return rx.toast.error(str(exc))
        return self._go(query, replace=replace)

    @rx.event
    async def load(self):
        params = parse_qs(self.router.url.query)

        def choices_and_page(session: Session, actor: UserPublic):
            # Only a bare address opens on the default: any query (a bookmark, a view) means what it says.
            if params:
                query = ticket_list.from_query_params(params)
            else:
                query = views.opening_query(session=session, actor=actor)
            return query, list_filters.filter_choices(session=session, actor=actor), *_staff_list(session, actor, query)

        outcome = await self.admit_and_read((Role.AGENT, Role.ADMIN), choices_and_page)
        if outcome is None:
            self.rows, self.project_options, self._types, self._statuses, self._agents = [], [], [], [], []
            self.organisation_options = []
            return self.refusal()
        if not outcome.ok:
            return outcome.event
        query, choices, page, count = outcome.value
        self.project_options = [[key, name] for key, name in choices.projects]
        self._types = [[t.project_key, t.key, t.name] for t in choices.types]
        self._statuses = [[s.project_key, s.type_key, s.key, s.name, s.category] for s in choices.statuses]
        self._agents = [[a.project_key, str(a.id), a.name] for a in choices.agents]
        self.organisation_options = [[str(id_), name] for id_, name in choices.organisations]
        self._display(query, page, count)
        return None

    @rx.event
    def set_text(self, value: str):
        """Search as the user pauses typing (the input is debounced)."""
        text = value[: ticket_list.TEXT_MAX].strip()
        if text == self.text:
            return None
        return self._change(replace=True, text=text)

    @rx.event
    async def open_or_search(self, form_data: dict):
        """Enter: open the ticket the text names by number, else search for it."""
        text = str(form_data.get("q", self.text))[: ticket_list.TEXT_MAX].strip()
        try:
            query = dataclasses.replace(self._query(), after=None, text=text)
        except ValueError as exc:
            return rx.toast.error(str(exc))
        outcome = await self.read(lambda session, actor: _staff_list(session, actor, query))
        if not outcome.ok:
            return outcome.event
        page, _ = outcome.value
        if page.named:
            return rx.redirect(routes.ticket_page(page.named))
        return self._go(query, replace=True)

    @rx.event
    def set_project(self, value: str):
        projects = () if value == ANY else (value,)
        query = self._query()
        # A type or status the new project does not have would only hide every ticket.
        kept_types = {key for project_key, key, _ in self._types if not projects or project_key in projects}
        kept_statuses = {row[2] for row in self._statuses if not projects or row[0] in projects}
        return self._change(
            project_keys=projects,
            type_keys=tuple(k for k in query.type_keys if k in kept_types),
            status_keys=tuple(k for k in query.status_keys if k in kept_statuses),
        )

    @rx.event
    def set_type(self, value: str):
        return self._change(type_keys=() if value == ANY else (value,))

    @rx.event
    def toggle_status(self, value: str):
        """Tick or untick one status, or "All open" (which stands alone: it replaces chosen statuses)."""
        if value == ALL_OPEN:
            on = self.statuses != [ALL_OPEN]
            return self._change(status_keys=(), status_categories=OPEN_CATEGORIES if on else ())
        kind, _, key = value.partition(":")
        if kind != "status":
            return None
        keys = set(self._query().status_keys)
        keys.symmetric_difference_update({key})
        return self._change(status_keys=tuple(keys), status_categories=())

    @rx.event
    def any_status(self):
        return self._change(status_keys=(), status_categories=())

    @rx.event
    def set_assignee(self, value: str):
        # The URL's parser says what a value means: "me", "unassigned", a user id, else anyone.
        return self._change(assignee=ticket_list.from_query_params({"assignee": [value]}).assignee)

    @rx.event
    def set_priority(self, value: str):
        return self._change(priorities=() if value == ANY else (value,))

    @rx.event
    def set_sla(self, value: str):
        return self._change(sla=value if value in ticket_list.SLA_FILTERS else "")

    @rx.event
    def set_organisation(self, value: str):
        return self._change(organisation=ticket_list.from_query_params({"organisation": [value]}).organisation)

    @rx.event
    def set_tag_filter(self, form_data: dict[str, str]):
        """The tag filter's Enter: tickets with any of the named tags (comma-separated); empty clears it."""
        names = [name.strip() for name in str(form_data.get("tag", "")).split(",") if name.strip()]
        try:
            chosen = tuple(tags.normalise(name) for name in names)
        except ValidationFailed as exc:
            return rx.toast.error(exc.errors["tag"])
        return self._change(tags=chosen)

    @rx.event
    def set_created_from(self, value: str):
        return self._change(created_from=_day(value))

    @rx.event
    def set_created_to(self, value: str):
        return self._change(created_to=_day(value))

    @rx.event
    def clear_resolved(self):
        """The resolved-range chip's ×: drop the filter on resolution days."""
        return self._change(resolved_from=None, resolved_to=None)

    @rx.event
    def sort_by(self, sort: str):
        """A column header's click: sort by it, most first; a second click flips the direction."""
        if sort not in ticket_list.SORTS:
            return None
        direction = "asc" if sort == self.sort and self.direction == "desc" else "desc"
        return self._change(sort=sort, direction=direction)

    @rx.event
    def clear(self):
        # Sort and page size are how to show the list, not filters: they stay.
        query = self._query()
        return self._change(
            **{
                field.name: field.default
                for field in dataclasses.fields(query)
                if field.name not in ("sort", "direction", "page_size", "after")
            }
        )

    @rx.event
    def next_page(self):
        return self._go(dataclasses.replace(self._query(), after=self.next_cursor)) if self.next_cursor else None

    @rx.event
    def first_page(self):
        return self._change()
