"""Editing a ticket from its page: title and description (rich text); on the staff page also its requester.

One dialog state for both pages: the staff ticket page and the portal page (where the requester
edits until the team first replies; the service decides, the page only offers the button).
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from sqlmodel import Session

from tickit import routes
from tickit.services import ticket_edits
from tickit.services.actors import UserPublic
from tickit.state.portal_ticket import PortalTicketState
from tickit.state.session import SessionState
from tickit.state.ticket_page import TicketState


class TicketEditState(SessionState):
    """The edit dialog: drafts of the title, the description's HTML and the requester's email."""

    open: bool = False
    title: str = ""
    description_html: str = ""
    requester_email: str = ""
    for_staff: bool = False  # the staff page, where the requester can be changed too
    errors: dict[str, str] = {}

    def _page_state(self) -> type[TicketState] | type[PortalTicketState]:
        return PortalTicketState if self.router.url.path.startswith(routes.PORTAL) else TicketState

    @rx.event
    async def start(self):
        page = self._page_state()
        ticket = await self.get_state(page)
        self.for_staff = page is TicketState
        self.title = ticket.title
        self.description_html = ticket_edits.editor_html(ticket.description, ticket.description_html)
        self.requester_email = ticket.reporter_email if isinstance(ticket, TicketState) else ""
        self.errors, self.open = {}, True

    @rx.event
    def set_open(self, open: bool):
        self.open = open

    @rx.event
    def set_title(self, title: str):
        self.title = title

    @rx.event
    def set_description_html(self, html: str):
        self.description_html = html

    @rx.event
    def set_requester_email(self, email: str):
        self.requester_email = email

    @rx.event
    async def save(self, form: dict[str, Any]):
        page = self._page_state()
        ticket = await self.get_state(page)
        number = ticket.number
        shown_email = ticket.reporter_email if isinstance(ticket, TicketState) else ""
        title, html, email = self.title, self.description_html, self.requester_email.strip()

        def edit(session: Session, actor: UserPublic) -> None:
            ticket_edits.edit_ticket(
                session=session, actor=actor, number=number, changes={"title": title, "description_html": html}
            )
            if email and email.lower() != shown_email.lower():
                ticket_edits.change_requester(session=session, actor=actor, number=number, email=email)

        outcome = await self.run(edit)
        if outcome.ok:
            self.open, self.errors = False, {}
            return page.reload
        self.errors = outcome.errors
        return None if set(outcome.errors) <= {"title", "description", "requester"} else outcome.event
