"""The form a user signed in with a generated password meets first: choose your own."""

from __future__ import annotations

import reflex as rx

from tickit.services import auth, passwords, users
from tickit.state.session import SessionState

_MESSAGES = {
    "new": passwords.PASSWORD_TOO_SHORT,
    "long": passwords.PASSWORD_TOO_LONG,
    "breached": passwords.PASSWORD_BREACHED,
    "confirm": users.PASSWORDS_DIFFER,
    "same": auth.SAME_AS_PRINTED,
}


class ChoosePasswordState(SessionState):
    error: str = ""
    # Which field the error belongs to, so the form marks that one.
    error_field: str = ""

    @rx.event
    def load(self):
        # No user to admit: the session behind this page is good for nothing but the form's post,
        # which checks it (see auth.choose_password).
        code = self.router.url.query_parameters.get("error", "")
        self.error = _MESSAGES.get(code, "")
        self.error_field = "confirm" if code == "confirm" else ("new" if self.error else "")
