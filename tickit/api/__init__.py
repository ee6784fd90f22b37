"""The HTTP API: sign-in routes and (mounted into the Reflex app or served alone) the integration API."""

from __future__ import annotations

from fastapi import FastAPI


def create_app() -> FastAPI:
    """A FastAPI app with every non-Reflex route; `uvicorn --factory tickit.api:create_app` serves it."""
    from tickit import routes
    from tickit.api import auth, google, v1

    app = FastAPI(title="TickIt", docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(auth.router)
    google.install(app)
    app.mount(routes.API_PREFIX, v1.create_v1_app())
    return app
