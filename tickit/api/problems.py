"""Errors of the integration API as `application/problem+json` (RFC 9457).

Each kind of problem has a stable `type` (a path under the API that explains it), so integrators
can branch on it rather than on the wording of `detail`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from html import escape

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from tickit import routes
from tickit.services.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServiceError,
    Unauthenticated,
    ValidationFailed,
)
from tickit.services.intake import IdempotencyKeyInvalid, IdempotencyKeyReused

logger = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"


@dataclass(frozen=True)
class Kind:
    status: int
    title: str
    explanation: str


KINDS: dict[str, Kind] = {
    "invalid-idempotency-key": Kind(
        400,
        "Idempotency-Key missing or malformed",
        "Every POST /tickets needs an Idempotency-Key header of 1 to 255 printable ASCII characters, "
        "unique to the ticket you mean to file (a UUID is a good choice). Send the same key when you retry.",
    ),
    "malformed-request": Kind(
        400,
        "Malformed request body",
        "The body could not be read as JSON. Send one JSON object, encoded as UTF-8.",
    ),
    "unauthorized": Kind(
        401,
        "Missing or invalid API token",
        "Send the API client's token as `Authorization: Bearer tk_...`. A revoked token stops working at once; "
        "an admin can create a new client under Admin, Projects, API clients.",
    ),
    "forbidden": Kind(403, "Not allowed", "The API client may not do this."),
    "not-found": Kind(
        404,
        "Not found",
        "There is no such resource, or it belongs to another project than the API client's.",
    ),
    "method-not-allowed": Kind(405, "Method not allowed", "This path does not accept that HTTP method."),
    "conflict": Kind(409, "Conflict", "Someone else changed the resource first; read it again and retry."),
    "payload-too-large": Kind(
        413, "Request body too large", "Request bodies are limited to 1 MiB. Attach large files through the web app."
    ),
    "idempotency-key-reused": Kind(
        422,
        "Idempotency-Key reused with a different body",
        "The key was already used for a request with a different body. A retry must send the same body; "
        "a new ticket needs a new key.",
    ),
    "validation-failed": Kind(
        422,
        "Validation failed",
        "The ticket was not created. `errors` holds one entry per field that needs fixing; "
        "custom fields are named `fields.<key>`. Nothing was stored, so the same key can be retried once fixed.",
    ),
    "rate-limited": Kind(
        429,
        "Too many requests",
        "The API client made more requests this minute than its limit allows. Wait for the number of seconds "
        "in the Retry-After header.",
    ),
    "internal-error": Kind(
        500, "Internal error", "Something went wrong on the server. Retrying with the same Idempotency-Key is safe."
    ),
}


class Problem(Exception):
    """Raised by API code to answer with a problem document of `slug`'s kind."""

    def __init__(self, slug: str, detail: str, *, headers: dict[str, str] | None = None, errors=None):
        self.slug, self.detail, self.headers, self.errors = slug, detail, headers or {}, errors
        super().__init__(detail)


def problem_response(
    request: Request, slug: str, detail: str, *, headers: dict[str, str] | None = None, errors=None
) -> JSONResponse:
    """The problem+json answer for one kind of problem."""
    kind = KINDS[slug]
    body = {
        "type": routes.api_problem(slug),
        "title": kind.title,
        "status": kind.status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=kind.status, headers=headers, media_type=MEDIA_TYPE)


def _for_service_error(request: Request, exc: ServiceError) -> JSONResponse:
    if isinstance(exc, Unauthenticated):
        given = "authorization" in request.headers
        challenge = 'Bearer realm="TickIt"' + (', error="invalid_token"' if given else "")
        return problem_response(request, "unauthorized", str(exc), headers={"WWW-Authenticate": challenge})
    if isinstance(exc, RateLimited):
        return problem_response(request, "rate-limited", str(exc), headers={"Retry-After": str(exc.retry_after)})
    if isinstance(exc, ValidationFailed):
        errors = [{"field": field, "message": message} for field, message in exc.errors.items()]
        return problem_response(request, "validation-failed", f"{len(errors)} field(s) need fixing.", errors=errors)
    slug = {
        IdempotencyKeyInvalid: "invalid-idempotency-key",
        IdempotencyKeyReused: "idempotency-key-reused",
        NotFound: "not-found",
        PermissionDenied: "forbidden",
        Conflict: "conflict",
    }.get(type(exc), "internal-error")
    return problem_response(request, slug, str(exc))


def for_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """A 404, 405 or other HTTP error of the API as a problem document."""
    slug = {404: "not-found", 405: "method-not-allowed", 413: "payload-too-large"}.get(exc.status_code)
    if slug is None:
        slug = "malformed-request" if exc.status_code == 400 else "internal-error"
    headers = getattr(exc, "headers", None)
    if exc.status_code == 405:
        headers = {**(headers or {}), "Allow": _allowed_methods(request)}
    return problem_response(request, slug, str(exc.detail), headers=headers)


def _allowed_methods(request: Request) -> str:
    """Every method some route of the path accepts: Starlette's 405 names only the first route's."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches({**request.scope, "method": "\0"})
        if match is not Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return ", ".join(sorted(methods))


def _for_request_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    """FastAPI's validation errors as ours: a bad Idempotency-Key is a 400, a body's errors one per field."""
    if any(error["loc"][0] == "header" for error in exc.errors()):
        return problem_response(
            request,
            "invalid-idempotency-key",
            "Send an Idempotency-Key header of 1 to 255 printable ASCII characters, unique to this ticket.",
        )
    by_field: dict[str, str] = {}
    for error in exc.errors():
        where, *path = error["loc"]
        by_field.setdefault(".".join(str(part) for part in path) or where, error["msg"])
    errors = [{"field": field, "message": message} for field, message in by_field.items()]
    return problem_response(request, "validation-failed", f"{len(errors)} field(s) need fixing.", errors=errors)


def _for_unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("Unexpected error answering %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(request, "internal-error", "The server failed to answer; please retry.")


def install(app: FastAPI) -> None:
    """Answer every error of `app` as problem+json, and serve the page each problem type names."""
    app.add_exception_handler(
        Problem, lambda r, e: problem_response(r, e.slug, e.detail, headers=e.headers, errors=e.errors)
    )
    app.add_exception_handler(ServiceError, _for_service_error)
    app.add_exception_handler(StarletteHTTPException, for_http_error)
    app.add_exception_handler(RequestValidationError, _for_request_validation)
    app.add_exception_handler(Exception, _for_unexpected)

    @app.get(routes.API_PROBLEM, include_in_schema=False, response_class=HTMLResponse)
    def explain_problem(slug: str) -> HTMLResponse:
        kind = KINDS.get(slug)
        if kind is None:
            raise Problem("not-found", f"There is no problem type {slug[:60]!r}.")
        return HTMLResponse(
            f"<!doctype html><meta charset=utf-8><title>{escape(kind.title)} · TickIt API</title>"
            f"<h1>{escape(kind.title)}</h1><p>HTTP status {kind.status}.</p><p>{escape(kind.explanation)}</p>"
        )
