"""Idempotent ticket intake for API clients (intake.create_or_replay)."""

import json
import threading
import time
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, update
from sqlmodel import Session, select

from tests.factories import add_member, make_api_client, make_project, make_user
from tests.processes import wait_until
from tickit.db import session_scope
from tickit.models import (
    ActivityEntry,
    ApiClient,
    OutboxMessage,
    Project,
    ProjectMember,
    Ticket,
    TicketStatus,
    User,
    utcnow,
)
from tickit.services import api_clients, intake, outbox
from tickit.services.actors import SYSTEM
from tickit.services.api_clients import ApiClientPublic
from tickit.services.errors import RateLimited, Unauthenticated, ValidationFailed
from tickit.services.intake import IdempotencyKeyInvalid, IdempotencyKeyReused
from tickit.services.intake_request import TicketIn

BUG = {"type": "bug", "title": "Checkout button does nothing", "fields": {"severity": "major"}}


@pytest.fixture
def project(session):
    return make_project(session, "HH")


@pytest.fixture
def client(session, project) -> ApiClientPublic:
    return make_api_client(session).client


def file(session, client, body=BUG, key="key-1"):
    request = TicketIn.model_validate(body)
    result = intake.create_or_replay(session=session, client=client, idempotency_key=key, request=request)
    session.flush()
    return result


def count(session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def test_first_request_files_the_ticket_with_its_activity_outbox_and_key(session, client):
    result = file(session, client)
    document = json.loads(result.body)
    assert not result.replayed
    assert result.location == "/integrations/v1/tickets/HH-1"
    assert {k: document[k] for k in ("number", "project", "type", "status", "title", "priority", "fields")} == {
        "number": "HH-1",
        "project": "HH",
        "type": "bug",
        "status": "new",
        "title": "Checkout button does nothing",
        "priority": "normal",
        "fields": {"severity": "major"},
    }
    assert document["url"].endswith("/tickets/HH-1") and document["created_at"].endswith("Z")
    ticket = session.exec(select(Ticket)).one()
    assert (ticket.source, ticket.api_client_id, ticket.idempotency_key) == ("api", client.id, "key-1")
    assert session.get(TicketStatus, ticket.status_id).is_initial
    assert ticket.idempotency_expires_at > utcnow() + timedelta(days=6)
    entry = session.exec(select(ActivityEntry)).one()
    assert (entry.action, entry.actor_api_client_id, entry.after["api_client"]) == ("created", client.id, "Shop")
    event = session.exec(select(OutboxMessage)).one()
    assert (event.event, event.ticket_id, event.payload) == ("ticket_created", ticket.id, {"title": ticket.title})
    assert (ticket.number, ticket.board_rank) == (1, 1.0)
    # What a retry will get: this very answer, naming the ticket by its real id and number.
    assert ticket.idempotency_response == result.body and document["id"] == ticket.id


def test_filing_changes_only_the_numbering_of_the_project_and_the_usage_of_the_client(session, project):
    created = make_api_client(session, name="CRM")
    columns = lambda model, row_id: session.get(model, row_id).model_dump()  # noqa: E731
    project_before, client_before = columns(Project, project.id), columns(ApiClient, created.client.id)
    token_file(session, created.token, body={**BUG, "description": "Another description", "title": "Another name"})
    session.expire_all()
    project_after, client_after = columns(Project, project.id), columns(ApiClient, created.client.id)
    assert project_after == {**project_before, "last_ticket_number": 1}
    assert client_after["request_count"] == 1 and client_after["last_used_at"] is not None
    assert client_after == {**client_before, "request_count": 1, "last_used_at": client_after["last_used_at"]}


def test_text_that_looks_like_the_answers_id_or_number_is_stored_as_sent(session, client):
    body = {**BUG, "title": 'Shows "0" and HH-0 and {"id":0}', "description": '"id":"" HH- -1'}
    first = file(session, client, body=body)
    second = file(session, client, body=body, key="key-2")
    for result, number in ((first, 1), (second, 2)):
        document = json.loads(result.body)
        assert (document["title"], document["description"]) == (body["title"], body["description"])
        assert document["number"] == f"HH-{number}" and document["url"].endswith(f"/tickets/HH-{number}")


def test_a_retry_with_the_same_key_and_body_replays_the_same_bytes_and_writes_nothing(session, client):
    first = file(session, client)
    reordered = reversed_keys(BUG)
    again = file(session, client, body=reordered)
    assert again.replayed and again.body == first.body and again.location == first.location
    assert (count(session, Ticket), count(session, ActivityEntry), count(session, OutboxMessage)) == (1, 1, 1)


def test_a_replay_shows_the_first_answer_even_after_the_ticket_changed(session, client):
    first = file(session, client)
    session.exec(update(Ticket).values(title="Renamed by an agent"))
    assert file(session, client).body == first.body


def test_the_same_key_with_another_body_is_refused_and_writes_nothing(session, client):
    file(session, client)
    with pytest.raises(IdempotencyKeyReused) as caught:
        file(session, client, body={**BUG, "title": "Something else"})
    assert "HH-1" in str(caught.value)
    assert count(session, Ticket) == 1


def test_two_clients_using_the_same_key_get_two_tickets(session, client):
    other = make_api_client(session, name="CRM").client
    first, second = file(session, client), file(session, other)
    assert json.loads(first.body)["number"] == "HH-1" and json.loads(second.body)["number"] == "HH-2"


@pytest.mark.parametrize("key", [None, "", "x" * 256, "clé", "tab\tkey", "line\nbreak"])
def test_a_missing_or_malformed_key_is_refused_before_anything_is_written(session, client, key):
    with pytest.raises(IdempotencyKeyInvalid):
        file(session, client, key=key)
    assert count(session, Ticket) == 0


def test_a_key_of_255_printable_characters_is_accepted(session, client):
    assert not file(session, client, key="~" + "a" * 253 + " ").replayed


def test_every_error_is_reported_at_its_field_and_nothing_is_stored(session, client):
    # Wrong JSON types and unknown properties never get here: the API's schema refuses them
    # (tests/api/test_v1.py); every other error of a body is reported at once.
    body = {
        "type": "bug",
        "title": " ",
        "reporter": {"email": "not an email", "name": "nul\x00"},
        "fields": {"severity": "apocalyptic", "nonsense": 1},
        "metadata": {"size": 1e400},
    }
    with pytest.raises(ValidationFailed) as caught:
        file(session, client, body=body)
    assert set(caught.value.errors) == {
        "title",
        "reporter.email",
        "reporter.name",
        "fields.severity",
        "fields.nonsense",
        "metadata",
    }
    assert (count(session, Ticket), count(session, User), count(session, OutboxMessage)) == (0, 0, 0)
    # Nothing was stored, so the same key is judged afresh once the body is fixed.
    assert not file(session, client).replayed


def test_an_unknown_type_is_refused_naming_the_projects_types(session, client):
    with pytest.raises(ValidationFailed) as caught:
        file(session, client, body={"type": "incident", "title": "x"})
    assert "bug, feature_request, question" in caught.value.errors["type"]


def test_a_missing_required_field_is_named_by_its_key(session, client):
    with pytest.raises(ValidationFailed) as caught:
        file(session, client, body={"type": "bug", "title": "x"})
    assert list(caught.value.errors) == ["fields.severity"]


def test_a_type_of_another_project_is_unknown_here(session, client):
    make_project(session, "IT", template="it-helpdesk")
    with pytest.raises(ValidationFailed) as caught:
        file(session, client, body={"type": "incident", "title": "x"})
    assert "type" in caught.value.errors


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**BUG, "title": "nul\x00byte"}, "title"),
        ({**BUG, "description": "nul\x00byte"}, "description"),
        ({**BUG, "metadata": {"k": "nul\x00"}}, "metadata"),
        ({**BUG, "metadata": {"k": ["lone \ud800 surrogate"]}}, "metadata"),
        ({**BUG, "reporter": {"email": "a@example.com", "name": "nul\x00"}}, "reporter.name"),
        ({**BUG, "type": "nul\x00"}, "type"),
        ({**BUG, "fields": {"severity": "major", "app_version": "\udfff"}}, "fields.app_version"),
    ],
)
def test_values_the_database_cannot_hold_are_refused_at_their_field(session, client, body, field):
    with pytest.raises(ValidationFailed) as caught:
        file(session, client, body=body)
    assert field in caught.value.errors


def test_a_new_reporter_becomes_a_client_of_the_project(session, client, project):
    file(session, client, body={**BUG, "reporter": {"email": "Ada@Example.com", "name": "Ada Lovelace"}})
    ada = session.exec(select(User).where(User.email == "ada@example.com")).one()
    assert (ada.role, ada.name, ada.password_hash) == ("client", "Ada Lovelace", None)
    assert session.get(ProjectMember, (project.id, ada.id)).role == "client"
    ticket = session.exec(select(Ticket)).one()
    assert ticket.reporter_id == ada.id


def test_a_client_of_the_project_is_matched_by_email(session, client, project):
    grace = make_user(session, "client", email="grace@example.com")
    add_member(session, project.id, grace, "client")
    result = file(session, client, body={**BUG, "reporter": {"email": "grace@example.com", "name": "Someone"}})
    assert json.loads(result.body)["reporter"] == {"email": "grace@example.com", "name": grace.name}
    assert session.get(ProjectMember, (project.id, grace.id)).role == "client"
    assert count(session, User) == 1


def test_expired_keys_are_forgotten_but_their_tickets_stay(session, client):
    file(session, client)
    session.exec(update(Ticket).values(idempotency_expires_at=utcnow() - timedelta(seconds=1)))
    assert intake.purge_expired_keys(session=session) == 1
    ticket = session.exec(select(Ticket)).one()
    assert (ticket.idempotency_key, ticket.idempotency_response) == (None, None)
    assert json.loads(file(session, client).body)["number"] == "HH-2"


def test_the_loser_of_a_race_on_one_key_returns_the_winners_ticket(engine, session, client):
    """Two transactions with the same key: the second replays the first's answer.

    On SQLite the second waits for the first's commit to begin; on PostgreSQL it waits for the
    project's numbering row, and its insert then meets the committed key in its savepoint.
    """
    session.commit()
    winner_session = Session(engine, expire_on_commit=False)
    winner = intake.create_or_replay(
        session=winner_session, client=client, idempotency_key="k", request=TicketIn.model_validate(BUG)
    )
    outcome = {}

    def retry():
        with Session(engine, expire_on_commit=False) as loser_session:
            outcome["result"] = intake.create_or_replay(
                session=loser_session, client=client, idempotency_key="k", request=TicketIn.model_validate(BUG)
            )
            loser_session.commit()

    loser = threading.Thread(target=retry)
    loser.start()
    time.sleep(0.5)  # long enough for the retry to reach the database and wait on the winner
    winner_session.commit()
    winner_session.close()
    loser.join(20)
    assert outcome["result"].replayed and outcome["result"].body == winner.body
    session.expire_all()
    assert count(session, Ticket) == 1 and count(session, OutboxMessage) == 1
    # The loser's number was rolled back with its savepoint: no gap in the sequence.
    assert json.loads(file(session, client, key="next").body)["number"] == "HH-2"


def test_on_postgresql_retries_that_both_find_no_answer_give_one_ticket_through_the_savepoint(
    engine, session, project, monkeypatch
):
    """Two retries of one key both read no stored answer, then queue on the project's numbering row
    (held here until both wait for it): the first files, the second's insert meets the key, rolls
    back to its savepoint and answers with the first's ticket. Several rounds on pooled connections,
    so connections that lost a race file and lose again."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite's writers queue before reading; the race test above covers it")
    created = make_api_client(session)
    session.commit()
    losers = []
    stored_answer = intake._stored_answer
    monkeypatch.setattr(intake, "_stored_answer", lambda *args: losers.append(args) or stored_answer(*args))

    def retry(key, outcomes):
        try:
            # As the API does: the client is admitted in a transaction of its own.
            with session_scope(engine) as own:
                client = api_clients.admit(own, created.token, limit_per_minute=100)
            with session_scope(engine) as own:
                outcomes.append(file(own, client, key=key))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcomes.append(exc)

    def waiting_on_locks(connection) -> int:
        waiting = connection.exec_driver_sql(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ).scalar_one()
        connection.rollback()  # activity is read once a transaction: see it afresh on the next poll
        return waiting

    rounds = 6
    for round_ in range(rounds):
        outcomes: list = []
        retries = [threading.Thread(target=retry, args=(f"race-{round_}", outcomes)) for _ in range(2)]
        with engine.connect() as holder, engine.connect() as watcher:
            holder.exec_driver_sql("SELECT 1 FROM projects WHERE key = 'HH' FOR UPDATE")
            for thread in retries:
                thread.start()
            wait_until(lambda: waiting_on_locks(watcher) == 2, what="both retries to wait for the numbering row")
            holder.rollback()
        for thread in retries:
            thread.join(20)
        first, second = outcomes
        assert sorted([first.replayed, second.replayed]) == [False, True] and first.body == second.body
    assert len(losers) == rounds
    session.expire_all()
    numbers = session.exec(select(Ticket.number).order_by(Ticket.number)).all()
    assert numbers == list(range(1, rounds + 1))
    assert count(session, ActivityEntry) == rounds and count(session, OutboxMessage) == rounds
    assert requests_counted(session, created.client.id) == 2 * rounds


def test_the_outbox_row_goes_to_the_queue_only_once_the_caller_commits(engine, session, client, monkeypatch):
    queued = []
    monkeypatch.setattr(outbox, "_hand_off", lambda ids: queued.append(list(ids)))
    session.commit()
    with Session(engine, expire_on_commit=False) as filing:
        file(filing, client)
        assert queued == []
        filing.commit()
    outbox_ids = session.exec(select(OutboxMessage.id)).all()
    assert queued == [outbox_ids]


BODY_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=12,
)


def reversed_keys(value):
    """The same data with every object's keys in the opposite order, at every depth."""
    if isinstance(value, dict):
        return {key: reversed_keys(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [reversed_keys(item) for item in value]
    return value


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.dictionaries(st.text(max_size=6), BODY_VALUES, max_size=6), indent=st.none() | st.integers(0, 4))
def test_reordering_keys_or_whitespace_never_changes_the_fingerprint(body, indent):
    reordered_text = json.dumps(reversed_keys(body), indent=indent, separators=None)
    spaced = json.loads(" \n" + reordered_text + "\t ")
    assert intake.fingerprint("POST", "/p", spaced) == intake.fingerprint("POST", "/p", body)


def test_the_fingerprint_tells_different_bodies_methods_and_paths_apart():
    base = intake.fingerprint("POST", "/integrations/v1/tickets", BUG)
    assert intake.fingerprint("POST", "/integrations/v1/tickets", {**BUG, "title": "other"}) != base
    assert intake.fingerprint("PUT", "/integrations/v1/tickets", BUG) != base
    assert intake.fingerprint("POST", "/integrations/v2/tickets", BUG) != base


def test_a_client_of_another_project_is_refused_as_reporter_and_not_made_a_client_here(session, client, project):
    make_project(session, "IT", template="it-helpdesk")
    ada = make_user(session, "client", email="ada@example.com")
    other = session.exec(select(Project).where(Project.key == "IT")).one()
    add_member(session, other.id, ada, "client")
    with pytest.raises(ValidationFailed) as refused:
        file(session, client, body={**BUG, "reporter": {"email": "ada@example.com"}})
    assert refused.value.errors == {"reporter.email": intake.REPORTER_OUT_OF_LANE}
    assert session.get(ProjectMember, (project.id, ada.id)) is None
    assert count(session, Ticket) == 0


def token_file(session, token, body=BUG, key="key-1", limit=100):
    """As the API files: admit the token (counting the request), then file or replay."""
    return file(session, api_clients.admit(session, token, limit_per_minute=limit), body=body, key=key)


def requests_counted(session, client_id) -> int:
    return session.exec(select(ApiClient.request_count).where(ApiClient.id == client_id)).one()


def test_filing_by_token_counts_each_request_new_or_replayed(session, project):
    created = make_api_client(session)
    first = token_file(session, created.token)
    again = token_file(session, created.token)
    assert (first.replayed, again.replayed, again.body) == (False, True, first.body)
    assert requests_counted(session, created.client.id) == 2


def test_a_refused_request_by_token_is_counted_but_stores_nothing(session, project):
    created = make_api_client(session)
    with pytest.raises(ValidationFailed):
        token_file(session, created.token, body={"type": "bug", "title": "x"})
    with pytest.raises(IdempotencyKeyInvalid):
        token_file(session, created.token, key="")
    assert (count(session, Ticket), count(session, ActivityEntry), count(session, OutboxMessage)) == (0, 0, 0)
    assert requests_counted(session, created.client.id) == 2


@pytest.mark.parametrize("token", [None, "", "tk_unknown", "not-a-token"])
def test_filing_with_an_unknown_token_is_unauthenticated(session, project, token):
    make_api_client(session)
    with pytest.raises(Unauthenticated):
        token_file(session, token)


def test_a_revoked_token_cannot_replay_its_ticket(session, project):
    created = make_api_client(session)
    token_file(session, created.token)
    api_clients.revoke_api_client(session=session, actor=SYSTEM, project_key="HH", client_id=created.client.id)
    with pytest.raises(Unauthenticated):
        token_file(session, created.token)


def test_a_request_over_the_rate_is_refused_and_not_counted(session, project):
    created = make_api_client(session)
    token_file(session, created.token, limit=1)
    with pytest.raises(RateLimited):
        token_file(session, created.token, key="key-2", limit=1)
    assert count(session, Ticket) == 1
    assert requests_counted(session, created.client.id) == 1
