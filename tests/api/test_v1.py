"""The integration API over HTTP: the contract of PRODUCT.md and every kind of error it answers."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from tests.factories import add_member, make_api_client, make_project, make_user
from tickit.api import create_app
from tickit.models import MemberRole, SatisfactionRating, Ticket
from tickit.services import api_clients, assignment_admin, workflow
from tickit.services.access import get_project
from tickit.services.actors import SYSTEM

API = "/integrations/v1"
BUG = {
    "type": "bug",
    "title": "Checkout button does nothing",
    "description": "Clicking Pay has no effect.",
    "priority": "high",
    "reporter": {"email": "ada@example.com", "name": "Ada Lovelace"},
    "fields": {"severity": "major"},
    "metadata": {"order": "A-1009"},
}
PROBLEM = "application/problem+json"
RATE_LIMIT = 25


@pytest.fixture
def tokens(engine) -> dict[str, str]:
    """Tokens of two clients of HH and one of OP, committed so the app's own sessions see them."""
    with Session(engine, expire_on_commit=False) as session:
        make_project(session, "HH")
        make_project(session, "OP", template="it-helpdesk")
        found = {
            "shop": make_api_client(session, "HH", "Shop").token,
            "crm": make_api_client(session, "HH", "CRM").token,
            "other": make_api_client(session, "OP", "Desk").token,
        }
        session.commit()
    return found


@pytest.fixture
def http(engine, monkeypatch, fresh_settings) -> Iterator[TestClient]:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("TICKIT_API_RATE_LIMIT", str(RATE_LIMIT))
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        yield client


def post(http, token, body=BUG, key="key-1", **headers):
    if key is not None:
        headers["Idempotency-Key"] = key
    return http.post(
        f"{API}/tickets", content=json.dumps(body), headers={"Authorization": f"Bearer {token}", **headers}
    )


def assert_problem(response, status: int, slug: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["type"] == f"{API}/problems/{slug}"
    assert problem["status"] == status and problem["title"] and problem["detail"]
    return problem


def ticket_count(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Ticket)).one()


def test_a_new_ticket_is_created_with_location_and_the_contracts_fields(http, tokens):
    response = post(http, tokens["shop"])
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"{API}/tickets/HH-1"
    assert "idempotent-replayed" not in response.headers
    ticket = response.json()
    assert set(ticket) == {
        "id", "number", "project", "type", "status", "title", "description",
        "priority", "fields", "reporter", "assignee", "created_at", "url", "sla", "tags",
    }  # fmt: skip
    assert ticket["reporter"] == {"email": "ada@example.com", "name": "Ada Lovelace"}
    assert (ticket["number"], ticket["status"], ticket["priority"]) == ("HH-1", "new", "high")


def test_a_retry_replays_the_byte_identical_ticket(http, tokens, engine):
    first = post(http, tokens["shop"])
    # The same data, keys in another order and spaced differently.
    retry = http.post(
        f"{API}/tickets",
        content=json.dumps(dict(reversed(list(BUG.items()))), indent=2),
        headers={"Authorization": f"Bearer {tokens['shop']}", "Idempotency-Key": "key-1"},
    )
    assert retry.status_code == 200
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.headers["location"] == first.headers["location"]
    assert retry.content == first.content
    assert ticket_count(engine) == 1


def test_the_same_key_with_another_body_is_422(http, tokens, engine):
    post(http, tokens["shop"])
    problem = assert_problem(post(http, tokens["shop"], {**BUG, "title": "Other"}), 422, "idempotency-key-reused")
    assert "HH-1" in problem["detail"]
    assert ticket_count(engine) == 1


def test_two_clients_with_the_same_key_get_two_tickets(http, tokens):
    assert post(http, tokens["shop"]).json()["number"] == "HH-1"
    assert post(http, tokens["crm"]).json()["number"] == "HH-2"


@pytest.mark.parametrize("key", [None, "", "k" * 256, "ключ".encode(), b"key\x7f"])
def test_a_missing_or_malformed_key_is_400(http, tokens, engine, key):
    assert_problem(post(http, tokens["shop"], key=key), 400, "invalid-idempotency-key")
    assert ticket_count(engine) == 0


@pytest.mark.parametrize(
    "content",
    [b"", b"   ", b'{"type": "bug",', b"\xff\xfe{}", b'{"title": NaN}', b"[" * 40 + b"]" * 40, b"[" * 100_000],
    ids=["empty", "blank", "truncated", "not-utf8", "nan", "deep", "very-deep"],
)
def test_a_body_that_is_not_json_is_400_never_500(http, tokens, content):
    response = http.post(
        f"{API}/tickets", content=content, headers={"Authorization": f"Bearer {tokens['shop']}", "Idempotency-Key": "k"}
    )
    assert_problem(response, 400, "malformed-request")


def test_validation_errors_name_each_field(http, tokens, engine):
    body = {"type": "bug", "title": " ", "fields": {"severity": "apocalyptic"}, "reporter": {"email": "nope"}}
    problem = assert_problem(post(http, tokens["shop"], body), 422, "validation-failed")
    assert {e["field"] for e in problem["errors"]} == {"title", "fields.severity", "reporter.email"}
    assert all(e["message"] for e in problem["errors"])
    assert ticket_count(engine) == 0


def test_tags_sent_on_intake_are_normalised_and_read_back(http, tokens):
    created = post(http, tokens["shop"], {**BUG, "tags": ["Checkout", "mobile app", "checkout"]})
    assert created.status_code == 201, created.text
    assert created.json()["tags"] == ["checkout", "mobile-app"]
    read = http.get(f"{API}/tickets/HH-1", headers={"Authorization": f"Bearer {tokens['shop']}"})
    assert read.json()["tags"] == ["checkout", "mobile-app"]
    assert post(http, tokens["shop"], BUG, key="key-2").json()["tags"] == []


def test_a_name_that_cannot_be_a_tag_is_422_naming_tags(http, tokens, engine):
    problem = assert_problem(post(http, tokens["shop"], {**BUG, "tags": ["no/slash"]}), 422, "validation-failed")
    assert {e["field"] for e in problem["errors"]} == {"tags"}
    assert ticket_count(engine) == 0


def test_an_unknown_type_and_a_missing_required_field_are_422(http, tokens):
    unknown = assert_problem(post(http, tokens["shop"], {"type": "incident", "title": "x"}), 422, "validation-failed")
    assert [e["field"] for e in unknown["errors"]] == ["type"]
    missing = assert_problem(
        post(http, tokens["shop"], {"type": "bug", "title": "x"}, key="k2"), 422, "validation-failed"
    )
    assert [e["field"] for e in missing["errors"]] == ["fields.severity"]


@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer tk_unknown", "Basic dXNlcjpwYXNz", "tk_raw"])
def test_no_or_an_unknown_token_is_401_with_a_bearer_challenge(http, tokens, authorization):
    headers = {"Idempotency-Key": "k"}
    if authorization is not None:
        headers["Authorization"] = authorization
    response = http.post(f"{API}/tickets", content=json.dumps(BUG), headers=headers)
    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_revoked_client_gets_401_even_for_a_replay(http, tokens, engine):
    assert post(http, tokens["shop"]).status_code == 201
    with Session(engine) as session:
        admin = make_user(session, "admin")
        shop = next(
            c for c in api_clients.list_api_clients(session=session, actor=admin, project_key="HH") if c.name == "Shop"
        )
        api_clients.revoke_api_client(session=session, actor=admin, project_key="HH", client_id=shop.id)
        session.commit()
    response = post(http, tokens["shop"])
    assert_problem(response, 401, "unauthorized")
    assert "Checkout" not in response.text
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_a_body_over_one_mebibyte_is_413(http, tokens, engine):
    big = {**BUG, "description": "x" * (1024 * 1024)}
    assert_problem(post(http, tokens["shop"], big), 413, "payload-too-large")

    def chunks():  # no Content-Length: the limit is enforced while receiving
        yield b'{"description": "'
        for _ in range(1100):
            yield b"x" * 1024
        yield b'"}'

    streamed = http.post(
        f"{API}/tickets",
        content=chunks(),
        headers={"Authorization": f"Bearer {tokens['shop']}", "Idempotency-Key": "k"},
    )
    assert_problem(streamed, 413, "payload-too-large")
    assert ticket_count(engine) == 0


def test_a_client_over_its_rate_gets_429_with_retry_after(http, tokens):
    def types(token):
        return http.get(f"{API}/ticket-types", headers={"Authorization": f"Bearer {token}"})

    # Windows are fixed minutes: if one ends mid-test the count restarts, so allow up to two windows.
    answers = []
    while len(answers) <= 2 * RATE_LIMIT and (not answers or answers[-1].status_code == 200):
        answers.append(types(tokens["crm"]))
    assert RATE_LIMIT + 1 <= len(answers) <= 2 * RATE_LIMIT + 1
    assert_problem(answers[-1], 429, "rate-limited")
    assert 1 <= int(answers[-1].headers["retry-after"]) <= 60
    # The limit is per client: another client of the project is unaffected.
    assert types(tokens["shop"]).status_code == 200


def test_a_ticket_is_read_by_number_in_the_clients_own_project_only(http, tokens):
    created = post(http, tokens["shop"])
    read = http.get(f"{API}/tickets/HH-1", headers={"Authorization": f"Bearer {tokens['shop']}"})
    assert read.status_code == 200 and created.json().items() <= read.json().items()
    for number in ("HH-1", "OP-1", "HH-999", "not-a-number"):
        other = http.get(f"{API}/tickets/{number}", headers={"Authorization": f"Bearer {tokens['other']}"})
        assert_problem(other, 404, "not-found")


def test_a_read_ticket_tells_its_public_label_resolution_closure_and_rating(http, tokens, engine):
    post(http, tokens["shop"])
    auth = {"Authorization": f"Bearer {tokens['shop']}"}
    fresh = http.get(f"{API}/tickets/HH-1", headers=auth).json()
    assert (fresh["status_label"], fresh["resolved_at"], fresh["closed_at"], fresh["satisfaction"]) == (
        "Open",
        None,
        None,
        None,
    )
    with Session(engine) as session:
        workflow.move(session=session, actor=SYSTEM, number="HH-1", to_status="triaged")
        workflow.move(session=session, actor=SYSTEM, number="HH-1", to_status="in_progress")
        workflow.move(session=session, actor=SYSTEM, number="HH-1", to_status="fixed")
        ticket = session.exec(select(Ticket)).one()
        session.add(
            SatisfactionRating(
                ticket_id=ticket.id,
                resolved_at=ticket.resolved_at,
                token_hash="0" * 64,
                expires_at=ticket.resolved_at,
                rating="good",
                comment="Quick fix",
                rated_at=ticket.resolved_at,
            )
        )
        session.commit()
    done = http.get(f"{API}/tickets/HH-1", headers=auth).json()
    assert (done["status"], done["status_label"]) == ("fixed", "Closed")
    assert done["resolved_at"].endswith("Z") and done["closed_at"] == done["resolved_at"]
    assert done["satisfaction"] == {"rating": "good", "comment": "Quick fix", "rated_at": done["resolved_at"]}


def test_the_ticket_names_its_assignee_from_the_first_answer_on(http, tokens, engine):
    unassigned = post(http, tokens["shop"], key="before")
    assert unassigned.json()["assignee"] is None
    with Session(engine, expire_on_commit=False) as session:
        ada = make_user(session, "agent", email="ada.agent@example.com", name="Ada Agent")
        add_member(session, get_project(session, "HH").id, ada, MemberRole.AGENT)
        assignment_admin.set_rule(session=session, actor=SYSTEM, project_key="HH", changes={"strategy": "least-load"})
        session.commit()

    created = post(http, tokens["shop"], key="after")

    assert created.json()["assignee"] == {"email": "ada.agent@example.com", "name": "Ada Agent"}
    read = http.get(f"{API}/tickets/HH-2", headers={"Authorization": f"Bearer {tokens['shop']}"})
    assert read.json()["assignee"] == created.json()["assignee"]
    replay = post(http, tokens["shop"], key="after")
    assert replay.content == created.content


def test_ticket_types_list_statuses_and_fields_for_building_a_form(http, tokens):
    response = http.get(f"{API}/ticket-types", headers={"Authorization": f"Bearer {tokens['shop']}"})
    assert response.status_code == 200
    document = response.json()
    assert document["project"] == "HH"
    bug = next(t for t in document["types"] if t["key"] == "bug")
    assert [s for s in bug["statuses"] if s["initial"]][0]["key"] == "new"
    severity = next(f for f in bug["fields"] if f["key"] == "severity")
    assert severity["type"] == "select" and severity["required"] is True
    assert {"key", "label"} == set(severity["options"][0])


def test_unknown_paths_and_methods_are_problems_too(http, tokens):
    assert_problem(http.get(f"{API}/nothing-here"), 404, "not-found")
    assert_problem(http.delete(f"{API}/tickets/HH-1"), 405, "method-not-allowed")


def test_each_problem_type_explains_itself(http):
    page = http.get(f"{API}/problems/idempotency-key-reused")
    assert page.status_code == 200 and "different body" in page.text


def test_openapi_and_docs_are_served_without_a_cdn(http):
    schema = http.get(f"{API}/openapi.json").json()
    assert {f"{API}/tickets", f"{API}/tickets/{{number}}", f"{API}/ticket-types"} <= {
        server["url"] + path for server in schema.get("servers", [{"url": API}]) for path in schema["paths"]
    }
    assert "TicketIn" in schema["components"]["schemas"]
    docs = http.get(f"{API}/docs")
    assert docs.status_code == 200 and f"{API}/openapi.json" in docs.text
    assert "cdn." not in docs.text
    assert http.get(f"{API}/docs/swagger-ui-bundle.js").status_code == 200


def test_a_path_the_api_cannot_route_is_still_answered_as_a_problem(http, tokens):
    response = http.get(f"{API}/tickets/HH%0A1", headers={"Authorization": f"Bearer {tokens['shop']}"})
    assert_problem(response, 404, "not-found")


@pytest.fixture
def refunds_token(engine, tokens) -> str:
    """A client of CS, whose refund requests have a number field, `amount`."""
    with Session(engine, expire_on_commit=False) as session:
        make_project(session, "CS", template="customer-support")
        token = make_api_client(session, "CS", "Till").token
        session.commit()
    return token


REFUND = {"type": "refund_request", "title": "Refund order 1009", "fields": {"order_number": "1009", "reason": "late"}}


@pytest.mark.parametrize(
    "amount",
    [b"9" * 5000, b'"' + b"9" * 5000 + b'"', b"-" + b"9" * 5000, b"1e400", b"12.5e999", b"true", b'"lots"', b"[1]"],
    ids=["5000-digits", "5000-digits-as-text", "negative-5000-digits", "overflowing", "overflowing-fraction",
         "boolean", "word", "list"],
)  # fmt: skip
def test_a_malformed_number_field_is_422_naming_the_field(http, refunds_token, engine, amount):
    content = json.dumps({**REFUND, "fields": {**REFUND["fields"], "amount": "AMOUNT"}}).encode()
    response = http.post(
        f"{API}/tickets",
        content=content.replace(b'"AMOUNT"', amount),
        headers={"Authorization": f"Bearer {refunds_token}", "Idempotency-Key": "k"},
    )
    problem = assert_problem(response, 422, "validation-failed")
    assert [e["field"] for e in problem["errors"]] == ["fields.amount"]
    assert ticket_count(engine) == 0


def test_a_number_field_within_range_is_filed(http, refunds_token):
    body = {**REFUND, "fields": {**REFUND["fields"], "amount": 12.5}}
    response = post(http, refunds_token, body)
    assert response.status_code == 201, response.text
    assert response.json()["fields"]["amount"] == 12.5


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**BUG, "title": 42}, "title"),
        ({**BUG, "title": None}, "title"),
        ({**BUG, "description": ["x"]}, "description"),
        ({**BUG, "type": {"key": "bug"}}, "type"),
        ({**BUG, "priority": "whenever"}, "priority"),
        ({**BUG, "fields": ["severity"]}, "fields"),
        ({**BUG, "metadata": "text"}, "metadata"),
        ({**BUG, "reporter": "ada@example.com"}, "reporter"),
        ({**BUG, "reporter": {"email": 1}}, "reporter.email"),
        ({**BUG, "reporter": {"email": "ada@example.com", "phone": "1"}}, "reporter.phone"),
        ({**BUG, "description": "lone \ud800 surrogate"}, "description"),
        ({**BUG, "fields": {"severity": [[[[[[[[[[[[[[[[[[[[["major"]]]]]]]]]]]]]]]]]]]]]}}, "fields.severity"),
        ({**BUG, "extra": True}, "extra"),
        ({key: value for key, value in BUG.items() if key != "title"}, "title"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_a_value_of_the_wrong_shape_is_422_naming_its_field_never_500(http, tokens, engine, body, field):
    problem = assert_problem(post(http, tokens["shop"], body), 422, "validation-failed")
    assert [e["field"] for e in problem["errors"]] == [field]
    assert all(e["message"] for e in problem["errors"])
    assert ticket_count(engine) == 0


@pytest.mark.parametrize("content", [b'["bug"]', b'"bug"', b"42", b"null"])
def test_a_body_that_is_not_an_object_is_422_at_the_body(http, tokens, content):
    response = http.post(
        f"{API}/tickets", content=content, headers={"Authorization": f"Bearer {tokens['shop']}", "Idempotency-Key": "k"}
    )
    problem = assert_problem(response, 422, "validation-failed")
    assert [e["field"] for e in problem["errors"]] == ["body"]


def test_each_wrong_property_is_named_once(http, tokens):
    body = {"type": "bug", "title": 42, "priority": "whenever", "extra": True}
    problem = assert_problem(post(http, tokens["shop"], body), 422, "validation-failed")
    assert sorted(e["field"] for e in problem["errors"]) == ["extra", "priority", "title"]


@pytest.mark.parametrize("content", [b"{not json", b"[" * 40 + b"]" * 40, b"x" * (1024 * 1024 + 1)])
def test_a_bad_token_is_401_whatever_the_body(http, tokens, content):
    response = http.post(
        f"{API}/tickets", content=content, headers={"Authorization": "Bearer tk_unknown", "Idempotency-Key": "k"}
    )
    assert_problem(response, 401, "unauthorized")


def test_a_refused_request_still_counts_in_the_clients_usage(http, tokens, engine):
    assert_problem(post(http, tokens["shop"], {**BUG, "title": 42}), 422, "validation-failed")
    assert_problem(post(http, tokens["shop"], key=""), 400, "invalid-idempotency-key")
    assert_problem(post(http, tokens["shop"], {**BUG, "type": "incident"}), 422, "validation-failed")
    with Session(engine) as session:
        admin = make_user(session, "admin")
        listed = api_clients.list_api_clients(session=session, actor=admin, project_key="HH")
    assert next(c.request_count for c in listed if c.name == "Shop") == 3


def test_a_bad_key_is_400_even_when_the_body_is_wrong_too(http, tokens):
    assert_problem(post(http, tokens["shop"], {**BUG, "title": 42}, key=""), 400, "invalid-idempotency-key")


def test_the_published_schema_is_the_one_requests_are_validated_with(http):
    schema = http.get(f"{API}/openapi.json").json()
    operation = schema["paths"]["/tickets"]["post"]
    body = operation["requestBody"]
    assert body["required"] is True
    assert body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/TicketIn"}
    (key,) = [p for p in operation["parameters"] if p["in"] == "header"]
    assert (key["name"], key["required"]) == ("Idempotency-Key", True)
    assert (key["schema"]["minLength"], key["schema"]["maxLength"]) == (1, 255)
    assert operation["security"] == [{"HTTPBearer": []}]
    ticket_in = schema["components"]["schemas"]["TicketIn"]
    assert ticket_in["required"] == ["type", "title"] and ticket_in["additionalProperties"] is False
