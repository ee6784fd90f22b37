"""The staff list's selection and its bulk actions: tick rows, then change them all, one ticket at a time.

Each ticket is its own transaction through `services.bulk.apply` (its own service's rules and
activity entry), so one that cannot take the change never holds up the rest; what did not apply is
listed with the reason afterwards. The run is a generator event: the progress bar moves as tickets
are done, every PROGRESS_EVERY tickets.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import parse_qs

import reflex as rx
from sqlmodel import Session

from tickit.services import bulk, ticket_list
from tickit.services.actors import UserPublic
from tickit.services.bulk import BulkChange, Unchanged
from tickit.services.errors import ValidationFailed
from tickit.state.session import SessionState
from tickit.state.tickets import StaffTicketsState

PROGRESS_EVERY = 5
ACTION_WORDS = {
    bulk.ASSIGN: "Assigned",
    bulk.PRIORITY: "Changed the priority of",
    bulk.STATUS: "Moved",
    bulk.ADD_TAGS: "Tagged",
    bulk.REMOVE_TAGS: "Untagged",
    bulk.CLOSE: "Closed",
    bulk.MACRO: "Applied the macro to",
}


@dataclasses.dataclass
class SkippedRow:
    number: str
    reason: str


def _filters(query_string: str) -> str:
    """The list's query without its page: a selection outlives paging, not a change of filters."""
    query = ticket_list.from_query_params(parse_qs(query_string))
    return ticket_list.to_query_string(dataclasses.replace(query, after=None))


def _applied(number: str, change: BulkChange):
    """The use case changing one ticket: "" when applied, the reason it was left as it was when unchanged."""

    def apply(session: Session, actor: UserPublic) -> str:
        try:
            bulk.apply(session=session, actor=actor, number=number, change=change)
        except Unchanged as exc:
            return str(exc)
        return ""

    return apply


class BulkState(SessionState):
    """Which rows are ticked, and the bulk action running on them or its summary."""

    selected: list[str] = []  # ticket numbers
    page_numbers: list[str] = []  # the rows the list shows, in its order
    anchor: str = ""  # the last row clicked without shift: where a shift-click's range starts
    all_matching: bool = False  # the selection is every ticket the filters match (up to bulk.SELECTION_MAX)
    list_filters: str = ""  # the filters the selection was made under
    running: bool = False
    done: int = 0
    total: int = 0
    summary: str = ""  # "Assigned 12 tickets." once a run ends
    skipped: list[SkippedRow] = []  # what did not apply, and why
    unchanged: int = 0
    _pending: list[str] = []  # [action, value] checked by `start`, for `apply_pending`
    macro_options: list[list[str]] = []  # [id, title, hint]: the macros the selection may take
    macro_refusal: str = ""  # why no macro applies to the selection (several projects, none kept)
    _macro_titles: dict[str, str] = {}

    @rx.var
    def progress(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @rx.var
    def all_on_page(self) -> bool:
        return bool(self.page_numbers) and set(self.page_numbers) <= set(self.selected)

    @rx.event
    async def follow_list(self):
        """After the list loads: note its rows; a selection made under other filters no longer means anything."""
        tickets = await self.get_state(StaffTicketsState)
        self.page_numbers = [row.number for row in tickets.rows]
        filters = _filters(tickets.query_string)
        if filters != self.list_filters:
            self.selected, self.anchor, self.all_matching, self.list_filters = [], "", False, filters

    @rx.event
    def pick(self, number: str, shift: bool):
        """Tick or untick a row; with shift, every row from the last one clicked takes the same state."""
        rows = self.page_numbers
        if number not in rows:
            return None
        on = number not in self.selected
        chosen = [number]
        if shift and self.anchor in rows:
            start, end = sorted((rows.index(self.anchor), rows.index(number)))
            chosen = rows[start : end + 1]
        picked = set(self.selected)
        picked = picked | set(chosen) if on else picked - set(chosen)
        self.selected = [n for n in rows if n in picked] + [n for n in self.selected if n in picked and n not in rows]
        self.anchor, self.all_matching = number, False
        return None

    @rx.event
    def pick_page(self):
        """Tick every row of the page, or untick them all when they all are."""
        rows = self.page_numbers
        if rows and set(rows) <= set(self.selected):
            self.selected = [n for n in self.selected if n not in rows]
        else:
            self.selected = rows + [n for n in self.selected if n not in rows]
        self.all_matching = False

    @rx.event
    async def pick_all_matching(self):
        """Every ticket the list's filters match, up to bulk.SELECTION_MAX."""
        tickets = await self.get_state(StaffTicketsState)
        query = dataclasses.replace(
            ticket_list.from_query_params(parse_qs(tickets.query_string)),
            after=None,
            page_size=ticket_list.PAGE_SIZE_MAX,
        )
        outcome = await self.read(
            lambda session, actor: ticket_list.matching_numbers(
                session=session, actor=actor, query=query, limit=bulk.SELECTION_MAX
            )
        )
        if not outcome.ok:
            return outcome.event
        self.selected, self.all_matching = outcome.value, True
        return None

    @rx.event
    async def load_macros(self, is_open: bool):
        """The Macro menu opens: the macros the selection's one project offers the agent, or why none."""
        if not is_open:
            return None
        numbers = list(self.selected)
        outcome = await self.read(
            lambda session, actor: bulk.macro_choices(session=session, actor=actor, numbers=numbers)
        )
        if not outcome.ok:
            self.macro_options, self.macro_refusal = [], next(iter(outcome.errors.values()), "")
            return outcome.event
        choices = outcome.value
        self.macro_options = [[str(m.id), m.title, m.hint] for m in choices.macros]
        self._macro_titles = {str(m.id): m.title for m in choices.macros}
        self.macro_refusal = choices.refusal
        return None

    @rx.event
    def clear_selection(self):
        self.selected, self.anchor, self.all_matching = [], "", False

    @rx.event
    def dismiss_summary(self):
        self.summary, self.skipped, self.unchanged = "", [], 0

    @rx.event
    async def start(self, action: str, value: str):
        """Check the change, then run it over the selection (`run`), showing progress."""
        if self.running or not self.selected:
            return None
        try:
            BulkChange(action, value).check()
        except ValidationFailed as exc:
            return rx.toast.error(next(iter(exc.errors.values())))
        self._pending = [action, value]
        return BulkState.apply_pending

    @rx.event
    async def apply_pending(self):
        """Apply the pending change to each selected ticket in its own transaction; progress as it goes."""
        if self.running or len(self._pending) != 2:
            return
        change, self._pending = BulkChange(*self._pending), []
        numbers = list(self.selected)
        self.running, self.done, self.total = True, 0, len(numbers)
        self.summary, self.skipped, self.unchanged = "", [], 0
        yield
        applied, skipped, unchanged = 0, [], 0
        for number in numbers:
            outcome = await self.run(_applied(number, change))
            if outcome.ok and outcome.value == "":
                applied += 1
            elif outcome.ok:
                unchanged += 1
            elif outcome.errors:
                reason = "; ".join(outcome.errors.values())
                skipped.append(SkippedRow(number, reason if number in reason else f"{number}: {reason}"))
            else:  # signed out meanwhile: stop, and go where the outcome leads
                self.running = False
                yield outcome.event
                return
            self.done += 1
            if self.done % PROGRESS_EVERY == 0:
                yield
        self.running, self.skipped, self.unchanged = False, skipped, unchanged
        tickets = f"{applied} ticket{'' if applied == 1 else 's'}"
        if change.action == bulk.MACRO and change.value in self._macro_titles:
            self.summary = f"Applied “{self._macro_titles[change.value]}” to {tickets}."
        else:
            self.summary = f"{ACTION_WORDS[change.action]} {tickets}."
        self.selected, self.anchor, self.all_matching = [], "", False
        yield [StaffTicketsState.load, BulkState.follow_list]
