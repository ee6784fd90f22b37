"""Outbound webhooks: endpoints, Standard Webhooks signatures, durable delivery and its log, on both databases.

Deliveries go to a real HTTP receiver on 127.0.0.1 (an endpoint that allows a private address).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import jsonschema_rs
import pytest
from sqlmodel import select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.factories import add_member, file_ticket, make_project, make_user
from tests.webhook_receiver import WebhookReceiver
from tickit.models import AuditEntry, OutboxMessage, Project, WebhookAttempt, WebhookEndpoint, utcnow
from tickit.services import (
    audit,
    comments,
    merges,
    outbox,
    sla_sweep,
    survey,
    ticket_detail,
    webhook_delivery,
    webhook_events,
    webhook_schemas,
    webhooks,
    workflow,
)
from tickit.services.actors import SYSTEM
from tickit.services.errors import NotFound, ValidationFailed

_CHANNELS = (webhook_events.EVENT_CHANNEL, webhook_delivery.CHANNEL)
SCHEMAS = Path(__file__).parents[2] / "docs" / "webhooks"


def _published_schema(event_type: str) -> dict:
    return json.loads((SCHEMAS / f"{event_type}.json").read_text(encoding="utf-8"))


@pytest.fixture
def receiver():
    with WebhookReceiver() as running:
        yield running


@pytest.fixture
def desk(session, settings_env):
    project = make_project(session, "CS", template="customer-support")
    agent, client = make_user(session, "agent"), make_user(session, "client")
    add_member(session, project.id, agent, "agent")
    add_member(session, project.id, client, "client")
    return {"agent": agent, "client": client}


def _endpoint(session, receiver, **options) -> webhooks.EndpointWithSecret:
    created = webhooks.create_endpoint(
        session=session, actor=SYSTEM, project_key="CS", url=receiver.url, allow_private_address=True, **options
    )
    session.commit()
    return created


def _deliver(session, engine) -> list[str]:
    """Deliver every due webhook row, fan-outs first, until none is due; the outcomes."""
    session.commit()
    outcomes: list[str] = []
    while True:
        with outbox.session_scope(engine) as own:
            due = own.exec(
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.channel.in_(_CHANNELS),
                    OutboxMessage.delivered_at.is_(None),
                    OutboxMessage.failed_at.is_(None),
                    OutboxMessage.next_attempt_at <= outbox.utcnow(),
                )
                .order_by(OutboxMessage.id)
            ).all()
        if not due:
            return outcomes
        for outbox_id in due:
            try:
                outcomes.append(outbox.deliver(outbox_id, engine=engine))
            except outbox.RetryLater:
                outcomes.append("retry")


def _verified(request, secret: str) -> dict:
    return Webhook(secret).verify(request.body, request.headers)


def test_each_event_type_reaches_a_real_receiver_once_signed_with_the_ticket_document(engine, session, desk, receiver):
    created = _endpoint(session, receiver)
    agent, client = desk["agent"], desk["client"]
    number = file_ticket(session, client, "CS", "The parcel never came", type_key="question")
    filed_at = utcnow()
    # The type's first response is due in 24 hours, warned of at 80%.
    sla_sweep.sweep_batch(session=session, now=filed_at + timedelta(hours=20))
    sla_sweep.sweep_batch(session=session, now=filed_at + timedelta(hours=25))
    ticket_detail.assign(session=session, actor=agent, number=number, assignee_id=agent.id)
    comments.add_comment(session=session, actor=agent, number=number, body_html="<p>On its way</p>")
    comments.add_comment(session=session, actor=agent, number=number, body_html="<p>Courier</p>", internal=True)
    workflow.move(session=session, actor=agent, number=number, to_status="solved")
    survey.send_due(session=session, now=utcnow() + timedelta(hours=2))
    [survey_mail] = session.exec(select(OutboxMessage).where(OutboxMessage.event == survey.SURVEY_EVENT)).all()
    token = survey_mail.payload["good_url"].split("/survey/")[1].split("?")[0]
    survey.rate(session=session, token=token, rating="good", comment="Thanks")

    _deliver(session, engine)

    received = [_verified(request, created.secret) for request in receiver.requests]
    by_type = {event["type"]: event for event in received}
    moves = [e["data"]["to_status"]["key"] for e in received if e["type"] == webhook_events.STATUS_CHANGED]
    # The agent's public reply moves the ticket by the type's reply rule, then the agent solves it.
    assert moves == ["waiting_on_customer", "solved"]
    once = [event["type"] for event in received if event["type"] != webhook_events.STATUS_CHANGED]
    assert sorted(once) == sorted(
        set(webhook_events.EVENT_TYPES) - {webhook_events.MERGED, webhook_events.STATUS_CHANGED}
    )
    assert {event["data"]["ticket"]["number"] for event in received} == {number}
    assert by_type["ticket.commented"]["data"]["comment"]["text"] == "On its way"
    assert by_type["ticket.internal_note_added"]["data"]["comment"]["text"] == "Courier"
    assert by_type["ticket.satisfaction_rated"]["data"]["rating"] == "good"
    assert by_type["ticket.sla_breached"]["data"]["target"] == "first_response"
    created_doc = by_type["ticket.created"]["data"]["ticket"]
    assert {"id", "number", "project", "type", "status", "title", "reporter", "sla", "status_label"} <= set(created_doc)
    for event in received:
        jsonschema_rs.validator_for(_published_schema(event["type"])).validate(event)
    ids = [request.headers["webhook-id"] for request in receiver.requests]
    assert len(set(ids)) == len(ids) and all(i.startswith("msg_") for i in ids)


def test_an_endpoint_gets_only_the_events_it_chose_and_a_disabled_one_none(engine, session, desk, receiver):
    created = _endpoint(session, receiver, event_types=[webhook_events.STATUS_CHANGED])
    number = file_ticket(session, desk["client"], "CS", "Wrong size", type_key="question")
    workflow.move(session=session, actor=desk["agent"], number=number, to_status="solved")
    _deliver(session, engine)
    assert [r.event["type"] for r in receiver.requests] == ["ticket.status_changed"]

    webhooks.update_endpoint(
        session=session, actor=SYSTEM, project_key="CS", endpoint_id=created.endpoint.id, changes={"enabled": False}
    )
    file_ticket(session, desk["client"], "CS", "Another", type_key="question")
    assert session.exec(select(OutboxMessage).where(OutboxMessage.channel.in_(_CHANNELS))).all() != []
    staged_before = len(session.exec(select(OutboxMessage).where(OutboxMessage.channel.in_(_CHANNELS))).all())
    workflow.move(session=session, actor=desk["agent"], number=number, to_status="open")
    staged_after = len(session.exec(select(OutboxMessage).where(OutboxMessage.channel.in_(_CHANNELS))).all())
    assert staged_after == staged_before  # nobody listens: nothing is staged


def test_a_rotated_secret_signs_alongside_the_new_one_for_a_day(engine, session, desk, receiver):
    created = _endpoint(session, receiver)
    rotated = webhooks.rotate_secret(session=session, actor=SYSTEM, project_key="CS", endpoint_id=created.endpoint.id)
    assert rotated.secret != created.secret and rotated.secret.startswith("whsec_")
    assert rotated.endpoint.previous_secret_until is not None
    assert timedelta(hours=23, minutes=59) < rotated.endpoint.previous_secret_until - utcnow() <= timedelta(hours=24)
    webhooks.send_test_event(session=session, actor=SYSTEM, project_key="CS", endpoint_id=created.endpoint.id)
    _deliver(session, engine)
    [request] = receiver.requests
    jsonschema_rs.validator_for(_published_schema("webhook.test")).validate(request.event)
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    assert _verified(request, created.secret)["type"] == "webhook.test"
    assert _verified(request, rotated.secret)["type"] == "webhook.test"

    row = session.get(WebhookEndpoint, created.endpoint.id)
    row.previous_secret_expires_at = utcnow() - timedelta(seconds=1)  # the day is over
    session.add(row)
    webhooks.send_test_event(session=session, actor=SYSTEM, project_key="CS", endpoint_id=created.endpoint.id)
    _deliver(session, engine)
    later = receiver.requests[1]
    assert _verified(later, rotated.secret)["type"] == "webhook.test"
    with pytest.raises(WebhookVerificationError):
        _verified(later, created.secret)


class Clock:
    def __init__(self, monkeypatch):
        self.now = utcnow() + timedelta(seconds=1)
        for module in (outbox, webhook_delivery):
            monkeypatch.setattr(module, "utcnow", lambda: self.now)


def test_failures_are_retried_on_the_schedule_with_jitter_under_one_webhook_id_for_about_three_days(
    engine, session, desk, receiver, monkeypatch
):
    created = _endpoint(session, receiver, event_types=[webhook_events.TICKET_CREATED])
    receiver.answer(500, times=100)
    file_ticket(session, desk["client"], "CS", "Broken zip", type_key="question")
    clock = Clock(monkeypatch)
    start = clock.now
    waits = []
    while True:
        outcomes = _deliver(session, engine)
        [row] = session.exec(select(OutboxMessage).where(OutboxMessage.channel == webhook_delivery.CHANNEL)).all()
        session.refresh(row)
        if row.failed_at is not None:
            break
        assert outcomes[-1] == "retry"
        waits.append(row.next_attempt_at - clock.now)
        clock.now = row.next_attempt_at

    assert len(waits) == len(webhook_delivery.RETRY_SCHEDULE) == 12
    for wait, planned in zip(waits, webhook_delivery.RETRY_SCHEDULE, strict=True):
        assert planned * 0.9 <= wait <= planned * 1.1
    assert waits[:3] != [planned for planned in webhook_delivery.RETRY_SCHEDULE[:3]]  # jittered
    assert timedelta(days=2, hours=18) < clock.now - start < timedelta(days=3, hours=12)
    assert len(receiver.requests) == 13
    assert {r.headers["webhook-id"] for r in receiver.requests} == {receiver.requests[0].headers["webhook-id"]}
    assert {r.body for r in receiver.requests} == {receiver.requests[0].body}
    endpoint = session.get(WebhookEndpoint, created.endpoint.id)
    session.refresh(endpoint)
    assert endpoint.enabled and endpoint.failing_since == start  # failing, but not for five days yet

    clock.now = start + timedelta(days=5)
    file_ticket(session, desk["client"], "CS", "Still broken", type_key="question")
    admin = make_user(session, "admin")
    _deliver(session, engine)
    session.refresh(endpoint)
    assert not endpoint.enabled and "failed since" in endpoint.disabled_reason
    [mailed] = session.exec(select(OutboxMessage).where(OutboxMessage.event == webhook_delivery.DISABLED_MAIL)).all()
    assert mailed.payload["email"] == admin.email and mailed.payload["url"] == receiver.url
    message = webhook_delivery.disabled_message(mailed.payload, message_id="<m@x>")
    assert "enable the endpoint" in message.get_body(("plain",)).get_content()


def test_a_410_disables_the_endpoint_at_once(engine, session, desk, receiver):
    created = _endpoint(session, receiver)
    receiver.answer(410)
    file_ticket(session, desk["client"], "CS", "Gone away", type_key="question")
    assert _deliver(session, engine)[-1] == "failed"
    endpoint = webhooks.list_endpoints(session=session, actor=SYSTEM, project_key="CS")[0]
    assert not endpoint.enabled and "410 Gone" in endpoint.disabled_reason
    [attempt] = webhooks.delivery_log(session=session, actor=SYSTEM, project_key="CS", endpoint_id=endpoint.id)
    assert (attempt.status_code, attempt.response_excerpt, attempt.succeeded) == (410, "answered 410", False)
    file_ticket(session, desk["client"], "CS", "Gone again", type_key="question")
    _deliver(session, engine)
    assert len(receiver.requests) == 1

    webhooks.update_endpoint(
        session=session, actor=SYSTEM, project_key="CS", endpoint_id=created.endpoint.id, changes={"enabled": True}
    )
    again = webhooks.list_endpoints(session=session, actor=SYSTEM, project_key="CS")[0]
    assert again.enabled and again.disabled_reason == "" and again.failing_since is None


def test_a_redirect_is_not_followed_and_counts_as_a_failure(engine, session, desk, receiver):
    _endpoint(session, receiver)
    receiver.answer(302, Location=receiver.url + "/elsewhere")
    file_ticket(session, desk["client"], "CS", "Moved", type_key="question")
    assert _deliver(session, engine)[-1] == "retry"
    assert [r.path for r in receiver.requests] == ["/hooks"]


def test_the_log_records_each_attempt_and_redelivery_sends_the_same_event_again(engine, session, desk, receiver):
    created = _endpoint(session, receiver)
    webhook_id = webhooks.send_test_event(
        session=session, actor=SYSTEM, project_key="CS", endpoint_id=created.endpoint.id
    )
    _deliver(session, engine)
    [attempt] = webhooks.delivery_log(session=session, actor=SYSTEM, project_key="CS", endpoint_id=created.endpoint.id)
    assert (attempt.webhook_id, attempt.event_type, attempt.status_code, attempt.succeeded) == (
        webhook_id,
        "webhook.test",
        204,
        True,
    )
    assert attempt.duration_ms >= 0

    webhooks.redeliver(
        session=session, actor=SYSTEM, project_key="CS", endpoint_id=created.endpoint.id, attempt_id=attempt.id
    )
    _deliver(session, engine)
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == webhook_id
    assert first.body == second.body
    log = webhooks.delivery_log(session=session, actor=SYSTEM, project_key="CS", endpoint_id=created.endpoint.id)
    assert len(log) == 2
    with pytest.raises(NotFound):
        webhooks.redeliver(
            session=session, actor=SYSTEM, project_key="CS", endpoint_id=created.endpoint.id, attempt_id=0
        )


def test_the_log_keeps_30_days(session, desk, receiver):
    created = _endpoint(session, receiver)
    for age in (31, 29):
        session.add(
            WebhookAttempt(
                endpoint_id=created.endpoint.id,
                message_id=f"msg_{age}",
                event_type="webhook.test",
                attempted_at=utcnow() - timedelta(days=age),
            )
        )
    session.flush()
    assert webhook_delivery.purge_log(session=session) == 1
    assert [a.message_id for a in session.exec(select(WebhookAttempt)).all()] == ["msg_29"]


@pytest.mark.parametrize(
    ("url", "allow_private", "message"),
    [
        ("http://10.1.2.3:8080/hook", False, "must be an https URL"),
        ("https://10.1.2.3/hook", False, "must be on the public internet"),
        ("https://192.168.1.10/hook", False, "Allow a private address"),
        ("ftp://10.1.2.3/hook", True, "must be an https URL"),
        ("not a url", True, "not a valid URL"),
        ("", False, "Give the URL"),
    ],
)
def test_only_https_on_public_addresses_unless_a_private_address_is_allowed(session, desk, url, allow_private, message):
    with pytest.raises(ValidationFailed) as refused:
        webhooks.create_endpoint(
            session=session, actor=SYSTEM, project_key="CS", url=url, allow_private_address=allow_private
        )
    assert message in refused.value.errors["url"]


def test_private_http_is_accepted_when_allowed_and_unknown_events_are_refused(session, desk):
    made = webhooks.create_endpoint(
        session=session, actor=SYSTEM, project_key="CS", url="http://10.1.2.3/hook", allow_private_address=True
    )
    assert made.endpoint.event_types == tuple(webhook_events.EVENT_TYPES)
    with pytest.raises(ValidationFailed) as refused:
        webhooks.create_endpoint(
            session=session,
            actor=SYSTEM,
            project_key="CS",
            url="http://10.1.2.3/hook",
            allow_private_address=True,
            event_types=["ticket.created", "ticket.exploded"],
        )
    assert refused.value.errors == {"event_types": "Unknown event types: ticket.exploded."}
    with pytest.raises(ValidationFailed):
        webhooks.update_endpoint(
            session=session,
            actor=SYSTEM,
            project_key="CS",
            endpoint_id=made.endpoint.id,
            changes={"allow_private_address": False},
        )


def test_endpoint_changes_are_in_the_audit_log_without_the_secret(session, desk):
    admin = make_user(session, "admin")
    made = webhooks.create_endpoint(
        session=session, actor=admin, project_key="CS", url="http://10.1.2.3/hook", allow_private_address=True
    )
    endpoint_id = made.endpoint.id
    webhooks.update_endpoint(
        session=session, actor=admin, project_key="CS", endpoint_id=endpoint_id, changes={"description": "CRM"}
    )
    webhooks.rotate_secret(session=session, actor=admin, project_key="CS", endpoint_id=endpoint_id)
    webhooks.delete_endpoint(session=session, actor=admin, project_key="CS", endpoint_id=endpoint_id)
    entries = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    webhook_entries = [e for e in entries if e.action.startswith("webhook.")]
    assert [e.action for e in webhook_entries] == [
        audit.WEBHOOK_CREATED,
        audit.WEBHOOK_CHANGED,
        audit.WEBHOOK_SECRET_ROTATED,
        audit.WEBHOOK_DELETED,
    ]
    assert webhook_entries[1].before == {"description": ""} and webhook_entries[1].after == {"description": "CRM"}
    assert all(e.target == "CS · http://10.1.2.3/hook" and e.actor_id == admin.id for e in webhook_entries)
    assert "whsec_" not in json.dumps([[e.before, e.after] for e in webhook_entries])
    assert webhooks.list_endpoints(session=session, actor=admin, project_key="CS") == []


def test_only_admins_and_the_projects_admins_manage_endpoints(session, desk, receiver):
    from tickit.services.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        webhooks.list_endpoints(session=session, actor=desk["agent"], project_key="CS")
    lead = make_user(session, "agent")
    add_member(session, session.exec(select(Project).where(Project.key == "CS")).one().id, lead, "admin")
    created = webhooks.create_endpoint(
        session=session, actor=lead, project_key="CS", url=receiver.url, allow_private_address=True
    )
    assert [e.url for e in webhooks.list_endpoints(session=session, actor=lead, project_key="CS")] == [receiver.url]
    webhooks.delete_endpoint(session=session, actor=lead, project_key="CS", endpoint_id=created.endpoint.id)
    with pytest.raises(PermissionDenied):
        webhooks.list_endpoints(session=session, actor=lead, project_key=None)


def test_a_merge_sends_ticket_merged_for_the_duplicate_naming_the_ticket_kept(engine, session, desk, receiver):
    created = _endpoint(session, receiver, event_types=[webhook_events.MERGED])
    kept = file_ticket(session, desk["client"], "CS", "No tracking number", type_key="question")
    duplicate = file_ticket(session, desk["client"], "CS", "Where is my parcel", type_key="question")
    merges.merge(session=session, actor=desk["agent"], number=duplicate, into=kept)

    _deliver(session, engine)

    [event] = [_verified(request, created.secret) for request in receiver.requests]
    assert (event["type"], event["data"]["merged_into"]) == (webhook_events.MERGED, kept)
    assert event["data"]["ticket"]["number"] == duplicate
    jsonschema_rs.validator_for(_published_schema(event["type"])).validate(event)
    with pytest.raises(ValueError):
        webhook_events.publish(session, project_id=1, ticket_id=1, event="ticket.exploded")


def test_signature_headers_follow_the_standard(session):
    secret = webhooks.new_secret()
    at = datetime.fromtimestamp(1_700_000_000, tz=utcnow().tzinfo)
    headers = webhook_delivery.signature_headers(webhook_id="msg_1", body='{"a":1}', secrets_=(secret,), at=at)
    assert headers["webhook-timestamp"] == "1700000000"
    assert headers["webhook-signature"].startswith("v1,")
    assert headers["webhook-signature"] == Webhook(secret).sign("msg_1", at, '{"a":1}')


def test_the_published_schemas_are_the_generated_ones():
    assert sorted(path.stem for path in SCHEMAS.glob("*.json")) == sorted(webhook_schemas.event_types())
    for event_type in webhook_schemas.event_types():
        assert _published_schema(event_type) == webhook_schemas.schema(event_type)
