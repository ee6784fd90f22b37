"""The bell in the sidebar: the unread count kept live, the newest notifications when opened."""

from __future__ import annotations

import asyncio
import time

import reflex as rx

from tickit import routes
from tickit.db import session_scope
from tickit.models import Role
from tickit.services import inbox
from tickit.services.actors import UserPublic
from tickit.services.errors import ServiceError
from tickit.state.formatting import ago
from tickit.state.session import SessionState

POLL_SECONDS = 3.0
BADGE_MAX = 99

# One count query per user per process every POLL_SECONDS, however many tabs that user has open.
_unread: dict[int, tuple[float, inbox.UnreadSummary]] = {}


def _shared_unread(actor: UserPublic) -> inbox.UnreadSummary:
    checked_at, summary = _unread.get(actor.id, (0.0, None))
    if summary is None or time.monotonic() - checked_at >= POLL_SECONDS * 0.9:
        with session_scope() as session:
            summary = inbox.unread(session=session, actor=actor)
        _unread[actor.id] = (time.monotonic(), summary)
    return summary


def _forget_unread(actor: UserPublic) -> None:
    """After this user read something, the next look asks the database again."""
    _unread.pop(actor.id, None)


def ticket_href(role: str, number: str | None) -> str:
    """Where a notification about ticket `number` leads this role ("" for none)."""
    if not number:
        return ""
    return routes.portal_ticket(number) if role == Role.CLIENT else routes.ticket_page(number)


class BellState(SessionState):
    unread: int = 0
    is_open: bool = False
    # The newest notifications while the bell is open: [{id, summary, when, read, href}].
    entries: list[dict[str, str | int | bool]] = []
    _newest_unread_id: int = 0
    _watcher: int = 0

    @rx.var
    def badge(self) -> str:
        return f"{BADGE_MAX}+" if self.unread > BADGE_MAX else str(self.unread)

    @rx.var
    def label(self) -> str:
        return f"Notifications, {self.unread} unread" if self.unread else "Notifications"

    def _show(self, summary: inbox.UnreadSummary) -> None:
        if (summary.count, summary.newest_id) != (self.unread, self._newest_unread_id):
            self.unread, self._newest_unread_id = summary.count, summary.newest_id

    def _load_entries(self, actor: UserPublic) -> None:
        with session_scope() as session:
            found = inbox.newest(session=session, actor=actor)
            self._show(inbox.unread(session=session, actor=actor))
        self.entries = [
            {
                "id": entry.id,
                "summary": entry.summary,
                "when": ago(entry.created_at),
                "read": entry.read,
                "href": ticket_href(actor.role, entry.ticket_number),
            }
            for entry in found
        ]

    @rx.event
    async def set_open(self, is_open: bool):
        self.is_open = bool(is_open)
        if not self.is_open:
            return None
        actor = await self.actor()
        if actor is None:
            self.is_open = False
            return self.refusal()
        self._load_entries(actor)
        return None

    @rx.event
    async def open_entry(self, notification_id: int):
        """Mark the notification read and go to its ticket."""
        actor = await self.actor()
        if actor is None:
            return self.refusal()
        try:
            with session_scope() as session:
                entry = inbox.mark_read(session=session, actor=actor, notification_id=int(notification_id))
        except (ServiceError, ValueError) as exc:
            return rx.toast.error(str(exc))
        _forget_unread(actor)
        href = ticket_href(actor.role, entry.ticket_number)
        if href:
            self.is_open = False
            self._show(_shared_unread(actor))
            return rx.redirect(href)
        self._load_entries(actor)
        return None

    @rx.event
    async def mark_all_read(self):
        actor = await self.actor()
        if actor is None:
            return self.refusal()
        with session_scope() as session:
            inbox.mark_all_read(session=session, actor=actor)
        _forget_unread(actor)
        self._load_entries(actor)
        return None

    def _still_watching(self, watcher: int, path: str) -> bool:
        from tickit.tickit import app  # the running app, which knows which tabs are connected

        connected = self.router.session.client_token in app.event_namespace.token_to_sid
        return watcher == self._watcher and connected and self.router.url.path == path

    @rx.event(background=True)
    async def watch(self):
        """Keep the unread count current while this page shows the bell; a newer page's bell takes over."""
        async with self:
            self._watcher += 1
            watcher, path = self._watcher, self.router.url.path
            actor = await self.actor()
        while actor is not None:
            try:
                summary = await asyncio.to_thread(_shared_unread, actor)
            except ServiceError:
                return
            async with self:
                if not self._still_watching(watcher, path):
                    return
                changed = (summary.count, summary.newest_id) != (self.unread, self._newest_unread_id)
                self._show(summary)
                if changed and self.is_open:
                    self._load_entries(actor)
            await asyncio.sleep(POLL_SECONDS)
