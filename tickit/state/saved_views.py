"""The sidebar's saved views with their live counts, and saving the list's current filters as a view.

The sidebar's ticker fires `watch` every POLL_SECONDS on every staff page; each tick recounts the
viewer's views through `views.sidebar` (a capped count query per view), checking the viewer again.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx

from tickit.services import views
from tickit.state import live
from tickit.state.session import SessionState
from tickit.state.tickets import StaffTicketsState

POLL_SECONDS = 5.0


@dataclasses.dataclass
class ViewLink:
    id: int
    name: str
    url: str
    count: str
    shared_with: str


class SavedViewsState(SessionState):
    """The viewer's views as the sidebar shows them, and the "Save view" dialog."""

    lines: list[ViewLink] = []
    save_open: bool = False
    error: str = ""

    def _take(self, found: list[views.ViewLine]) -> None:
        lines = [ViewLink(v.id, v.name, v.url, v.count, v.shared_with) for v in found]
        if lines != self.lines:  # assigning sends the var even unchanged: a quiet tick sends nothing
            self.lines = lines

    @rx.event
    async def watch(self):
        """One tick of the sidebar's ticker: the views' counts as they now are (staff only)."""
        if self.user_role not in ("agent", "admin"):
            return None
        return await live.tick(self, lambda session, actor: views.sidebar(session=session, actor=actor), self._take)

    @rx.event
    def set_save_open(self, is_open: bool):
        self.save_open, self.error = is_open, ""

    @rx.event
    async def save(self, form: dict[str, Any]):
        """Save the list's filters and sort as a view: the viewer's own, or shared with the project chosen."""
        tickets = await self.get_state(StaffTicketsState)
        name, query_string = str(form.get("name", "")), tickets.query_string
        project_key = str(form.get("share", "")) if form.get("share") not in (None, "", "mine") else ""

        def save_then_list(session, actor):
            views.save_view(session=session, actor=actor, name=name, query_string=query_string, project_key=project_key)
            return views.sidebar(session=session, actor=actor)

        outcome = await self.run(save_then_list)
        if not outcome.ok:
            self.error = next(iter(outcome.errors.values()), "")
            return None if outcome.errors else outcome.event
        self._take(outcome.value)
        self.save_open, self.error = False, ""
        return rx.toast.success(f"Saved the view “{name.strip()}”.")

    @rx.event
    async def move(self, view_id: int, step: int):
        """Move a view up (-1) or down (+1) among its owner's views."""

        def move_then_list(session, actor):
            views.move_view(session=session, actor=actor, view_id=view_id, step=step)
            return views.sidebar(session=session, actor=actor)

        outcome = await self.run(move_then_list)
        if outcome.ok:
            self._take(outcome.value)
        return outcome.event

    @rx.event
    async def remove(self, view_id: int):
        def remove_then_list(session, actor):
            views.delete_view(session=session, actor=actor, view_id=view_id)
            return views.sidebar(session=session, actor=actor)

        outcome = await self.run(remove_then_list)
        if outcome.ok:
            self._take(outcome.value)
        return outcome.event
