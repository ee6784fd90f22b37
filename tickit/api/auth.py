"""Sign-in and sign-out over plain HTTP, so the session cookie can be HttpOnly."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from tickit import routes
from tickit.api.client_address import client_address
from tickit.api.same_origin import require_same_origin
from tickit.config import get_settings
from tickit.db import session_scope
from tickit.services import auth, passwords
from tickit.services.errors import RateLimited, ValidationFailed

router = APIRouter()


def set_session_cookie(response: RedirectResponse, token: str) -> None:
    response.set_cookie(
        auth.session_cookie_name(),
        token,
        max_age=auth.session_max_age_seconds(),
        httponly=True,
        samesite="lax",
        secure=get_settings().cookie_secure,
        path="/",
    )


def signed_in_redirect(request: Request, user_id: int, role: str, next_path: str | None) -> RedirectResponse:
    """Open a fresh session (ending the one the browser had) and send the user on."""
    with session_scope() as session:
        token = auth.start_session(
            session=session,
            user_id=user_id,
            ip=client_address(request),
            user_agent=request.headers.get("user-agent", ""),
            replacing_token=request.cookies.get(auth.session_cookie_name()),
        )
    response = RedirectResponse(routes.safe_next(next_path) or routes.home_for(role), status_code=303)
    set_session_cookie(response, token)
    return response


# Both check where the form came from: signing a victim in to the attacker's account (login CSRF)
# or out of their own needs no cookie the browser would withhold.
@router.post(routes.AUTH_LOGIN, include_in_schema=False, dependencies=[Depends(require_same_origin)])
def sign_in(
    request: Request,
    email: str = Form(""),
    password: str = Form(""),
    next: str = Form(""),
) -> RedirectResponse:
    """Check the form's credentials; on failure go back to the form with a reason code."""
    back = {"email": email.strip()[: auth.MAX_EMAIL_LENGTH], "next": routes.safe_next(next) or ""}
    if not email.strip() or not password:
        return RedirectResponse(routes.login_url(error="missing", **back), status_code=303)
    try:
        user = auth.sign_in_with_password(email=email, password=password, ip=client_address(request))
    except RateLimited as exc:
        return RedirectResponse(routes.login_url(error="rate", retry=str(exc.retry_after), **back), status_code=303)
    except ValidationFailed:
        return RedirectResponse(routes.login_url(error="email_too_long", **back), status_code=303)
    except auth.SignInFailed as exc:
        code = {auth.DEACTIVATED: "deactivated", auth.PASSWORD_EXPIRED: "expired"}.get(str(exc), "invalid")
        return RedirectResponse(routes.login_url(error=code, **back), status_code=303)
    if user.must_choose_password:
        # Before anything else: this session is good for choosing the password and nothing more.
        return signed_in_redirect(request, user.id, user.role, routes.CHOOSE_PASSWORD)
    return signed_in_redirect(request, user.id, user.role, next)


@router.post(routes.AUTH_CHOOSE_PASSWORD, include_in_schema=False, dependencies=[Depends(require_same_origin)])
def choose_password(request: Request, new: str = Form(""), confirm: str = Form("")) -> RedirectResponse:
    """Replace the generated password this browser signed in with by the user's own, then sign in afresh."""
    try:
        with session_scope() as session:
            user = auth.choose_password(
                session=session, token=request.cookies.get(auth.session_cookie_name()), new=new, confirm=confirm
            )
    except auth.SignInFailed:
        return RedirectResponse(routes.login_url(error="choose_again"), status_code=303)
    except ValidationFailed as exc:
        field, message = next(iter(exc.errors.items()))
        code = {
            auth.SAME_AS_PRINTED: "same",
            passwords.PASSWORD_TOO_LONG: "long",
            passwords.PASSWORD_BREACHED: "breached",
        }.get(message, field)
        return RedirectResponse(f"{routes.CHOOSE_PASSWORD}?error={code}", status_code=303)
    return signed_in_redirect(request, user.id, user.role, None)


@router.post(routes.AUTH_LOGOUT, include_in_schema=False, dependencies=[Depends(require_same_origin)])
def sign_out(request: Request) -> RedirectResponse:
    """End the session server-side and clear the cookie."""
    token = request.cookies.get(auth.session_cookie_name())
    if token:
        with session_scope() as session:
            auth.end_session(session=session, token=token)
    response = RedirectResponse(routes.login_url(signed_out="1"), status_code=303)
    response.delete_cookie(
        auth.session_cookie_name(), path="/", secure=get_settings().cookie_secure, httponly=True, samesite="lax"
    )
    return response
