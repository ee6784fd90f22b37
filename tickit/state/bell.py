"""The bell in the sidebar: the unread count kept live, the newest notifications when opened."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx
from sqlmodel import Session

from tickit import routes
from tickit.models import Role
from tickit.services import inbox
from tickit.services.actors import UserPublic
from tickit.state import live
from tickit.state.formatting import iso
from tickit.state.session import SessionState

POLL_SECONDS = 3.0
BADGE_MAX = 99

Entry = dict[str, str | int | bool]  # {id, summary, when, read, href}


def ticket_href(role: str, number: str | None) -> str:
    """Where a notification about ticket `number` leads this role ("" for none)."""
    if not number:
        return ""
    return routes.portal_ticket(number) if role == Role.CLIENT else routes.ticket_page(number)


@dataclass(frozen=True)
class BellView:
    """What the bell shows: the unread count, and the newest notifications when it is open (else None)."""

    unread: int
    entries: list[Entry] | None


FOR_ME, ALL = "for_me", "all"  # the bell's tabs


def bell_view(session: Session, actor: UserPublic, *, with_entries: bool, tab: str = FOR_ME) -> BellView:
    """The actor's bell, read in one transaction: the entries of `tab` when asked for."""
    unread = inbox.unread_count(session=session, actor=actor)
    if not with_entries:
        return BellView(unread=unread, entries=None)
    entries: list[Entry] = [
        {
            "id": entry.id,
            "summary": entry.summary,
            "when": iso(entry.created_at),
            "read": entry.read,
            "href": ticket_href(actor.role, entry.ticket_number),
        }
        for entry in inbox.newest(session=session, actor=actor, for_me=tab == FOR_ME)
    ]
    return BellView(unread=unread, entries=entries)


def _open_entry(session: Session, actor: UserPublic, notification_id: int, tab: str) -> tuple[str, BellView]:
    """Mark the notification read; where it leads, and the bell as it is now (with entries when it leads nowhere)."""
    entry = inbox.mark_read(session=session, actor=actor, notification_id=notification_id)
    href = ticket_href(actor.role, entry.ticket_number)
    return href, bell_view(session, actor, with_entries=not href, tab=tab)


def _mark_all_read(session: Session, actor: UserPublic, tab: str) -> BellView:
    inbox.mark_all_read(session=session, actor=actor)
    return bell_view(session, actor, with_entries=True, tab=tab)


class BellState(SessionState):
    unread: int = 0
    is_open: bool = False
    tab: str = FOR_ME  # "For me" (assignments, mentions, replies) or "All"
    entries: list[Entry] = []  # the newest notifications of the tab while the bell is open

    @rx.var
    def badge(self) -> str:
        return f"{BADGE_MAX}+" if self.unread > BADGE_MAX else str(self.unread)

    @rx.var
    def label(self) -> str:
        return f"Notifications, {self.unread} unread" if self.unread else "Notifications"

    def _show(self, view: BellView) -> None:
        # Assigning marks a var for sending even when unchanged: a tick that finds nothing new sends nothing.
        if view.unread != self.unread:
            self.unread = view.unread
        if view.entries is not None and view.entries != self.entries:
            self.entries = view.entries

    @rx.event
    async def set_open(self, is_open: bool):
        self.is_open = bool(is_open)
        if not self.is_open:
            return None
        tab = self.tab
        outcome = await self.read(lambda session, actor: bell_view(session, actor, with_entries=True, tab=tab))
        if outcome.value is None:
            self.is_open = False
            return outcome.event
        self._show(outcome.value)
        return None

    @rx.event
    async def set_tab(self, tab: str | list[str]):
        """Show the "For me" or the "All" entries (the segmented control sends one value)."""
        self.tab = ALL if tab == ALL else FOR_ME
        return await self.set_open(True)

    @rx.event
    async def open_entry(self, notification_id: int):
        """Mark the notification read and go to its ticket."""
        try:
            wanted = int(notification_id)
        except (TypeError, ValueError) as exc:
            return rx.toast.error(str(exc))
        tab = self.tab
        outcome = await self.run(lambda session, actor: _open_entry(session, actor, wanted, tab))
        if outcome.value is None:
            return outcome.event
        href, view = outcome.value
        self._show(view)
        if href:
            self.is_open = False
            return rx.redirect(href)
        return None

    @rx.event
    async def mark_all_read(self):
        tab = self.tab
        outcome = await self.run(lambda session, actor: _mark_all_read(session, actor, tab))
        if outcome.value is not None:
            self._show(outcome.value)
        return outcome.event

    @rx.event
    async def watch(self):
        """One tick of the live count (and of the open list), from the bell's ticker."""
        with_entries, tab = self.is_open, self.tab
        return await live.tick(
            self, lambda session, actor: bell_view(session, actor, with_entries=with_entries, tab=tab), self._show
        )
