"""The ticket page's links and merge: the forms, calling `ticket_links` and `merges`.

The links themselves are shown from `TicketState` (they come with the ticket's detail); after a
change this state asks it to show the ticket anew. A merge sends the page to the ticket merged into.
"""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.services import merges, ticket_links
from tickit.state.comment_thread import refused
from tickit.state.session import SessionState
from tickit.state.ticket_page import TicketState

LINK_KINDS = [[kind, source_label] for kind, (source_label, _) in ticket_links.LABELS.items()]


class TicketRelationsState(SessionState):
    """Forms for linking this ticket to another and merging it into another."""

    link_kind: str = "related"
    link_number: str = ""
    link_error: str = ""
    merge_into: str = ""
    merge_error: str = ""

    @rx.event
    def set_link_kind(self, value: str):
        self.link_kind = value

    @rx.event
    def set_link_number(self, value: str):
        self.link_number, self.link_error = value, ""

    @rx.event
    def set_merge_into(self, value: str):
        self.merge_into, self.merge_error = value, ""

    @rx.event
    async def add_link(self):
        number, kind, other = await self._number(), self.link_kind, self.link_number
        outcome = await self.run(
            lambda session, actor: ticket_links.add_link(
                session=session, actor=actor, number=number, kind=kind, other_number=other
            )
        )
        if not outcome.ok:
            self.link_error = outcome.errors.get("link", "")
            return None if self.link_error else refused(outcome)
        self.link_number, self.link_error = "", ""
        return TicketState.reload

    @rx.event
    async def remove_link(self, link_id: int):
        number = await self._number()
        outcome = await self.run(
            lambda session, actor: ticket_links.remove_link(
                session=session, actor=actor, number=number, link_id=link_id
            )
        )
        return TicketState.reload if outcome.ok else refused(outcome)

    @rx.event
    async def merge(self):
        number, into = await self._number(), self.merge_into
        outcome = await self.run(
            lambda session, actor: merges.merge(session=session, actor=actor, number=number, into=into)
        )
        if not outcome.ok:
            self.merge_error = outcome.errors.get("merge", "")
            return None if self.merge_error else refused(outcome)
        result = outcome.value
        self.merge_into, self.merge_error = "", ""
        moved = f"{result.comments_moved} comments and {result.attachments_moved} files moved"
        return [
            rx.redirect(routes.ticket_page(result.into)),
            rx.toast.success(f"Merged {result.merged} into {result.into}: {moved}."),
        ]

    async def _number(self) -> str:
        page = await self.get_state(TicketState)
        return page.number
