"""Integration API v1: other apps file and read tickets of their project, safe to retry.

Mounted at /integrations/v1. Handlers are thin: FastAPI admits the client and validates the
request, a service does the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from typing import Annotated, Any, TypeVar

import anyio
import anyio.to_thread
from anyio.lowlevel import RunVar
from fastapi import APIRouter, Depends, FastAPI, Header, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from tickit import routes
from tickit.api import problems
from tickit.api.json_body import JSONBodyRoute, readable_body
from tickit.api.schemas import (
    IDEMPOTENCY_KEY_DESCRIPTION,
    CommentAddedOut,
    CommentsOut,
    ProblemOut,
    TicketOut,
    TicketReadOut,
    TicketTypesOut,
)
from tickit.config import get_settings
from tickit.db import session_scope
from tickit.services import api_clients, api_comments, intake, ticket_documents
from tickit.services.api_clients import ApiClientPublic
from tickit.services.intake_request import TicketIn

T = TypeVar("T")
DOCS_ASSETS = ("swagger-ui-bundle.js", "swagger-ui.css")

DESCRIPTION = """
File tickets into TickIt from your own app, safely retried.

* Authenticate with your API client's token: `Authorization: Bearer tk_...`. An admin creates clients
  per project under **Admin → Projects → API clients**; the token is shown once.
* Every `POST /tickets` carries an `Idempotency-Key`. Retrying with the same key and body returns the
  first answer again (`200`, `Idempotent-Replayed: true`, the same bytes) and creates nothing new.
  Keys are remembered for at least 7 days (`TICKIT_IDEMPOTENCY_DAYS`).
* `GET /tickets/{number}/comments` lists a ticket's public comments; `POST` adds one as the ticket's
  requester, with an `Idempotency-Key` and the same replay rules. A reply reopens a solved ticket;
  on one closed longer ago than the project's reopen window it files a follow-up ticket, named in
  the answer's `filed_as`.
* Errors are `application/problem+json` (RFC 9457); branch on `type`.
* Each client may make `TICKIT_API_RATE_LIMIT` requests a minute (600 by default); beyond that the
  answer is `429` with `Retry-After`.
"""

_bearer = HTTPBearer(auto_error=False, description="The API client's token, `tk_...`.")


def _problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    documented = {status: {"model": ProblemOut, "content": {problems.MEDIA_TYPE: {}}} for status in statuses}
    documented["default"] = {"model": ProblemOut, "content": {problems.MEDIA_TYPE: {}}, "description": "Error"}
    return documented


async def admitted_client(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> ApiClientPublic:
    """The API client whose token came with the request, counted against its rate limit (once per request)."""
    admitted: ApiClientPublic | None = getattr(request.state, "api_client", None)
    if admitted is None:
        admitted = await in_database_thread(_admit, credentials.credentials if credentials else None)
        request.state.api_client = admitted
    return admitted


class _AdmitThenReadRoute(JSONBodyRoute):
    """A JSON route that admits the client before it receives the body: a bad token costs TickIt no reading."""

    async def before_body(self, request: Request) -> None:
        await admitted_client(request, await _bearer(request))


def _admit(token: str | None) -> ApiClientPublic:
    # A transaction of its own, committed at once: the client's usage row is locked until then,
    # and every request of the client writes it.
    with session_scope() as session:
        return api_clients.admit(session, token, limit_per_minute=get_settings().api_rate_limit_per_minute)


# Threads of a worker process that use the database for the API at once. Each holds a pooled
# connection (a filing waiting for its project's numbering row holds it all that time), and a
# request holds the GIL for most of its time, so more threads than this only queue for it.
DATABASE_THREADS = 4
_database_limiter: RunVar[anyio.CapacityLimiter] = RunVar("tickit_api_database_limiter")


async def in_database_thread(func: Callable[..., T], *args: Any) -> T:
    """Run `func(*args)` in the thread pool, at most DATABASE_THREADS of them at once in this event loop."""
    try:
        limiter = _database_limiter.get()
    except LookupError:
        limiter = anyio.CapacityLimiter(DATABASE_THREADS)
        _database_limiter.set(limiter)
    return await anyio.to_thread.run_sync(func, *args, limiter=limiter)


Client = Annotated[ApiClientPublic, Depends(admitted_client)]
ReadableBody = Annotated[None, Depends(readable_body)]
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=intake.KEY_MAX_LENGTH,
        pattern=intake.KEY_PATTERN,
        description=IDEMPOTENCY_KEY_DESCRIPTION,
    ),
]
router = APIRouter()
# A body without a Content-Type is read as JSON too, as integrators' simplest clients send it.
intake_router = APIRouter(route_class=_AdmitThenReadRoute, strict_content_type=False)


@intake_router.post(
    routes.API_TICKETS,
    status_code=201,
    summary="File a ticket (idempotent)",
    tags=["Tickets"],
    response_model=TicketOut,
    responses={
        200: {"model": TicketOut, "description": "A replay: the first answer to this key, byte for byte."},
        201: {"description": "Created; `Location` gives the ticket's API URL."},
        **_problem_responses(400, 401, 413, 422, 429),
    },
)
async def create_ticket(client: Client, _: ReadableBody, idempotency_key: IdempotencyKey, ticket: TicketIn) -> Response:
    # The client was admitted (and the request counted) before the body was received: a bad
    # token is a 401 whatever the body, and a refused body still counts as a request.
    result = await in_database_thread(_create_or_replay, client, idempotency_key, ticket)
    headers = {"Location": result.location}
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(
        result.body, status_code=200 if result.replayed else 201, media_type="application/json", headers=headers
    )


def _create_or_replay(client: ApiClientPublic, idempotency_key: str, ticket: TicketIn) -> intake.IntakeResult:
    with session_scope() as session:
        return intake.create_or_replay(session=session, client=client, idempotency_key=idempotency_key, request=ticket)


@router.get(
    routes.API_TICKET,
    summary="Read a ticket of the client's project",
    tags=["Tickets"],
    response_model=TicketReadOut,
    responses=_problem_responses(401, 404, 429),
)
def get_ticket(number: str, client: Client) -> Response:
    with session_scope() as session:
        document = ticket_documents.read_ticket(session=session, client=client, number=number)
    return Response(ticket_documents.render(document), media_type="application/json")


@intake_router.post(
    routes.API_TICKET_COMMENTS,
    status_code=201,
    summary="Add a public comment as the ticket's requester (idempotent)",
    tags=["Comments"],
    response_model=CommentAddedOut,
    responses={
        200: {"model": CommentAddedOut, "description": "A replay: the first answer to this key, byte for byte."},
        201: {
            "description": (
                "Added; `Location` gives the comments of the ticket it went on "
                "(the follow-up's, when `filed_as` is set)."
            )
        },
        **_problem_responses(400, 401, 404, 413, 422, 429),
    },
)
async def add_comment(
    number: str, client: Client, _: ReadableBody, idempotency_key: IdempotencyKey, comment: api_comments.CommentIn
) -> Response:
    result = await in_database_thread(_add_or_replay_comment, client, number, idempotency_key, comment)
    headers = {"Location": result.location}
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(
        result.body, status_code=200 if result.replayed else 201, media_type="application/json", headers=headers
    )


def _add_or_replay_comment(
    client: ApiClientPublic, number: str, idempotency_key: str, comment: api_comments.CommentIn
) -> intake.IntakeResult:
    with session_scope() as session:
        return api_comments.add_or_replay(
            session=session, client=client, number=number, idempotency_key=idempotency_key, request=comment
        )


@router.get(
    routes.API_TICKET_COMMENTS,
    summary="List a ticket's public comments",
    tags=["Comments"],
    response_model=CommentsOut,
    responses=_problem_responses(401, 404, 429),
)
def list_comments(number: str, client: Client) -> Response:
    with session_scope() as session:
        document = api_comments.list_comments(session=session, client=client, number=number)
    return Response(ticket_documents.render(document), media_type="application/json")


@router.get(
    routes.API_TICKET_TYPES,
    summary="List ticket types with their statuses and fields",
    tags=["Ticket types"],
    response_model=TicketTypesOut,
    responses=_problem_responses(401, 429),
)
def list_ticket_types(client: Client) -> Response:
    with session_scope() as session:
        document = {
            "project": api_clients.project_key_of(session, client),
            "types": ticket_documents.ticket_types(session=session, client=client),
        }
    return Response(ticket_documents.render(document), media_type="application/json")


def _install_docs(app: FastAPI) -> None:
    """Swagger UI from a Python package, so the docs work without reaching a CDN."""
    assets = resources.files("fastapi_swagger") / "resources"

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title="TickIt Integration API v1",
            swagger_js_url=f"{root}/docs/swagger-ui-bundle.js",
            swagger_css_url=f"{root}/docs/swagger-ui.css",
            swagger_favicon_url=f"{root}/docs/favicon-32x32.png",
        )

    @app.get("/docs/{asset}", include_in_schema=False)
    def docs_asset(asset: str) -> FileResponse:
        if asset not in (*DOCS_ASSETS, "favicon-32x32.png"):
            raise problems.Problem("not-found", f"No documentation asset {asset[:60]!r}.")
        return FileResponse(str(assets / asset))


def create_v1_app() -> FastAPI:
    """The integration API, to be mounted at /integrations/v1."""
    app = FastAPI(
        title="TickIt Integration API",
        version="1",
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    problems.install(app)
    app.include_router(intake_router)
    app.include_router(router)
    _install_docs(app)
    return app
