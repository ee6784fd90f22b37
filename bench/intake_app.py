"""The app `bench/intake.py` serves: TickIt's API app plus one bare insert endpoint to compare against.

`POST /bench/bare` goes through the same server stack as `POST /integrations/v1/tickets`: the same
uvicorn workers, the same outer FastAPI app, an async handler that reads the body and parses it as
JSON, then a thread-pool call that opens `tickit.db.session_scope()` on the same engine and pool,
runs one `INSERT INTO bench_bare (payload) VALUES (...) RETURNING id`, and commits. It does no
authentication, validation, idempotency or numbering: it is the floor the intake path is measured
against. `bench/intake.py` creates the `bench_bare` table in its scratch database.

Serve with: `uvicorn --factory bench.intake_app:create_app` (run from the repository root).
"""

from __future__ import annotations

import json
import os
import warnings
from importlib import import_module
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy import text

from bench.instrument import CONTROL_PATH

# Authlib (imported by the API's Google sign-in) warns about its httpx integration on import, with an
# "always" filter of its own; the warning says nothing about this benchmark.
warnings.filterwarnings("ignore", category=import_module("authlib.deprecate").AuthlibDeprecationWarning)

from tickit.api import create_app as create_tickit_app  # noqa: E402
from tickit.db import session_scope  # noqa: E402

__all__ = ["BARE_PATH", "CONTROL_PATH", "CREATE_BARE_TABLE", "create_app"]

BARE_PATH = "/bench/bare"
CREATE_BARE_TABLE = "CREATE TABLE IF NOT EXISTS bench_bare (id BIGSERIAL PRIMARY KEY, payload JSONB NOT NULL)"
_INSERT = text("INSERT INTO bench_bare (payload) VALUES (CAST(:payload AS JSONB)) RETURNING id")


def _insert(payload: str) -> int:
    with session_scope() as session:
        return session.connection().execute(_INSERT, {"payload": payload}).scalar_one()


async def bare_insert(request: Request) -> Response:
    """Store the body as it came and answer 201 with the new row's id."""
    received = await request.body()
    payload = json.dumps(json.loads(received))
    row_id = await run_in_threadpool(_insert, payload)
    return Response(json.dumps({"id": row_id}), status_code=201, media_type="application/json")


def create_app() -> Any:
    """`tickit.api.create_app()` with `POST /bench/bare` added (and, when profiling, instrumented)."""
    app: FastAPI = create_tickit_app()
    app.add_api_route(BARE_PATH, bare_insert, methods=["POST"], include_in_schema=False)
    if os.environ.get("BENCH_TRACE") or os.environ.get("BENCH_CPROFILE_DIR"):
        from bench import instrument

        return instrument.install(app)
    return app
