"""Google sign-in over OpenID Connect, with Authlib checking state, nonce and ID token.

Authlib keeps the state and nonce of a sign-in in `request.session`, which needs Starlette's
SessionMiddleware. Only the small app mounted at /auth/google gets one, in a short-lived cookie
scoped to that path, so the Reflex app mounted beside it never sees or pays for it.
"""

from __future__ import annotations

import functools
import logging
import posixpath
from urllib.parse import urlencode

import httpx
from authlib.integrations.starlette_client import OAuth, OAuthError, StarletteOAuth2App
from fastapi import FastAPI
from joserfc.errors import JoseError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from tickit import routes
from tickit.api import auth as auth_api
from tickit.api.client_address import client_address
from tickit.config import GoogleSettings, get_settings
from tickit.db import session_scope
from tickit.services import audit, auth, invitations
from tickit.services.account_tokens import LinkGone
from tickit.services.actors import UserPublic

OAUTH_COOKIE = "tickit_oauth"
# Long enough to choose an account at Google, short enough that an abandoned state soon expires.
OAUTH_COOKIE_MAX_AGE_SECONDS = 600
SCOPE = "openid email profile"

_MOUNT = posixpath.commonpath([routes.GOOGLE_LOGIN, routes.GOOGLE_CALLBACK])
# The sign-in page's reason code for each refusal of `auth.sign_in_with_google`.
_REFUSAL_CODES = {
    auth.DEACTIVATED: "google_refused",
    auth.GOOGLE_UNVERIFIED: "google_unverified",
    auth.GOOGLE_STAFF_HAS_PASSWORD: "google_staff_password",
    auth.GOOGLE_NO_SIGNUP: "google_no_account",
}
_NEXT_KEY = "next"
# An invitation being accepted with Google: its token rides in the short-lived, signed OAuth cookie
# (the browser had it already) and is used only once Google has answered, in the callback.
_INVITATION_KEY = "invitation"

logger = logging.getLogger(__name__)


def install(app: FastAPI) -> None:
    """Serve routes.GOOGLE_LOGIN and routes.GOOGLE_CALLBACK on `app`."""
    app.mount(_MOUNT, _google_sign_in)


async def _google_sign_in(scope: Scope, receive: Receive, send: Send) -> None:
    # Settings are read per request rather than at install, so building the app at export time
    # writes no secret key, and a change of settings (as in tests) is picked up.
    settings = get_settings()
    app = _sign_in_app(settings.secret_key, settings.cookie_secure, settings.google)
    await app(scope, receive, send)


@functools.lru_cache(maxsize=1)
def _sign_in_app(secret_key: str, https_only: bool, google: GoogleSettings | None) -> ASGIApp:
    app = Starlette(
        routes=[
            Route(routes.GOOGLE_LOGIN.removeprefix(_MOUNT), _login),
            Route(routes.GOOGLE_CALLBACK.removeprefix(_MOUNT), _callback),
        ]
    )
    # Kept with the app so its discovery document and signing keys are fetched once, not per sign-in.
    app.state.google = _google_client(google) if google else None
    return SessionMiddleware(
        app,
        secret_key=secret_key,
        session_cookie=OAUTH_COOKIE,
        max_age=OAUTH_COOKIE_MAX_AGE_SECONDS,
        path=_MOUNT,
        same_site="lax",
        https_only=https_only,
    )


def _google_client(google: GoogleSettings) -> StarletteOAuth2App:
    oauth = OAuth()
    return oauth.register(
        "google",
        client_id=google.client_id,
        client_secret=google.client_secret,
        server_metadata_url=google.discovery_url,
        # PKCE on top of the client secret, so an intercepted code cannot be redeemed elsewhere.
        client_kwargs={"scope": SCOPE, "code_challenge_method": "S256"},
    )


def _back_to_login(error: str) -> RedirectResponse:
    return RedirectResponse(routes.login_url(error=error), status_code=303)


async def _login(request: Request) -> Response:
    """Send the browser to Google, remembering where it wants to go afterwards."""
    google: StarletteOAuth2App | None = request.app.state.google
    if google is None:
        return _back_to_login("google_off")
    request.session[_NEXT_KEY] = routes.safe_next(request.query_params.get("next")) or ""
    request.session[_INVITATION_KEY] = request.query_params.get("invitation", "")[:100]
    redirect_uri = f"{get_settings().app_url}{routes.GOOGLE_CALLBACK}"
    try:
        return await google.authorize_redirect(request, redirect_uri)
    except httpx.HTTPError as exc:
        logger.warning("Google sign-in unavailable: cannot read the discovery document: %r", exc)
        return _back_to_login("google")


async def _callback(request: Request) -> Response:
    """Check Google's answer, find or create the user, and open a TickIt session."""
    google: StarletteOAuth2App | None = request.app.state.google
    if google is None:
        return _back_to_login("google_off")
    next_path = request.session.pop(_NEXT_KEY, None)
    invitation = request.session.pop(_INVITATION_KEY, "")
    try:
        token = await google.authorize_access_token(request)
    except (OAuthError, JoseError, httpx.HTTPError) as exc:
        logger.warning("Google sign-in refused: %r", exc)
        return _back_to_login("google")
    claims = token.get("userinfo")
    if not claims:
        logger.warning("Google sign-in refused: the token response carried no ID token")
        return _back_to_login("google")
    if invitation:
        try:
            user = await run_in_threadpool(_accept_invitation, invitation, claims, client_address(request))
        except LinkGone:
            return RedirectResponse(routes.INVITATION.format(token=invitation), status_code=303)
        except invitations.GoogleRefused as exc:
            query = urlencode({"google": exc.code})
            return RedirectResponse(f"{routes.INVITATION.format(token=invitation)}?{query}", status_code=303)
        return await run_in_threadpool(auth_api.signed_in_redirect, request, user.id, user.role, None)
    try:
        user = await run_in_threadpool(_sign_in, claims, client_address(request))
    except auth.SignInFailed as exc:
        return _back_to_login(_REFUSAL_CODES.get(str(exc), "google"))
    return await run_in_threadpool(auth_api.signed_in_redirect, request, user.id, user.role, next_path)


def _sign_in(claims: dict, address: str) -> UserPublic:
    with session_scope() as session, audit.from_address(address):
        return auth.sign_in_with_google(
            session=session,
            subject=claims["sub"],
            email=claims.get("email", ""),
            # Some Google endpoints have sent this claim as the string "true".
            email_verified=str(claims.get("email_verified")).lower() == "true",
            name=claims.get("name", ""),
        )


def _accept_invitation(token: str, claims: dict, address: str) -> UserPublic:
    with session_scope() as session, audit.from_address(address):
        return invitations.accept_with_google(
            session=session,
            token=token,
            subject=claims["sub"],
            email=claims.get("email", ""),
            email_verified=str(claims.get("email_verified")).lower() == "true",
            name=claims.get("name", ""),
        )
