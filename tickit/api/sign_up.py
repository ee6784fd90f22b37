""" "Create an account": the sign-up form for projects that take sign-ups, and the page its mail links to.

Plain HTML (`plain_page`), as the other account pages. Opening the mailed link only shows the
name and password form; submitting it creates the account and signs it in (services/self_signup.py).
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from tickit import routes
from tickit.api.account_forms import BACK, BRAND, EMAIL_INPUT, field, gone, new_account_form
from tickit.api.auth import signed_in_redirect
from tickit.api.client_address import client_address
from tickit.api.plain_page import page
from tickit.api.same_origin import require_same_origin
from tickit.db import session_scope
from tickit.services import audit, self_signup
from tickit.services.account_tokens import LinkGone
from tickit.services.errors import RateLimited, ValidationFailed

router = APIRouter()

_TITLE = "Create an account"
_GONE = "Sign-up links work once, for two days. Ask for a new one from the sign-up page."
_NONE_OPEN = "No project here takes sign-ups. Ask the help desk for an invitation."


def _project_choice(projects: list[self_signup.OpenProject], chosen: str, error: str) -> str:
    if len(projects) == 1:
        only = projects[0]
        return f'<input type="hidden" name="project" value="{escape(only.key)}">'
    options = "".join(
        f'<option value="{escape(p.key)}"{" selected" if p.key == chosen else ""}>{escape(p.name)}</option>'
        for p in projects
    )
    note = f'<p class="error" id="project-note">{escape(error)}</p>' if error else ""
    return (
        '<label class="field" for="project">Project</label>'
        f'<select class="text" id="project" name="project" required>{options}</select>{note}'
    )


def _domains_note(projects: list[self_signup.OpenProject]) -> str:
    limited = [p for p in projects if p.domains]
    if not limited:
        return ""
    return "".join(
        f'<p class="hint">{escape(p.name)} takes addresses at {escape(", ".join(p.domains))} only.</p>' for p in limited
    )


def _form(
    projects: list[self_signup.OpenProject],
    *,
    chosen: str = "",
    email: str = "",
    notice: str = "",
    errors: dict[str, str] | None = None,
) -> str:
    errors = errors or {}
    if not projects:
        return f"{BRAND}<h1>{_TITLE}</h1><p>{_NONE_OPEN}</p>{BACK}"
    where = projects[0].name if len(projects) == 1 else "one of our projects"
    status = f'<p class="notice" role="status">{escape(notice)}</p>' if notice else ""
    return (
        f"{BRAND}<h1>{_TITLE}</h1>"
        f"<p class='muted'>File and follow requests in {escape(where)}. We will mail you a link to confirm "
        "your address; you choose your name and password on its page.</p>"
        f"{status}"
        f'<form method="post" action="{routes.SIGN_UP}">'
        + _project_choice(projects, chosen, errors.get("project", ""))
        + field("Email", "email", kind="email", value=email, error=errors.get("email", ""), extra=EMAIL_INPUT)
        + _domains_note(projects)
        + "<button type=submit>Email me a link</button></form>"
        + BACK
    )


def _open_projects() -> list[self_signup.OpenProject]:
    with session_scope(read_only=True) as session:
        return self_signup.open_projects(session=session)


@router.get(routes.SIGN_UP, include_in_schema=False)
def sign_up_page(project: str = "") -> HTMLResponse:
    """The sign-up form (a page saying no project takes sign-ups when none does)."""
    projects = _open_projects()
    return page(_TITLE, _form(projects, chosen=project[:40]), 200 if projects else 404)


@router.post(routes.SIGN_UP, include_in_schema=False, dependencies=[Depends(require_same_origin)])
def sign_up(request: Request, project: str = Form(""), email: str = Form("")) -> HTMLResponse:
    """Mail the confirmation link; the same answer whether or not the address has an account."""
    projects = _open_projects()
    email = email.strip()[:320]
    try:
        with session_scope() as session:
            answer = self_signup.request_signup(
                session=session, project_key=project, email=email, ip=client_address(request)
            )
    except ValidationFailed as exc:
        return page(_TITLE, _form(projects, chosen=project, email=email, errors=exc.errors), 422)
    except RateLimited as exc:
        return page(_TITLE, _form(projects, chosen=project, email=email, errors={"email": str(exc)}), 429)
    return page("Check your mail", _form(projects, chosen=project, email=email, notice=answer))


def _confirm_form(token: str, view: self_signup.SignupView, errors: dict[str, str], name: str = "") -> str:
    return new_account_form(
        heading="Finish signing up",
        lead=f"For {view.email}, in {view.project}. Choosing your name and password confirms the address.",
        action=routes.SIGN_UP_CONFIRM.format(token=token),
        email=view.email,
        name=name,
        errors=errors,
    )


def _view(token: str) -> self_signup.SignupView:
    with session_scope(read_only=True) as session:
        return self_signup.view(session=session, token=token)


@router.get(routes.SIGN_UP_CONFIRM, include_in_schema=False)
def confirm_page(token: str) -> HTMLResponse:
    """The name and password form; opening the link uses nothing."""
    try:
        view = _view(token)
    except LinkGone:
        return gone(_GONE)
    return page("Finish signing up", _confirm_form(token, view, {}))


@router.post(
    routes.SIGN_UP_CONFIRM, include_in_schema=False, response_model=None, dependencies=[Depends(require_same_origin)]
)
def confirm(
    request: Request, token: str, name: str = Form(""), new: str = Form(""), confirm: str = Form("")
) -> HTMLResponse | RedirectResponse:
    """Create the account, sign it in, and land in the portal."""
    try:
        with session_scope() as session:
            with audit.from_address(client_address(request)):
                user = self_signup.confirm(session=session, token=token, name=name, password=new, confirm=confirm)
    except LinkGone:
        return gone(_GONE)
    except ValidationFailed as exc:
        try:
            view = _view(token)
        except LinkGone:
            return gone(_GONE)
        return page("Finish signing up", _confirm_form(token, view, exc.errors, name[:200]), 422)
    return signed_in_redirect(request, user.id, user.role, None)
