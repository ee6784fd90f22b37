"""Integration API v1: other apps file and read tickets of their project, safe to retry.

Mounted at /integrations/v1. Handlers are thin: admit the client, read the body, call a service.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from typing import Annotated, Any, TypeVar

import anyio
import anyio.to_thread
from anyio.lowlevel import RunVar
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param

from tickit import routes
from tickit.api import problems
from tickit.api.schemas import (
    IDEMPOTENCY_KEY_DESCRIPTION,
    ProblemOut,
    TicketIn,
    TicketOut,
    TicketTypesOut,
)
from tickit.config import get_settings
from tickit.db import session_scope
from tickit.services import api_clients, intake, ticket_documents
from tickit.services.api_clients import ApiClientPublic

T = TypeVar("T")
BODY_LIMIT_BYTES = 1024 * 1024
JSON_DEPTH_LIMIT = 32
DOCS_ASSETS = ("swagger-ui-bundle.js", "swagger-ui.css")

DESCRIPTION = """
File tickets into TickIt from your own app, safely retried.

* Authenticate with your API client's token: `Authorization: Bearer tk_...`. An admin creates clients
  per project under **Admin → Projects → API clients**; the token is shown once.
* Every `POST /tickets` carries an `Idempotency-Key`. Retrying with the same key and body returns the
  first answer again (`200`, `Idempotent-Replayed: true`, the same bytes) and creates nothing new.
  Keys are remembered for at least 7 days (`TICKIT_IDEMPOTENCY_DAYS`).
* Errors are `application/problem+json` (RFC 9457); branch on `type`.
* Each client may make `TICKIT_API_RATE_LIMIT` requests a minute (600 by default); beyond that the
  answer is `429` with `Retry-After`.
"""

_bearer = HTTPBearer(auto_error=False, description="The API client's token, `tk_...`.")
_BEARER_SCHEME = "HTTPBearer"  # the name FastAPI gives `_bearer` in the OpenAPI components


def _problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    documented = {status: {"model": ProblemOut, "content": {problems.MEDIA_TYPE: {}}} for status in statuses}
    documented["default"] = {"model": ProblemOut, "content": {problems.MEDIA_TYPE: {}}, "description": "Error"}
    return documented


def admitted_client(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> ApiClientPublic:
    """The API client whose token came with the request, counted against its rate limit."""
    with session_scope() as session:
        return api_clients.admit(
            session,
            credentials.credentials if credentials else None,
            limit_per_minute=get_settings().api_rate_limit_per_minute,
        )


Client = Annotated[ApiClientPublic, Depends(admitted_client)]
router = APIRouter()


@router.post(
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
    # The headers are read by the handler itself, and documented here: FastAPI's dependency
    # resolution costs more Python than the rest of the handler, on every filing.
    openapi_extra={
        "security": [{_BEARER_SCHEME: []}],
        "parameters": [
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": True,
                "schema": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": intake.KEY_MAX_LENGTH,
                    "pattern": "^[\\x20-\\x7e]+$",
                },
                "description": IDEMPOTENCY_KEY_DESCRIPTION,
            }
        ],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TicketIn"}}},
        },
    },
)
async def create_ticket(request: Request) -> Response:
    # The client is admitted in the same thread-pool call and transaction as the intake (one
    # statement reads the client, its stored answer and what validation needs); an unreadable
    # body is refused only after that, so a bad token is a 401 whatever the body.
    try:
        body, unreadable = await _json_body(request), None
    except problems.Problem as problem:
        body, unreadable = None, problem
    token, idempotency_key = _bearer_token(request), request.headers.get("idempotency-key")
    result = await run_in_intake_thread(_create_or_replay, token, idempotency_key, body, unreadable)
    headers = {"Location": result.location}
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(
        result.body, status_code=200 if result.replayed else 201, media_type="application/json", headers=headers
    )


def _bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer ...` header, as `_bearer` reads it; None without one."""
    scheme, token = get_authorization_scheme_param(request.headers.get("authorization"))
    return token if scheme.lower() == "bearer" and token else None


def _create_or_replay(
    token: str | None, key: str | None, body: Any, unreadable: problems.Problem | None
) -> intake.IntakeResult:
    limit = get_settings().api_rate_limit_per_minute
    refusal: Exception | None = None
    with session_scope() as session:
        try:
            if unreadable is None:
                return intake.create_or_replay_for_token(
                    session=session, token=token, idempotency_key=key, body=body, limit_per_minute=limit
                )
            api_clients.admit(session, token, limit_per_minute=limit)
            refusal = unreadable
        except intake.REFUSALS as exc:
            refusal = exc  # caught inside the scope so that it commits: the request still counts
    raise refusal


# Threads of a worker process that file tickets at once. Each request holds the GIL for most of
# its time, so more threads only queue for it, and the last statements of a filing (the project's
# numbering row is locked until the commit) then wait behind them; a few keep the database busy.
INTAKE_THREADS = 8
_intake_limiter: RunVar[anyio.CapacityLimiter] = RunVar("tickit_intake_limiter")


async def run_in_intake_thread(func: Callable[..., T], *args: Any) -> T:
    """Run `func(*args)` in the thread pool, at most INTAKE_THREADS of them at once in this event loop."""
    try:
        limiter = _intake_limiter.get()
    except LookupError:
        limiter = anyio.CapacityLimiter(INTAKE_THREADS)
        _intake_limiter.set(limiter)
    return await anyio.to_thread.run_sync(func, *args, limiter=limiter)


@router.get(
    routes.API_TICKET,
    summary="Read a ticket of the client's project",
    tags=["Tickets"],
    response_model=TicketOut,
    responses=_problem_responses(401, 404, 429),
)
def get_ticket(number: str, client: Client) -> Response:
    with session_scope() as session:
        document = ticket_documents.read_ticket(session=session, client=client, number=number)
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


async def _json_body(request: Request) -> Any:
    """The request body parsed as JSON; 413 beyond the limit (checked while receiving), 400 if unreadable."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > BODY_LIMIT_BYTES:
        raise problems.Problem("payload-too-large", f"The body is {int(declared):,} bytes; the limit is 1 MiB.")
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > BODY_LIMIT_BYTES:
            raise problems.Problem("payload-too-large", "The body is over the 1 MiB limit.")
    if not received.strip():
        raise problems.Problem("malformed-request", "The body is empty; send the ticket as a JSON object.")
    try:
        body = json.loads(received.decode("utf-8"), parse_constant=_refuse_constant)
    except UnicodeDecodeError:
        raise problems.Problem("malformed-request", "The body is not valid UTF-8.") from None
    except json.JSONDecodeError as exc:
        raise problems.Problem(
            "malformed-request", f"The body is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None
    except (ValueError, RecursionError) as exc:
        raise problems.Problem("malformed-request", f"The body is not valid JSON: {exc}.") from None
    if _depth(body) > JSON_DEPTH_LIMIT:
        raise problems.Problem("malformed-request", f"The body nests deeper than {JSON_DEPTH_LIMIT} levels.")
    return body


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth <= JSON_DEPTH_LIMIT:
                stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


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
    app.include_router(router)
    _install_docs(app)
    # TicketIn is parsed by the service, not FastAPI; add it so the request body's $ref resolves.
    default_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schemas = default_openapi()["components"]["schemas"]  # also caches app.openapi_schema
            definition = TicketIn.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(definition.pop("$defs", {}))
            schemas["TicketIn"] = definition
        return app.openapi_schema

    app.openapi = openapi
    return app
