"""The pages a person reaches from the sign-in page or a mail: forgot password, reset, a requester's first
password, a one-time sign-in link, invitation.

Plain HTML (`plain_page`), so a link's token never enters Reflex state. Opening a link (GET) only
reads; only the form's POST acts (mail scanners fetch links). A successful reset or accepted
invitation signs the person in afresh, as the sign-in form does.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from tickit import routes
from tickit.api.auth import signed_in_redirect
from tickit.api.client_address import client_address
from tickit.api.plain_page import page
from tickit.api.same_origin import require_same_origin
from tickit.db import session_scope
from tickit.models import TokenPurpose
from tickit.services import audit, invitations, password_reset, sign_in_links
from tickit.services.account_tokens import LinkGone
from tickit.services.errors import RateLimited, ValidationFailed
from tickit.services.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

router = APIRouter()

_BRAND = '<div class="brand"><img src="/favicon.svg" alt="">TickIt</div>'
_BACK = f'<p class="hint"><a href="{routes.LOGIN}">Back to sign in</a></p>'
_PASSWORD_HINT = (
    f"At least {MIN_PASSWORD_LENGTH} characters, not one leaked from another site. "
    "A few unrelated words make a good one."
)


def _field(
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


def _password_fields(errors: dict[str, str]) -> str:
    limits = f' minlength="{MIN_PASSWORD_LENGTH}" maxlength="{MAX_PASSWORD_LENGTH}" autocomplete="new-password"'
    return _field(
        "New password", "new", kind="password", error=errors.get("new", ""), hint=_PASSWORD_HINT, extra=limits
    ) + _field("New password again", "confirm", kind="password", error=errors.get("confirm", ""), extra=limits)


def _form_error(errors: dict[str, str]) -> str:
    message = errors.get("form", "")
    return f'<p class="notice bad" role="alert">{escape(message)}</p>' if message else ""


def _gone(what: str) -> HTMLResponse:
    body = (
        f"{_BRAND}<h1>This link no longer works</h1>"
        f"<p>{escape(what)}</p>"
        f'<p><a href="{routes.FORGOT_PASSWORD}">Ask for a new password link</a> · '
        f'<a href="{routes.LOGIN}">Sign in</a></p>'
    )
    return page("Link expired", body, 410)


# --- forgot password ---------------------------------------------------------------------------------------


def _forgot_form(email: str = "", notice: str = "", error: str = "") -> str:
    status = f'<p class="notice" role="status">{escape(notice)}</p>' if notice else ""
    return (
        f"{_BRAND}<h1>Forgot your password?</h1>"
        "<p class='muted'>Enter the email address you sign in with. "
        "We will mail you a link to choose a new password.</p>"
        f"{status}"
        f'<form method="post" action="{routes.FORGOT_PASSWORD}">'
        + _field(
            "Email", "email", kind="email", value=email, error=error, extra=' autocomplete="username" maxlength="320"'
        )
        + "<button type=submit>Send me a link</button></form>"
        + _BACK
    )


@router.get(routes.FORGOT_PASSWORD, include_in_schema=False)
def forgot_password_page(email: str = "") -> HTMLResponse:
    """The form that asks for a reset link."""
    return page("Forgot password", _forgot_form(email[:320]))


@router.post(routes.FORGOT_PASSWORD, include_in_schema=False, dependencies=[Depends(require_same_origin)])
def forgot_password(request: Request, email: str = Form("")) -> HTMLResponse:
    """The same answer whether or not the address has an account."""
    if not email.strip():
        return page("Forgot password", _forgot_form(error="Enter your email address."), 422)
    try:
        with session_scope() as session:
            answer = password_reset.request_reset(session=session, email=email, ip=client_address(request))
    except RateLimited as exc:
        return page("Forgot password", _forgot_form(email.strip()[:320], error=str(exc)), 429)
    return page("Check your mail", _forgot_form(email.strip()[:320], notice=answer))


# --- reset ---------------------------------------------------------------------------------------------------

_RESET_GONE = "Reset links work once, for one hour, and stop working when the password changes."
_RESET_TITLE = "Choose a new password"


def _reset_form(token: str, email: str, errors: dict[str, str], *, first: bool = False) -> str:
    route, heading = (routes.SET_PASSWORD, "Choose your password") if first else (routes.RESET_PASSWORD, _RESET_TITLE)
    action = escape(route.format(token=token))
    return (
        f"{_BRAND}<h1>{heading}</h1>"
        f"<p class='muted'>For {escape(email)}. Every browser signed in to this account will be signed out.</p>"
        f"{_form_error(errors)}"
        f'<form method="post" action="{action}">'
        f'<input type="email" name="username" value="{escape(email)}" autocomplete="username" hidden readonly>'
        f"{_password_fields(errors)}<button type=submit>Save and sign in</button></form>"
    )


@router.get(routes.RESET_PASSWORD, include_in_schema=False)
def reset_page(token: str) -> HTMLResponse:
    """The new-password form; opening it uses nothing."""
    try:
        with session_scope(read_only=True) as session:
            email = password_reset.account_for_link(session=session, token=token)
    except LinkGone:
        return _gone(_RESET_GONE)
    return page(_RESET_TITLE, _reset_form(token, email, {}))


@router.post(
    routes.RESET_PASSWORD, include_in_schema=False, response_model=None, dependencies=[Depends(require_same_origin)]
)
def reset(
    request: Request, token: str, new: str = Form(""), confirm: str = Form("")
) -> HTMLResponse | RedirectResponse:
    """Set the password, end every other session, and sign this browser in."""
    try:
        with session_scope() as session:
            with audit.from_address(client_address(request)):
                user = password_reset.reset_password(session=session, token=token, new=new, confirm=confirm)
    except LinkGone:
        return _gone(_RESET_GONE)
    except ValidationFailed as exc:
        with session_scope(read_only=True) as session:
            email = password_reset.account_for_link(session=session, token=token)
        return page(_RESET_TITLE, _reset_form(token, email, exc.errors), 422)
    return signed_in_redirect(request, user.id, user.role, None)


# --- a requester's first password -------------------------------------------------------------------------

_SET_PASSWORD_GONE = (
    "Links to choose a password work once, for seven days, and stop working once the account has one. "
    "Ask for a new password link, or for a sign-in link."
)
_SET_PASSWORD_TITLE = "Choose your password"


@router.get(routes.SET_PASSWORD, include_in_schema=False)
def set_password_page(token: str) -> HTMLResponse:
    """The first-password form a requester's acknowledgement links to; opening it uses nothing."""
    try:
        with session_scope(read_only=True) as session:
            email = password_reset.account_for_link(session=session, token=token, purpose=TokenPurpose.SET_PASSWORD)
    except LinkGone:
        return _gone(_SET_PASSWORD_GONE)
    return page(_SET_PASSWORD_TITLE, _reset_form(token, email, {}, first=True))


@router.post(
    routes.SET_PASSWORD, include_in_schema=False, response_model=None, dependencies=[Depends(require_same_origin)]
)
def set_first_password(
    request: Request, token: str, new: str = Form(""), confirm: str = Form("")
) -> HTMLResponse | RedirectResponse:
    """Set the password and sign this browser in."""
    purpose = TokenPurpose.SET_PASSWORD
    try:
        with session_scope() as session:
            with audit.from_address(client_address(request)):
                user = password_reset.reset_password(
                    session=session, token=token, new=new, confirm=confirm, purpose=purpose
                )
    except LinkGone:
        return _gone(_SET_PASSWORD_GONE)
    except ValidationFailed as exc:
        with session_scope(read_only=True) as session:
            email = password_reset.account_for_link(session=session, token=token, purpose=purpose)
        return page(_SET_PASSWORD_TITLE, _reset_form(token, email, exc.errors, first=True), 422)
    return signed_in_redirect(request, user.id, user.role, None)


# --- one-time sign-in link ---------------------------------------------------------------------------------

_SIGN_IN_LINK_GONE = "Sign-in links work once, for 15 minutes. Ask for a new one."
_SIGN_IN_LINK_TITLE = "Sign in with a link"


def _sign_in_link_form(email: str = "", notice: str = "", error: str = "") -> str:
    status = f'<p class="notice" role="status">{escape(notice)}</p>' if notice else ""
    return (
        f"{_BRAND}<h1>{_SIGN_IN_LINK_TITLE}</h1>"
        "<p class='muted'>No password yet? Enter the email address the help desk writes to. "
        "We will mail you a link that signs you in once, within 15 minutes.</p>"
        f"{status}"
        f'<form method="post" action="{routes.SIGN_IN_LINK}">'
        + _field(
            "Email", "email", kind="email", value=email, error=error, extra=' autocomplete="username" maxlength="320"'
        )
        + "<button type=submit>Email me a sign-in link</button></form>"
        + _BACK
    )


@router.get(routes.SIGN_IN_LINK, include_in_schema=False)
def sign_in_link_page(email: str = "") -> HTMLResponse:
    """The form that asks for a one-time sign-in link."""
    return page(_SIGN_IN_LINK_TITLE, _sign_in_link_form(email[:320]))


@router.post(routes.SIGN_IN_LINK, include_in_schema=False, dependencies=[Depends(require_same_origin)])
def request_sign_in_link(request: Request, email: str = Form("")) -> HTMLResponse:
    """The same answer whether or not the address has an account."""
    if not email.strip():
        return page(_SIGN_IN_LINK_TITLE, _sign_in_link_form(error="Enter your email address."), 422)
    try:
        with session_scope() as session:
            answer = sign_in_links.request_link(session=session, email=email, ip=client_address(request))
    except RateLimited as exc:
        return page(_SIGN_IN_LINK_TITLE, _sign_in_link_form(email.strip()[:320], error=str(exc)), 429)
    return page("Check your mail", _sign_in_link_form(email.strip()[:320], notice=answer))


def _sign_in_button(token: str, email: str, errors: dict[str, str]) -> str:
    action = escape(routes.SIGN_IN_WITH_LINK.format(token=token))
    return (
        f"{_BRAND}<h1>Sign in to TickIt</h1>"
        f"<p class='muted'>As {escape(email)}.</p>"
        f"{_form_error(errors)}"
        f'<form method="post" action="{action}"><button type=submit>Sign in</button></form>'
    )


@router.get(routes.SIGN_IN_WITH_LINK, include_in_schema=False)
def sign_in_with_link_page(token: str) -> HTMLResponse:
    """A button that signs in; opening the link uses nothing."""
    try:
        with session_scope(read_only=True) as session:
            email = sign_in_links.account_for_link(session=session, token=token)
    except LinkGone:
        return _gone(_SIGN_IN_LINK_GONE)
    return page("Sign in", _sign_in_button(token, email, {}))


@router.post(
    routes.SIGN_IN_WITH_LINK,
    include_in_schema=False,
    response_model=None,
    dependencies=[Depends(require_same_origin)],
)
def sign_in_with_link(request: Request, token: str) -> HTMLResponse | RedirectResponse:
    """Use the link and sign this browser in."""
    try:
        with session_scope() as session:
            with audit.from_address(client_address(request)):
                user = sign_in_links.sign_in(session=session, token=token)
    except LinkGone:
        return _gone(_SIGN_IN_LINK_GONE)
    except ValidationFailed as exc:
        return page("Sign in", _sign_in_button(token, "", exc.errors), 403)
    return signed_in_redirect(request, user.id, user.role, None)


# --- invitation ----------------------------------------------------------------------------------------------

_INVITATION_GONE = (
    "Invitations work once, for seven days, and an admin may have withdrawn or resent this one. "
    "Ask whoever invited you to send it again."
)


def _invitation_form(token: str, view: invitations.InvitationView, errors: dict[str, str], name: str = "") -> str:
    action = escape(routes.INVITATION.format(token=token))
    where = f" in {', '.join(view.projects)}" if view.projects else ""
    return (
        f"{_BRAND}<h1>Join TickIt</h1>"
        f"<p class='muted'>{escape(view.invited_by)} invited {escape(view.email)} as {escape(view.role)}"
        f"{escape(where)}. Choose your name and password to finish.</p>"
        f"{_form_error(errors)}"
        f'<form method="post" action="{action}">'
        f'<input type="email" name="username" value="{escape(view.email)}" autocomplete="username" hidden readonly>'
        + _field(
            "Your name",
            "name",
            kind="text",
            value=name,
            error=errors.get("name", ""),
            hint="As others see you on tickets.",
            extra=' autocomplete="name" maxlength="200"',
        )
        + _password_fields({"new": errors.get("password", errors.get("new", "")), "confirm": errors.get("confirm", "")})
        + "<button type=submit>Create my account</button></form>"
    )


def _invitation_view(token: str) -> invitations.InvitationView:
    with session_scope(read_only=True) as session:
        return invitations.view(session=session, token=token)


@router.get(routes.INVITATION, include_in_schema=False)
def invitation_page(token: str) -> HTMLResponse:
    """The invitation with its name and password form; opening it uses nothing."""
    try:
        view = _invitation_view(token)
    except LinkGone:
        return _gone(_INVITATION_GONE)
    return page("Join TickIt", _invitation_form(token, view, {}))


@router.post(
    routes.INVITATION, include_in_schema=False, response_model=None, dependencies=[Depends(require_same_origin)]
)
def accept_invitation(
    request: Request, token: str, name: str = Form(""), new: str = Form(""), confirm: str = Form("")
) -> HTMLResponse | RedirectResponse:
    """Create the account, sign it in, and land in its tree."""
    try:
        with session_scope() as session:
            with audit.from_address(client_address(request)):
                user = invitations.accept(session=session, token=token, name=name, password=new, confirm=confirm)
    except LinkGone:
        return _gone(_INVITATION_GONE)
    except ValidationFailed as exc:
        try:
            view = _invitation_view(token)
        except LinkGone:
            return _gone(_INVITATION_GONE)
        return page("Join TickIt", _invitation_form(token, view, exc.errors, name[:200]), 422)
    return signed_in_redirect(request, user.id, user.role, None)
