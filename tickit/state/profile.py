"""The signed-in user's own account: their name and password."""

from __future__ import annotations

import reflex as rx

from tickit.db import session_scope
from tickit.models import Role
from tickit.services import auth, users
from tickit.services.errors import ServiceError
from tickit.state.session import SessionState, form_errors


class ProfileState(SessionState):
    has_password: bool = True
    name_errors: dict[str, str] = {}
    password_errors: dict[str, str] = {}
    form_key: int = 0  # bumped to clear the password fields after a change

    @rx.event
    def load(self):
        actor = self.admit(Role.CLIENT, Role.AGENT, Role.ADMIN)
        if actor is None:
            return self.refusal()
        self.has_password = actor.has_password
        self.name_errors, self.password_errors = {}, {}
        return None

    @rx.event
    def save_name(self, form: dict):
        actor = self.actor()
        if actor is None:
            return self.refusal()
        try:
            with session_scope() as session:
                renamed = users.rename(session=session, actor=actor, name=str(form.get("name", "")))
        except ServiceError as exc:
            self.name_errors = form_errors(exc)
            return None
        self.name_errors, self.user_name = {}, renamed.name
        return rx.toast.success("Name saved.")

    @rx.event
    def change_password(self, form: dict):
        actor = self.actor()
        if actor is None:
            return self.refusal()
        try:
            with session_scope() as session:
                users.change_password(
                    session=session,
                    actor=actor,
                    current=str(form.get("current", "")),
                    new=str(form.get("new", "")),
                    confirm=str(form.get("confirm", "")),
                )
                auth.end_other_sessions(session=session, user_id=actor.id, keep_token=self.session_token())
        except ServiceError as exc:
            self.password_errors = form_errors(exc)
            return None
        self.password_errors, self.has_password = {}, True
        self.form_key += 1
        return rx.toast.success("Password changed. You stay signed in here; other devices are signed out.")
