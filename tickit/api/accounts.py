"""The pages a person reaches from the sign-in page or a mail: forgot password, reset, a requester's first
password, a one-time sign-in link, invitation.

Plain HTML (`plain_page`), so a link's token never enters Reflex state. Opening a link (GET) only
reads; only the form's POST acts (mail scanners fetch links). A successful reset or accepted
invitation signs the person in afresh, as the sign-in form does.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from tickit import routes
from tickit.api.account_forms import BRAND, email_form, form_error, gone, new_account_form, password_fields
from tickit.api.auth import signed_in_redirect
from tickit.api.client_address import client_address
from tickit.api.plain_page import page
from tickit.api.same_origin import require_same_origin
from tickit.config import get_settings
from tickit.db import session_scope
from tickit.models import TokenPurpose
from tickit.services import audit, invitations, password_reset, sign_in_links
from tickit.services.account_tokens import LinkGone
from tickit.services.errors import RateLimited, ValidationFailed

router = APIRouter()

# --- forgot password ---------------------------------------------------------------------------------------


def _forgot_form(email: str = "", notice: str = "", error: str = "") -> str:
    return email_form(
        title="Forgot your password?",
        lead="Enter the email address you sign in with. We will mail you a link to choose a new password.",
        action=routes.FORGOT_PASSWORD,
        button="Send me a link",
        email=email,
        notice=notice,
        error=error,
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
        f"{BRAND}<h1>{heading}</h1>"
        f"<p class='muted'>For {escape(email)}. Every browser signed in to this account will be signed out.</p>"
        f"{form_error(errors)}"
        f'<form method="post" action="{action}">'
        f'<input type="email" name="username" value="{escape(email)}" autocomplete="username" hidden readonly>'
        f"{password_fields(errors)}<button type=submit>Save and sign in</button></form>"
    )


@router.get(routes.RESET_PASSWORD, include_in_schema=False)
def reset_page(token: str) -> HTMLResponse:
    """The new-password form; opening it uses nothing."""
    try:
        with session_scope(read_only=True) as session:
            email = password_reset.account_for_link(session=session, token=token)
    except LinkGone:
        return gone(_RESET_GONE)
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
        return gone(_RESET_GONE)
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
        return gone(_SET_PASSWORD_GONE)
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
        return gone(_SET_PASSWORD_GONE)
    except ValidationFailed as exc:
        with session_scope(read_only=True) as session:
            email = password_reset.account_for_link(session=session, token=token, purpose=purpose)
        return page(_SET_PASSWORD_TITLE, _reset_form(token, email, exc.errors, first=True), 422)
    return signed_in_redirect(request, user.id, user.role, None)


# --- one-time sign-in link ---------------------------------------------------------------------------------

_SIGN_IN_LINK_GONE = "Sign-in links work once, for 15 minutes. Ask for a new one."
_SIGN_IN_LINK_TITLE = "Sign in with a link"


def _sign_in_link_form(email: str = "", notice: str = "", error: str = "") -> str:
    return email_form(
        title=_SIGN_IN_LINK_TITLE,
        lead="No password yet? Enter the email address the help desk writes to. "
        "We will mail you a link that signs you in once, within 15 minutes.",
        action=routes.SIGN_IN_LINK,
        button="Email me a sign-in link",
        email=email,
        notice=notice,
        error=error,
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
        f"{BRAND}<h1>Sign in to TickIt</h1>"
        f"<p class='muted'>As {escape(email)}.</p>"
        f"{form_error(errors)}"
        f'<form method="post" action="{action}"><button type=submit>Sign in</button></form>'
    )


@router.get(routes.SIGN_IN_WITH_LINK, include_in_schema=False)
def sign_in_with_link_page(token: str) -> HTMLResponse:
    """A button that signs in; opening the link uses nothing."""
    try:
        with session_scope(read_only=True) as session:
            email = sign_in_links.account_for_link(session=session, token=token)
    except LinkGone:
        return gone(_SIGN_IN_LINK_GONE)
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
        return gone(_SIGN_IN_LINK_GONE)
    except ValidationFailed as exc:
        return page("Sign in", _sign_in_button(token, "", exc.errors), 403)
    return signed_in_redirect(request, user.id, user.role, None)


# --- invitation ----------------------------------------------------------------------------------------------

_INVITATION_GONE = (
    "Invitations work once, for seven days, and an admin may have withdrawn or resent this one. "
    "Ask whoever invited you to send it again."
)


def _invitation_form(token: str, view: invitations.InvitationView, errors: dict[str, str], name: str = "") -> str:
    where = f" in {', '.join(view.projects)}" if view.projects else ""
    google = ""
    if get_settings().google is not None:
        href = escape(f"{routes.GOOGLE_LOGIN}?{urlencode({'invitation': token})}")
        google = (
            '<p class="or">or</p>'
            f'<a class="button secondary" href="{href}"><img src="/google.svg" alt="" width="16" height="16">'
            f"Continue with Google as {escape(view.email)}</a>"
        )
    return (
        new_account_form(
            heading="Join TickIt",
            lead=f"{view.invited_by} invited {view.email} as {view.role}{where}. "
            "Choose your name and password to finish.",
            action=routes.INVITATION.format(token=token),
            email=view.email,
            name=name,
            errors=errors,
        )
        + google
    )


def _invitation_view(token: str) -> invitations.InvitationView:
    with session_scope(read_only=True) as session:
        return invitations.view(session=session, token=token)


@router.get(routes.INVITATION, include_in_schema=False)
def invitation_page(token: str, google: str = "") -> HTMLResponse:
    """The invitation with its name and password form; opening it uses nothing.

    `google` is the code of a refused "Continue with Google", sent back here by the callback.
    """
    try:
        view = _invitation_view(token)
    except LinkGone:
        return gone(_INVITATION_GONE)
    refusal = invitations.GOOGLE_REFUSALS.get(google, "")
    return page("Join TickIt", _invitation_form(token, view, {"form": refusal} if refusal else {}))


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
        return gone(_INVITATION_GONE)
    except ValidationFailed as exc:
        try:
            view = _invitation_view(token)
        except LinkGone:
            return gone(_INVITATION_GONE)
        return page("Join TickIt", _invitation_form(token, view, exc.errors, name[:200]), 422)
    return signed_in_redirect(request, user.id, user.role, None)
