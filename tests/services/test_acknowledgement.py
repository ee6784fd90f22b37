"""The requester's "We received your request" mail: sent on filing from any path, per project on/off."""

from __future__ import annotations

import email
from email import policy

import pytest

from tests.factories import make_api_client, make_user
from tests.services.test_notifications import act, desk, fan_out, mail_dir, messages, prefer, told  # noqa: F401
from tickit.models import Source
from tickit.services import comments, intake, intake_policy, mail, outbox, tickets
from tickit.services.actors import SYSTEM
from tickit.services.intake_request import TicketIn

__all__ = ["desk", "mail_dir"]


@pytest.fixture(autouse=True)
def acknowledging(engine, desk):
    """HH sends acknowledgements, as a project does unless its admins turn them off."""
    act(
        engine,
        lambda s: intake_policy.update_intake(session=s, actor=SYSTEM, project_key="HH", changes={"acknowledge": True}),
    )


def _file(session, actor, reporter_id, title="Checkout button does nothing"):
    return tickets.file_ticket(
        session=session,
        actor=actor,
        source=Source.WEB,
        project_key="HH",
        type_key="question",
        title=title,
        description="",
        reporter_id=reporter_id,
        field_values={"topic": "other"},
    ).reference


def _delivered(engine, mail_dir, event="acknowledgement"):
    [row] = [m for m in messages(engine, "mail") if m.event == event]
    assert outbox.deliver(row.id, engine=engine) == "delivered"
    [written] = sorted(mail_dir.glob("*.eml"))
    written_mail = email.message_from_bytes(written.read_bytes(), policy=policy.default)
    written.unlink()
    return written_mail


def test_the_requester_hears_their_request_arrived_with_its_portal_link(engine, desk, mail_dir):
    act(engine, lambda s: _file(s, desk.client, desk.client.id))
    fan_out(engine)

    received = _delivered(engine, mail_dir)
    assert received["Subject"] == "We received your request [HH-1] Checkout button does nothing"
    assert received["To"] == desk.client.email
    text = received.get_body(("plain",)).get_content()
    assert "We received your request HH-1, Checkout button does nothing." in text
    assert "https://help.example.com/portal/tickets/HH-1" in text
    # No promise that mail replies work: inbound mail is not read.
    assert "Replies to this mail are not read" in text


def test_the_acknowledgement_threads_with_the_tickets_later_mails(engine, desk, mail_dir):
    number = act(engine, lambda s: _file(s, desk.client, desk.client.id))
    fan_out(engine)
    first = _delivered(engine, mail_dir)
    prefer(engine, desk.client, notify_by_mail=True)
    act(engine, lambda s: comments.add_comment(session=s, actor=desk.agent, number=number, body_html="<p>On it</p>"))
    fan_out(engine)
    [digest] = [m for m in messages(engine, "mail") if m.event == "requester_digest"]
    later = mail.requester_digest_message(digest.payload, message_id="<x@help.example.com>")

    assert first["References"] == later["References"]
    assert first["Message-ID"] != first["References"]


def test_staff_filing_on_behalf_of_a_client_acknowledge_the_client(engine, desk, mail_dir):
    act(engine, lambda s: _file(s, desk.agent, desk.client.id))
    fan_out(engine)
    assert ("acknowledgement", desk.client.id) in told(engine, "mail")


def test_an_api_filing_acknowledges_its_reporter(engine, desk, mail_dir):
    def file_over_the_api(session):
        intake.create_or_replay(
            session=session,
            client=make_api_client(session).client,
            idempotency_key="k",
            request=TicketIn(
                type="question", title="How?", fields={"topic": "how_to"}, reporter={"email": "new@example.com"}
            ),
        )

    act(engine, file_over_the_api)
    fan_out(engine)
    [ack] = [m for m in messages(engine, "mail") if m.event == "acknowledgement"]
    assert ack.payload["email"] == "new@example.com"


def test_no_acknowledgement_where_the_project_turned_it_off_or_for_staff_or_without_mail(engine, desk, mail_dir):
    quiet = act(engine, lambda s: make_user(s, "client"))
    act(engine, lambda s: _file(s, desk.agent, desk.agent.id))
    prefer(engine, desk.client, notify_by_mail=False)
    act(engine, lambda s: _file(s, desk.agent, desk.client.id))
    act(
        engine,
        lambda s: intake_policy.update_intake(
            session=s, actor=SYSTEM, project_key="HH", changes={"acknowledge": False}
        ),
    )
    act(engine, lambda s: _file(s, desk.agent, quiet.id))
    fan_out(engine)
    assert [m for m in messages(engine, "mail") if m.event == "acknowledgement"] == []
