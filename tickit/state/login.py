"""The sign-in page: shows why the last attempt failed; the form itself posts over HTTP."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.config import get_settings
from tickit.services import auth
from tickit.state.session import SessionState

_MESSAGES = {
    "invalid": "Email or password is incorrect.",
    "missing": "Enter your email and password.",
    "deactivated": "This account has been deactivated. Ask an admin to reactivate it.",
    "google": "Google sign-in did not complete. Please try again.",
    "google_off": "Google sign-in is not set up on this server.",
    "google_refused": "This account has been deactivated. Ask an admin to reactivate it.",
    "google_unverified": "Google did not confirm this email address, so it cannot be used to sign in.",
    "expired": auth.PASSWORD_EXPIRED,
    "choose_again": auth.SIGN_IN_AGAIN,
}


class LoginState(SessionState):
    error: str = ""
    notice: str = ""
    email: str = ""
    next_path: str = ""
    google_enabled: bool = False
    ready: bool = False

    @rx.event
    async def load(self):
        params = self.router.url.query_parameters
        actor = await self.actor()
        next_path = routes.safe_next(params.get("next")) or ""
        if actor is not None:
            return rx.redirect(next_path or routes.home_for(actor.role), replace=True)
        self.user_role = ""
        self.ready = True
        self.next_path = next_path
        self.email = params.get("email", "")[:320]
        self.google_enabled = get_settings().google is not None
        self.notice = "You have been signed out." if params.get("signed_out") else ""
        code = params.get("error", "")
        if code == "rate":
            minutes = max(1, -(-int(params.get("retry", "60") or 60) // 60))
            self.error = f"Too many failed sign-in attempts. Try again in {minutes} minute{'s' if minutes > 1 else ''}."
        else:
            self.error = _MESSAGES.get(code, "")
        return None

    @rx.var
    def google_href(self) -> str:
        return routes.GOOGLE_LOGIN + (f"?next={self.next_path}" if self.next_path else "")
