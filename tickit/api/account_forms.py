"""The pieces of the plain account pages (api/accounts.py, api/sign_up.py): fields, notices, the link-gone page."""

from __future__ import annotations

from html import escape

from fastapi.responses import HTMLResponse

from tickit import routes
from tickit.api.plain_page import page
from tickit.services.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

BRAND = '<div class="brand"><img src="/favicon.svg" alt="">TickIt</div>'
BACK = f'<p class="hint"><a href="{routes.LOGIN}">Back to sign in</a></p>'
EMAIL_INPUT = ' autocomplete="username" maxlength="320"'
_PASSWORD_HINT = (
    f"At least {MIN_PASSWORD_LENGTH} characters, not one leaked from another site. "
    "A few unrelated words make a good one."
)


def field(
    label: str, name: str, *, kind: str, error: str = "", hint: str = "", value: str = "", extra: str = ""
) -> str:
    described = f' aria-describedby="{name}-note"' if error or hint else ""
    note = (
        f'<p class="error" id="{name}-note">{escape(error)}</p>'
        if error
        else (f'<p class="hint" id="{name}-note">{escape(hint)}</p>' if hint else "")
    )
    return (
        f'<label class="field" for="{name}">{escape(label)}</label>'
        f'<input class="text" id="{name}" name="{name}" type="{kind}" value="{escape(value)}" required'
        f'{described} aria-invalid="{"true" if error else "false"}"{extra}>{note}'
    )


def password_fields(errors: dict[str, str]) -> str:
    limits = f' minlength="{MIN_PASSWORD_LENGTH}" maxlength="{MAX_PASSWORD_LENGTH}" autocomplete="new-password"'
    return field(
        "New password", "new", kind="password", error=errors.get("new", ""), hint=_PASSWORD_HINT, extra=limits
    ) + field("New password again", "confirm", kind="password", error=errors.get("confirm", ""), extra=limits)


def form_error(errors: dict[str, str]) -> str:
    message = errors.get("form", "")
    return f'<p class="notice bad" role="alert">{escape(message)}</p>' if message else ""


def gone(what: str) -> HTMLResponse:
    body = (
        f"{BRAND}<h1>This link no longer works</h1>"
        f"<p>{escape(what)}</p>"
        f'<p><a href="{routes.FORGOT_PASSWORD}">Ask for a new password link</a> · '
        f'<a href="{routes.LOGIN}">Sign in</a></p>'
    )
    return page("Link expired", body, 410)


def email_form(*, title: str, lead: str, action: str, button: str, email: str, notice: str, error: str) -> str:
    """A form that asks only for an address (a reset link, a sign-in link)."""
    status = f'<p class="notice" role="status">{escape(notice)}</p>' if notice else ""
    return (
        f"{BRAND}<h1>{escape(title)}</h1><p class='muted'>{escape(lead)}</p>{status}"
        f'<form method="post" action="{action}">'
        + field("Email", "email", kind="email", value=email, error=error, extra=EMAIL_INPUT)
        + f"<button type=submit>{escape(button)}</button></form>"
        + BACK
    )


def new_account_form(*, heading: str, lead: str, action: str, email: str, name: str, errors: dict[str, str]) -> str:
    """Name and password for an account a link makes (an invitation, a self sign-up)."""
    return (
        f"{BRAND}<h1>{escape(heading)}</h1><p class='muted'>{escape(lead)}</p>{form_error(errors)}"
        f'<form method="post" action="{escape(action)}">'
        f'<input type="email" name="username" value="{escape(email)}" autocomplete="username" hidden readonly>'
        + field(
            "Your name",
            "name",
            kind="text",
            value=name,
            error=errors.get("name", ""),
            hint="As others see you on tickets.",
            extra=' autocomplete="name" maxlength="200"',
        )
        + password_fields({"new": errors.get("password", errors.get("new", "")), "confirm": errors.get("confirm", "")})
        + "<button type=submit>Create my account</button></form>"
    )
