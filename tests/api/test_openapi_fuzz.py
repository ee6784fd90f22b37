"""Schemathesis over the published OpenAPI: no 5xx, and every answer matches the schema."""

from __future__ import annotations

import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlmodel import Session

from tests.factories import make_api_client, make_project
from tickit.api import create_app
from tickit.services import intake

API = "/integrations/v1"


@pytest.fixture
def api_token(engine) -> str:
    with Session(engine) as session:
        make_project(session, "HH")
        created = make_api_client(session)
        session.commit()
    return created.token


@pytest.fixture
def served_database(engine, monkeypatch, fresh_settings) -> None:
    """Point the app (built once, below) at this test's database; it reads the engine per request."""
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("TICKIT_API_RATE_LIMIT", "1000000")


schema = schemathesis.openapi.from_asgi(f"{API}/openapi.json", create_app())


def _valid_key(key: str) -> bool:
    try:
        intake.check_idempotency_key(key)
    except intake.IdempotencyKeyInvalid:
        return False
    return True


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_published_contract(case, served_database, api_token):
    # A fresh key for each case that was generated with a valid one, so each body is judged on its
    # own rather than as a reused key; a missing or malformed key is kept, and must get its 400.
    key = (case.headers or {}).get("Idempotency-Key")
    if key is not None and _valid_key(key):
        case.headers["Idempotency-Key"] = str(uuid.uuid4())
    headers = {"Authorization": f"Bearer {api_token}"}
    # Schema-valid is not always acceptable: which type keys and custom fields exist is data, not
    # schema, so a well-formed body can still (rightly) get 422. Every other check applies.
    case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])
