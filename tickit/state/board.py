"""The Kanban board of one ticket type: picking the board, filters in the URL, drops, live reloads."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import reflex as rx
from reflex_components_sonner.toast import ToastAction
from sqlmodel import Session

from tickit import routes
from tickit.labels import status_color
from tickit.models import Priority, Role
from tickit.services import board, workflow
from tickit.services.actors import UserPublic
from tickit.state import live
from tickit.state.formatting import iso
from tickit.state.session import SessionState
from tickit.state.sla_badge import sla_badge_fields

POLL_SECONDS = 3.0
UNDO_SECONDS = 8  # how long a moved card offers "Undo"
ANYONE, ANY_PRIORITY = "anyone", "any"
PRIORITIES = [p.value for p in Priority]
CARD_STEP = board.CARD_STEP  # the cards "Show more" adds to a column, for the board's button


@dataclass(frozen=True)
class BoardView:
    """One board as the page shows it, read in one transaction."""

    columns: list[dict[str, Any]]
    legal_moves: dict[str, list[str]]
    stamp: str
    agents: list[list[str]]  # [user id, name]


@dataclass(frozen=True)
class BoardQuery:
    """Which board, filtered how, with how many cards asked for per column."""

    project_key: str
    type_key: str
    filters: board.BoardFilters
    shown: dict[str, int]


def read_board(session: Session, actor: UserPublic, query: BoardQuery, *, remember: bool = False) -> BoardView:
    """The board `query` names; with `remember`, it becomes the board this user opens next time."""
    shown = board.board(
        session=session,
        actor=actor,
        project_key=query.project_key,
        type_key=query.type_key,
        filters=query.filters,
        shown=query.shown,
    )
    agents = board.assignable_agents(session=session, actor=actor, project_key=query.project_key)
    if remember:
        board.remember_board(session=session, actor=actor, project_key=query.project_key, type_key=query.type_key)
    return BoardView(
        columns=[_column_json(column) for column in shown.columns],
        legal_moves={status: list(targets) for status, targets in shown.legal_moves.items()},
        stamp=shown.stamp,
        agents=[[str(user_id), name] for user_id, name in agents],
    )


def changed_board(session: Session, actor: UserPublic, query: BoardQuery, seen_stamp: str) -> BoardView | None:
    """The board anew when its stamp is no longer `seen_stamp`, else None (one indexed lookup)."""
    stamp = board.stamp_of(session=session, actor=actor, project_key=query.project_key, type_key=query.type_key)
    return None if stamp == seen_stamp else read_board(session, actor, query)


def _choices(session: Session, actor: UserPublic) -> tuple[list[board.BoardChoice], str]:
    return board.board_choices(session=session, actor=actor), board.remembered_board(session=session, actor=actor)


def _column_json(column: board.Column) -> dict[str, Any]:
    return {
        "key": column.key,
        "name": column.name,
        "color": status_color(column.color, column.category),
        "folded": column.folded,
        "count": column.count,
        "cards": [
            {
                "number": card.number,
                "title": card.title,
                "priority": card.priority,
                "assignee_name": card.assignee_name,
                "created": iso(card.created_at),
                "field_values": [list(pair) for pair in card.field_values],
                "sla": sla_badge_fields(card.sla),
            }
            for card in column.cards
        ],
    }


def _placed(columns: list[dict[str, Any]], number: str, from_key: str, drop: dict[str, Any]) -> list | None:
    """The columns with card `number` moved as the server placed it, or None when its new place is not
    among the cards shown (then the board reloads)."""
    columns = [{**column, "cards": list(column["cards"])} for column in columns]
    by_key = {column["key"]: column for column in columns}
    source, target = by_key.get(from_key), by_key.get(str(drop.get("to_status") or ""))
    if source is None or target is None:
        return None
    card = next((card for card in source["cards"] if card["number"] == number), None)
    if card is None:
        return None
    source["cards"].remove(card)
    source["count"] -= 1
    shown = [card["number"] for card in target["cards"]]
    after, before = drop.get("after"), drop.get("before")
    if after in shown:
        index = shown.index(after) + 1
    elif before in shown:
        index = shown.index(before)
    elif target["count"] == 0:
        index = 0
    else:
        return None
    target["cards"].insert(index, card)
    target["count"] += 1
    return columns


def _neighbours(columns: list[dict[str, Any]], number: str) -> tuple[str, str | None, str | None]:
    """The column card `number` is shown in and the cards shown above and below it ("" when not shown)."""
    for column in columns:
        numbers = [card["number"] for card in column["cards"]]
        if number in numbers:
            at = numbers.index(number)
            return (
                column["key"],
                (numbers[at - 1] if at > 0 else None),
                (numbers[at + 1] if at + 1 < len(numbers) else None),
            )
    return "", None, None


def _runs_short(columns: list[dict[str, Any]], key: str) -> bool:
    """Whether a column has given away so many of its first cards that it should be refilled from the server."""
    column = next(column for column in columns if column["key"] == key)
    return len(column["cards"]) < column["count"] and len(column["cards"]) < board.CARD_WINDOW // 2


class BoardState(SessionState):
    choices: list[list[str]] = []  # ["HH/bug", "Help Hub · Bug"]
    choice: str = ""
    # Each column's count and first cards (board.CARD_WINDOW, more after "Show more").
    columns: list[dict[str, Any]] = []
    legal_moves: dict[str, list[str]] = {}
    # Bumped whenever the server's cards change or it refuses a drop: the board then drops
    # the order it shows ahead of the server (a drop is drawn before the server answers).
    revision: int = 0
    agents: list[list[str]] = []  # [user id, name]
    assignee: str = ANYONE  # anyone, mine, unassigned or a user id
    priority: str = ANY_PRIORITY
    text: str = ""
    _stamp: str = ""
    _shown: dict[str, int] = {}  # cards asked for per column key, when more than board.CARD_WINDOW
    # The last move between columns, which its toast's "Undo" takes back: {number, status, after, before}.
    _undo: dict[str, Any] = {}
    _undo_serial: int = 0

    def _keys(self) -> tuple[str, str]:
        project_key, _, type_key = self.choice.partition("/")
        return project_key, type_key

    def _query(self) -> BoardQuery:
        project_key, type_key = self._keys()
        filters = board.BoardFilters(
            assignee="" if self.assignee == ANYONE else self.assignee,
            priority="" if self.priority == ANY_PRIORITY else self.priority,
            text=self.text,
        )
        return BoardQuery(project_key, type_key, filters, dict(self._shown))

    def _show(self, view: BoardView | None) -> None:
        """Show `view` (None: nothing) as the server's cards, which the board then draws over its own."""
        self.revision += 1
        view = view or BoardView(columns=[], legal_moves={}, stamp="", agents=[])
        self.columns, self.legal_moves, self.agents = view.columns, view.legal_moves, view.agents
        self._stamp = view.stamp

    def _show_changed(self, view: BoardView | None) -> None:
        if view is not None:
            self._show(view)

    async def _reload(self, *, remember: bool = False) -> Any:
        """Read the chosen board (the columns as far as shown); the event to return when it was refused."""
        if not self.choice:
            self._show(None)
            return None
        query = self._query()
        use_case = self.run if remember else self.read
        outcome = await use_case(lambda session, actor: read_board(session, actor, query, remember=remember))
        if outcome.value is not None:
            self._show(outcome.value)
        return outcome.event

    def _sync_url(self):
        """Keep the board and filters in the address bar, without a navigation (which would reload the page)."""
        project_key, type_key = self._keys()
        url = routes.tickets_board(
            project=project_key,
            type=type_key,
            assignee="" if self.assignee == ANYONE else self.assignee,
            priority="" if self.priority == ANY_PRIORITY else self.priority,
            q=self.text,
        )
        return rx.call_script(f"window.history.replaceState(window.history.state, '', {json.dumps(url)})")

    async def _refresh(self, *, remember: bool = False):
        """A new board or new filters: the columns start again from their first cards."""
        self._shown = {}
        return await self._reload(remember=remember) or self._sync_url()

    @rx.event
    async def load(self):
        outcome = await self.admit_and_read((Role.AGENT, Role.ADMIN), _choices)
        if outcome is None:
            self.choices, self.choice, self.columns, self.legal_moves, self.agents = [], "", [], {}, []
            return self.refusal()
        params = self.router.url.query_parameters
        if outcome.value is None:
            return outcome.event
        choices, remembered = outcome.value
        self.choices = [[f"{c.project_key}/{c.type_key}", f"{c.project_name} · {c.type_name}"] for c in choices]
        values = [value for value, _ in self.choices]
        asked = f"{params.get('project', '').strip().upper()}/{params.get('type', '').strip()}"
        if asked in values:
            self.choice = asked
        elif remembered in values:
            self.choice = remembered
        else:
            self.choice = values[0] if values else ""
        self.assignee = params.get("assignee", "") or ANYONE
        self.priority = params.get("priority", "") if params.get("priority", "") in PRIORITIES else ANY_PRIORITY
        self.text = params.get("q", "")
        self._shown = {}
        events = []
        refused = await self._reload(remember=self.choice != remembered)
        if refused is not None:
            events.append(refused)
        if asked != "/" and asked not in values and values:
            events.append(rx.toast.error(f"No board for {asked.replace('/', ' / ')}; showing {self.choice}."))
        if self.choice:
            events.append(self._sync_url())
        return events

    @rx.event
    async def choose(self, value: str):
        self.choice = value
        self.assignee = ANYONE  # agents differ between projects
        return await self._refresh(remember=True)

    @rx.event
    async def set_assignee(self, value: str):
        self.assignee = value
        return await self._refresh()

    @rx.event
    async def set_priority(self, value: str):
        self.priority = value
        return await self._refresh()

    @rx.event
    async def set_text(self, value: str):
        self.text = value[: board.SEARCH_MAX]
        return await self._refresh()

    @rx.event
    async def clear_filters(self):
        self.assignee, self.priority, self.text = ANYONE, ANY_PRIORITY, ""
        return await self._refresh()

    @rx.event
    async def show_more(self, column_key: str):
        """The next board.CARD_STEP cards of one column."""
        shown = next((len(c["cards"]) for c in self.columns if c["key"] == column_key), None)
        if shown is None:
            return None
        self._shown = {**self._shown, column_key: max(shown, board.CARD_WINDOW) + board.CARD_STEP}
        return await self._reload()

    @rx.event
    async def move(self, drop: dict[str, Any]):
        """A card dropped on the board: {number, to_status, after, before}, already drawn there by the board."""
        number, to_status, seen_stamp = str(drop.get("number") or ""), str(drop.get("to_status") or ""), self._stamp
        _, was_after, was_before = _neighbours(self.columns, number)
        # Who is dropping is checked in the drop's own transaction: a drop is waited for, and on PostgreSQL
        # every round trip shows.
        outcome = await self.run(
            lambda session, actor: board.move_card(
                session=session,
                actor=actor,
                number=number,
                to_status=to_status,
                after=drop.get("after") or None,
                before=drop.get("before") or None,
                seen_stamp=seen_stamp,
            )
        )
        if outcome.errors:
            # The card goes back where the server has it.
            return await self._reload() or rx.toast.error("; ".join(outcome.errors.values()))
        done = outcome.value
        if done is None:
            return outcome.event
        offer = self._offer_undo(done.move, was_after, was_before) if done.move else None
        # Only the two columns the card left and joined change: no query, and the stamp the drop
        # returns keeps this tab's watcher from reloading for its own move.
        from_key = done.move.from_status.key if done.move else to_status
        placed = _placed(self.columns, number, from_key, drop)
        if placed is None or not done.stamp or _runs_short(placed, from_key):
            return [event for event in (await self._reload(), offer) if event is not None]
        self.columns = placed
        self.revision += 1
        self._stamp = done.stamp
        return offer

    def _offer_undo(self, move: workflow.MoveResult, after: str | None, before: str | None):
        """A toast naming the move, whose "Undo" moves the card back (for a few seconds, and only the latest move)."""
        self._undo_serial += 1
        self._undo = {"number": move.number, "status": move.from_status.key, "after": after, "before": before}
        return rx.toast.success(
            f"{move.number} moved to {move.to_status.name}.",
            id="board-undo",
            duration=UNDO_SECONDS * 1000,
            action=ToastAction(label="Undo", on_click=BoardState.undo(self._undo_serial)),
        )

    @rx.event
    async def undo(self, serial: int):
        """Move the card of the latest drop back where it was: a move like any other, checked and logged."""
        if serial != self._undo_serial or not self._undo:
            return rx.toast.info("Only the latest move can be undone.")
        back, self._undo = dict(self._undo), {}
        outcome = await self.run(
            lambda session, actor: board.move_back(
                session=session,
                actor=actor,
                number=back["number"],
                to_status=back["status"],
                after=back["after"],
                before=back["before"],
            )
        )
        if outcome.errors:
            message = "; ".join(outcome.errors.values())
            return [event for event in (await self._reload(), rx.toast.error(f"Cannot undo: {message}")) if event]
        if outcome.value is None:
            return outcome.event
        done = outcome.value
        back_in = done.move.to_status.name if done.move else back["status"]
        return [
            event
            for event in (await self._reload(), rx.toast.success(f"{back['number']} is back in {back_in}."))
            if event
        ]

    @rx.event
    async def watch(self):
        """One tick of the board's ticker: reload when someone else changed this board's tickets."""
        if not self.choice:
            return None
        query, seen = self._query(), self._stamp
        return await live.tick(
            self,
            lambda session, actor: changed_board(session, actor, query, seen),
            self._show_changed,
            refused=BoardState.load,
        )
