"""Editing a ticket from the staff ticket page: its title, its description (rich text) and its requester."""

from __future__ import annotations

from typing import Any

import reflex as rx
from sqlmodel import Session

from tickit.services import ticket_edits
from tickit.services.actors import UserPublic
from tickit.state.session import SessionState
from tickit.state.ticket_page import TicketState


class TicketEditState(SessionState):
    """The edit dialog: drafts of the title, the description's HTML and the requester's email."""

    open: bool = False
    title: str = ""
    description_html: str = ""
    requester_email: str = ""
    errors: dict[str, str] = {}

    @rx.event
    async def start(self):
        ticket = await self.get_state(TicketState)
        self.title = ticket.title
        self.description_html = ticket_edits.editor_html(ticket.description, ticket.description_html)
        self.requester_email = ticket.reporter_email
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
        ticket = await self.get_state(TicketState)
        number, shown_email = ticket.number, ticket.reporter_email
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
            return TicketState.reload
        self.errors = outcome.errors
        return None if set(outcome.errors) <= {"title", "description", "requester"} else outcome.event
