"""The HTTP API: sign-in routes and (mounted into the Reflex app or served alone) the integration API."""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from starlette.exceptions import HTTPException as StarletteHTTPException


def create_app() -> FastAPI:
    """A FastAPI app with every non-Reflex route; `uvicorn --factory tickit.api:create_app` serves it."""
    # tasks: importing it hands the outbox rows each request commits to the queue.
    from tickit import routes, tasks  # noqa: F401
    from tickit.api import (
        accounts,
        attachments,
        auth,
        google,
        inbound_mail,
        problems,
        project_exports,
        sign_up,
        survey,
        ticket_csv,
        v1,
    )
    from tickit.api.security_headers import SecurityHeaders

    app = FastAPI(title="TickIt", docs_url=None, redoc_url=None, openapi_url=None)
    # Outermost of the Reflex backend too (Reflex mounts its pages and websocket beneath this app).
    app.add_middleware(SecurityHeaders)
    app.include_router(auth.router)
    app.include_router(accounts.router)
    app.include_router(sign_up.router)
    app.include_router(attachments.router)
    app.include_router(survey.router)
    app.include_router(inbound_mail.router)
    app.include_router(ticket_csv.router)
    app.include_router(project_exports.router)
    google.install(app)
    app.mount(routes.API_PREFIX, v1.create_v1_app())

    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # A path under the API prefix that the mount does not match (say, with a newline in it)
        # is still the API's to answer, in its own error format.
        if request.url.path.startswith(routes.API_PREFIX + "/"):
            return problems.for_http_error(request, exc)
        return await http_exception_handler(request, exc)

    app.add_exception_handler(StarletteHTTPException, http_error)
    return app
