"""The Kanban board of one ticket type: picking the board, filters in the URL, drops, live reloads."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import reflex as rx

from tickit import routes
from tickit.db import session_scope
from tickit.models import Priority, Role
from tickit.services import auth, board
from tickit.services.actors import UserPublic
from tickit.services.errors import ServiceError, ValidationFailed
from tickit.services.workflow import IllegalTransition
from tickit.state.formatting import ago
from tickit.state.session import SessionState

POLL_SECONDS = 3.0
ANYONE, ANY_PRIORITY = "anyone", "any"
PRIORITIES = [p.value for p in Priority]
CARD_STEP = board.CARD_STEP  # the cards "Show more" adds to a column, for the board's button

# One stamp query per board per process every POLL_SECONDS, however many tabs show that board.
_stamps: dict[tuple[str, str], tuple[float, str]] = {}


def _shared_stamp(actor: UserPublic, project_key: str, type_key: str) -> str:
    key = (project_key, type_key)
    checked_at, stamp = _stamps.get(key, (0.0, ""))
    if time.monotonic() - checked_at >= POLL_SECONDS * 0.9:
        with session_scope() as session:
            stamp = board.stamp_of(session=session, actor=actor, project_key=project_key, type_key=type_key)
        _share_stamp(project_key, type_key, stamp)
    return stamp


def _share_stamp(project_key: str, type_key: str, stamp: str) -> None:
    # A drop's fresh stamp goes in too: a cached older one would make the dropping tab reload for nothing.
    _stamps[(project_key, type_key)] = (time.monotonic(), stamp)


def _column_json(column: board.Column) -> dict[str, Any]:
    return {
        "key": column.key,
        "name": column.name,
        "color": column.color,
        "count": column.count,
        "cards": [
            {
                "number": card.number,
                "title": card.title,
                "priority": card.priority,
                "assignee_name": card.assignee_name,
                "age": ago(card.created_at),
                "field_values": [list(pair) for pair in card.field_values],
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
    _watcher: int = 0

    def _keys(self) -> tuple[str, str]:
        project_key, _, type_key = self.choice.partition("/")
        return project_key, type_key

    def _filters(self) -> board.BoardFilters:
        return board.BoardFilters(
            assignee="" if self.assignee == ANYONE else self.assignee,
            priority="" if self.priority == ANY_PRIORITY else self.priority,
            text=self.text,
        )

    def _reload(self, actor: UserPublic, *, remember: bool = False) -> None:
        """Read the chosen board; with `remember`, it becomes the board this user opens next time."""
        self.revision += 1
        if not self.choice:
            self.columns, self.legal_moves, self._stamp, self.agents = [], {}, "", []
            return
        project_key, type_key = self._keys()
        with session_scope() as session:
            shown = board.board(
                session=session,
                actor=actor,
                project_key=project_key,
                type_key=type_key,
                filters=self._filters(),
                shown=self._shown,
            )
            agents = board.assignable_agents(session=session, actor=actor, project_key=project_key)
            if remember:
                board.remember_board(session=session, actor=actor, project_key=project_key, type_key=type_key)
        self.columns = [_column_json(column) for column in shown.columns]
        self.legal_moves = {status: list(targets) for status, targets in shown.legal_moves.items()}
        self._stamp = shown.stamp
        self.agents = [[str(user_id), name] for user_id, name in agents]

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
        actor = await self.actor()
        if actor is None:
            return self.refusal()
        self._shown = {}
        try:
            self._reload(actor, remember=remember)
        except ServiceError as exc:
            return rx.toast.error(str(exc))
        return self._sync_url()

    @rx.event
    async def load(self):
        actor = await self.admit(Role.AGENT, Role.ADMIN)
        if actor is None:
            self.choices, self.choice, self.columns, self.legal_moves, self.agents = [], "", [], {}, []
            return self.refusal()
        params = self.router.url.query_parameters
        with session_scope() as session:
            choices = board.board_choices(session=session, actor=actor)
            remembered = board.remembered_board(session=session, actor=actor)
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
        try:
            self._reload(actor, remember=self.choice != remembered)
        except ServiceError as exc:
            events.append(rx.toast.error(str(exc)))
        if asked != "/" and asked not in values and values:
            events.append(rx.toast.error(f"No board for {asked.replace('/', ' / ')}; showing {self.choice}."))
        if self.choice:
            events += [self._sync_url(), BoardState.watch]
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
        actor = await self.actor()
        if actor is None:
            return self.refusal()
        shown = next((len(c["cards"]) for c in self.columns if c["key"] == column_key), None)
        if shown is None:
            return None
        self._shown = {**self._shown, column_key: max(shown, board.CARD_WINDOW) + board.CARD_STEP}
        try:
            self._reload(actor)
        except ServiceError as exc:
            return rx.toast.error(str(exc))
        return None

    @rx.event
    def move(self, drop: dict[str, Any]):
        """A card dropped on the board: {number, to_status, after, before}, already drawn there by the board."""
        number = str(drop.get("number") or "")
        try:
            # Who is dropping is checked in the drop's own transaction (as `actor()` checks it, without the
            # transaction of its own): a drop is waited for, and on PostgreSQL every round trip shows.
            with session_scope() as session:
                actor = auth.resolve_session(session=session, token=self.session_token())
                done = None
                if actor is not None:
                    done = board.move_card(
                        session=session,
                        actor=actor,
                        number=number,
                        to_status=str(drop.get("to_status") or ""),
                        after=drop.get("after") or None,
                        before=drop.get("before") or None,
                        seen_stamp=self._stamp,
                    )
        except IllegalTransition as exc:
            self.revision += 1  # the board never moved the card; this keeps it honest if it did
            return rx.toast.error(str(exc))
        except ServiceError as exc:
            message = "; ".join(exc.errors.values()) if isinstance(exc, ValidationFailed) else str(exc)
            self._reload(actor)  # the card goes back where the server has it
            return rx.toast.error(message)
        if done is None:
            return self.refusal()
        # Only the two columns the card left and joined change: no query, and the stamp the drop
        # returns keeps this tab's watcher from reloading for its own move.
        from_key = done.move.from_status.key if done.move else str(drop.get("to_status") or "")
        placed = _placed(self.columns, number, from_key, drop)
        if placed is None or not done.stamp or _runs_short(placed, from_key):
            self._reload(actor)
            return None
        self.columns = placed
        self.revision += 1
        self._stamp = done.stamp
        _share_stamp(*self._keys(), done.stamp)
        return None

    def _still_watching(self, watcher: int) -> bool:
        from tickit.tickit import app  # the running app, which knows which tabs are connected

        connected = self.router.session.client_token in app.event_namespace.token_to_sid
        on_board = self.router.url.path.rstrip("/") == routes.TICKETS_BOARD
        return watcher == self._watcher and connected and on_board

    @rx.event(background=True)
    async def watch(self):
        """Reload while the board is open when someone else changes its tickets; ends when the tab leaves."""
        async with self:
            self._watcher += 1
            watcher = self._watcher
            actor = await self.actor()
        while actor is not None:
            await asyncio.sleep(POLL_SECONDS)
            async with self:
                if not self._still_watching(watcher):
                    return
                project_key, type_key = self._keys()
                stamp = self._stamp
            if not project_key:
                continue
            try:
                current = await asyncio.to_thread(_shared_stamp, actor, project_key, type_key)
            except ServiceError:
                return
            if current != stamp:
                async with self:
                    if not self._still_watching(watcher):
                        return
                    if (project_key, type_key) == self._keys():
                        try:
                            self._reload(actor)
                        except ServiceError:
                            return
