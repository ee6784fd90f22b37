"""The sign-in page: shows why the last attempt failed; the form itself posts over HTTP."""

from __future__ import annotations

from urllib.parse import urlencode

import reflex as rx

from tickit import routes
from tickit.config import get_settings
from tickit.services import auth, self_signup, sign_in_throttle
from tickit.services.errors import RateLimited
from tickit.state.session import SessionState

_MESSAGES = {
    "invalid": "Email or password is incorrect.",
    "missing": "Enter your email and password.",
    "deactivated": "This account has been deactivated. Ask an admin to reactivate it.",
    "google": "Google sign-in did not complete. Please try again.",
    "google_off": "Google sign-in is not set up on this server.",
    "google_refused": "This account has been deactivated. Ask an admin to reactivate it.",
    "google_unverified": "Google did not confirm this email address, so it cannot be used to sign in.",
    "google_staff_password": auth.GOOGLE_STAFF_HAS_PASSWORD,
    "google_no_account": auth.GOOGLE_NO_SIGNUP,
    "email_too_long": auth.EMAIL_TOO_LONG,
    "expired": auth.PASSWORD_EXPIRED,
    "choose_again": auth.SIGN_IN_AGAIN,
}
# For a `retry` TickIt never sends (edited by hand or garbled): the refusal without a wait.
_RATE_WITHOUT_WAIT = f"{sign_in_throttle.REFUSAL}. Wait a moment before trying again."


def _rate_message(retry: str) -> str:
    """The refusal with its wait, read from `retry` (seconds) as far as it is a sensible number."""
    # Bounded before int(): Python refuses to read numbers of thousands of digits.
    seconds = int(retry) if retry.isascii() and retry.isdigit() and len(retry) <= 6 else 0
    if not 0 < seconds <= sign_in_throttle.MAX_DELAY_SECONDS:
        return _RATE_WITHOUT_WAIT
    return str(RateLimited(seconds, sign_in_throttle.REFUSAL))


class LoginState(SessionState):
    error: str = ""
    notice: str = ""
    email: str = ""
    next_path: str = ""
    google_enabled: bool = False
    signup_open: bool = False  # some project takes sign-ups: offer "Create an account"
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
        self.signup_open = bool(await self.read_public(lambda session: self_signup.open_projects(session=session)))
        self.notice = "You have been signed out." if params.get("signed_out") else ""
        code = params.get("error", "")
        self.error = _rate_message(params.get("retry", "")) if code == "rate" else _MESSAGES.get(code, "")
        return None

    @rx.var
    def google_href(self) -> str:
        return routes.GOOGLE_LOGIN + (f"?{urlencode({'next': self.next_path})}" if self.next_path else "")
