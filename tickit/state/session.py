"""Who is signed in, resolved on the server from the HttpOnly session cookie on every event."""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie

import reflex as rx

from tickit import routes
from tickit.db import session_scope
from tickit.services import auth
from tickit.services.actors import UserPublic
from tickit.services.errors import ServiceError, ValidationFailed


def form_errors(exc: ServiceError) -> dict[str, str]:
    """Errors keyed by form field; failures not tied to one field go under "form"."""
    return exc.errors if isinstance(exc, ValidationFailed) else {"form": str(exc)}


def _session_token(cookie_header: str) -> str | None:
    try:
        cookies = SimpleCookie(cookie_header or "")
    except CookieError:
        return None
    morsel = cookies.get(auth.SESSION_COOKIE)
    return morsel.value if morsel else None


class SessionState(rx.State):
    """The signed-in user as the layout shows them, and whether this page admits them."""

    user_name: str = ""
    user_email: str = ""
    user_role: str = ""
    # pending until the page's load handler has checked; then allowed or denied.
    access: str = "pending"

    def session_token(self) -> str | None:
        return _session_token(self.router.headers.cookie)

    def actor(self) -> UserPublic | None:
        """The user behind this browser's session cookie, checked against the database now."""
        with session_scope() as session:
            return auth.resolve_session(session=session, token=self.session_token())

    def admit(self, *roles: str) -> UserPublic | None:
        """Resolve the actor for a page load; record whether `roles` may see the page.

        Returns the actor when admitted. Otherwise returns None, and the caller should
        return `self.refusal()`, so no page data is loaded for them.
        """
        actor = self.actor()
        self.user_name = actor.name if actor else ""
        self.user_email = actor.email if actor else ""
        self.user_role = actor.role if actor else ""
        self.access = "allowed" if actor and actor.role in roles else "denied"
        return actor if self.access == "allowed" else None

    def refusal(self):
        """Signed-out visitors go to the sign-in page and come back afterwards."""
        if not self.user_role:
            return rx.redirect(routes.login_url(next=self.router.url.path), replace=True)
        return None

    @rx.var
    def home_path(self) -> str:
        return routes.home_for(self.user_role)

    @rx.var
    def initials(self) -> str:
        parts = self.user_name.split()
        return "".join(p[0] for p in parts[:2]).upper() or "?"
