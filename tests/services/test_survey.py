"""The satisfaction survey: sent once per resolution after the delay, read without voting, answered by submit."""

from datetime import timedelta

import pytest
from sqlmodel import select

from tests.factories import add_member, file_ticket, make_project, make_user
from tickit.models import ActivityEntry, OutboxMessage, SatisfactionRating, Ticket, TicketStatus, utcnow
from tickit.services import mail, survey, ticket_detail, workflow
from tickit.services.actors import SYSTEM
from tickit.services.errors import NotFound, ValidationFailed


@pytest.fixture
def desk(session, settings_env):
    project = make_project(session, "CS", template="customer-support")
    agent, client = make_user(session, "agent"), make_user(session, "client")
    add_member(session, project.id, agent, "agent")
    add_member(session, project.id, client, "client")
    file_ticket(session, client, "CS", "Where is my order?", type_key="question")
    workflow.move(session=session, actor=agent, number="CS-1", to_status="solved")
    return {"agent": agent, "client": client}


def _surveys(session) -> list[OutboxMessage]:
    return list(session.exec(select(OutboxMessage).where(OutboxMessage.event == survey.SURVEY_EVENT)).all())


def _token(message: OutboxMessage, rating: str = "good") -> str:
    return message.payload[f"{rating}_url"].split("/survey/")[1].split("?")[0]


def _send(session, after_minutes: int = 61) -> int:
    return survey.send_due(session=session, now=utcnow() + timedelta(minutes=after_minutes))


def _ticket(session) -> Ticket:
    session.expire_all()
    return session.exec(select(Ticket)).one()


def test_the_survey_goes_to_the_requester_once_per_resolution_after_the_delay(session, desk):
    assert _send(session, after_minutes=30) == 0
    assert _send(session) == 1
    assert _send(session) == 0  # one per resolution cycle
    [message] = _surveys(session)
    assert message.recipient_user_id == desk["client"].id
    assert message.payload["good_url"].startswith("https://help.example.com/survey/")
    [row] = session.exec(select(SatisfactionRating)).all()
    assert row.token_hash == survey.token_hash(_token(message)) and _token(message) not in row.token_hash
    assert row.expires_at - row.created_at == timedelta(days=28)


def test_no_survey_for_a_ticket_no_longer_resolved(session, desk):
    workflow.move(session=session, actor=SYSTEM, number="CS-1", to_status="closed")
    assert _send(session) == 0


def test_opening_the_link_records_nothing_and_submitting_records_the_answer_without_moving_the_ticket(session, desk):
    _send(session)
    token = _token(_surveys(session)[0], "bad")

    seen = survey.survey_by_token(session=session, token=token)
    assert (seen.number, seen.rating, seen.open) == ("CS-1", None, True)
    assert session.exec(select(SatisfactionRating)).one().rating is None
    assert session.exec(select(ActivityEntry).where(ActivityEntry.action == "rated")).all() == []

    survey.rate(session=session, token=token, rating="bad", comment="Took a week")
    survey.rate(session=session, token=token, rating="good", comment="Sorted in the end")

    assert survey.satisfaction(session, _ticket(session).id).rating == "good"
    texts = [a.text for a in ticket_detail.activity(session=session, actor=desk["client"], number="CS-1")]
    assert texts[:2] == ["rated the help good: “Sorted in the end”", "rated the help bad: “Took a week”"]
    assert session.get(TicketStatus, _ticket(session).status_id).key == "solved"


def test_the_rating_cannot_change_once_the_ticket_is_closed_and_a_bad_link_is_not_found(session, desk):
    _send(session)
    token = _token(_surveys(session)[0])
    survey.rate(session=session, token=token, rating="good")
    workflow.move(session=session, actor=SYSTEM, number="CS-1", to_status="closed")

    with pytest.raises(ValidationFailed, match="closed"):
        survey.rate(session=session, token=token, rating="bad")
    assert survey.satisfaction(session, _ticket(session).id).rating == "good"
    with pytest.raises(NotFound):
        survey.survey_by_token(session=session, token="not-a-token")
    with pytest.raises(ValidationFailed):
        survey.rate(session=session, token=token, rating="5")


def test_an_expired_link_is_refused(session, desk):
    _send(session)
    token = _token(_surveys(session)[0])
    row = session.exec(select(SatisfactionRating)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.add(row)
    session.flush()
    with pytest.raises(NotFound):
        survey.rate(session=session, token=token, rating="good")


def test_a_reopened_and_solved_again_ticket_gets_a_new_survey(session, desk):
    _send(session)
    old = _token(_surveys(session)[0])
    workflow.move(session=session, actor=SYSTEM, number="CS-1", to_status="open")
    with pytest.raises(ValidationFailed, match="reopened"):
        survey.rate(session=session, token=old, rating="good")
    workflow.move(session=session, actor=SYSTEM, number="CS-1", to_status="solved")
    assert _send(session) == 1


def test_the_survey_mail_asks_how_we_did_with_a_good_and_a_bad_link_in_the_tickets_thread(session, desk):
    _send(session)
    [message] = _surveys(session)
    built = mail.survey_message(message.payload, message_id="<m@x>")
    text = built.get_body(preferencelist=("plain",)).get_content()
    assert built["Subject"] == "How did we do? [CS-1] Where is my order?"
    assert built["In-Reply-To"] == message.payload["thread_id"]
    assert message.payload["good_url"] in text and message.payload["bad_url"] in text
