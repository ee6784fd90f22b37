"""The client's new-ticket form."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.db import session_scope
from tickit.models import Role
from tickit.services import tickets
from tickit.services.errors import ServiceError
from tickit.state.session import SessionState, form_errors


class NewTicketState(SessionState):
    project_options: list[list[str]] = []  # [key, "Name (KEY)"]
    project_key: str = ""
    errors: dict[str, str] = {}
    saving: bool = False

    @rx.event
    def load(self):
        actor = self.admit(Role.CLIENT)
        self.errors = {}
        if actor is None:
            self.project_options = []
            return self.refusal()
        with session_scope() as session:
            targets = tickets.filing_targets(session=session, actor=actor)
        self.project_options = [[t.project_key, f"{t.project_name} ({t.project_key})"] for t in targets]
        if self.project_key not in {key for key, _ in self.project_options}:
            self.project_key = self.project_options[0][0] if self.project_options else ""
        return None

    @rx.event
    def set_project_key(self, key: str):
        self.project_key = key

    @rx.event
    def submit(self, form: dict):
        actor = self.actor()
        if actor is None or actor.role != Role.CLIENT:
            return rx.redirect(routes.login_url(next=routes.PORTAL_NEW_TICKET))
        try:
            with session_scope() as session:
                number = tickets.create_web_ticket(
                    session=session,
                    actor=actor,
                    project_key=self.project_key,
                    title=str(form.get("title", "")),
                    description=str(form.get("description", "")),
                )
        except ServiceError as exc:
            self.errors = form_errors(exc)
            return None
        self.errors = {}
        return [rx.redirect(routes.PORTAL), rx.toast.success(f"Ticket {number} filed. We'll keep you posted here.")]
