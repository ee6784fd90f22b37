"""Per-user limits on filing and commenting, and who may set a new ticket's priority."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from tests.factories import add_member, file_ticket, make_api_client, make_project, make_user
from tickit.models import Comment, Source, Ticket
from tickit.services import comments, intake, intake_policy, ratelimit, tickets
from tickit.services.actors import SYSTEM
from tickit.services.errors import PermissionDenied, RateLimited, ValidationFailed
from tickit.services.intake_request import TicketIn

# 46 minutes into an hour, and 6 into a ten-minute window.
NOW = datetime(2026, 12, 3, 10, 46, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """Set the time the limits count in."""

    def set_to(moment: datetime) -> None:
        monkeypatch.setattr(ratelimit, "utcnow", lambda: moment)

    set_to(NOW)
    return set_to


@pytest.fixture
def desk(session):
    project = make_project(session, "HH", limit_filing=True)
    client, agent = make_user(session, "client"), make_user(session, "agent")
    add_member(session, project.id, client, "client")
    add_member(session, project.id, agent, "agent")
    return project, client, agent


def test_a_client_files_five_tickets_an_hour_and_hears_when_the_next_one_is_possible(session, desk, clock):
    _, client, _ = desk
    for _ in range(5):
        file_ticket(session, client)

    with pytest.raises(RateLimited) as refused:
        file_ticket(session, client)

    assert "you can file another request in 14 minutes" in str(refused.value)
    assert refused.value.retry_after == 14 * 60
    assert len(session.exec(select(Ticket)).all()) == 5
    clock(datetime(2026, 12, 3, 11, 0, 1, tzinfo=UTC))
    assert file_ticket(session, client) == "HH-6"


def test_the_project_sets_its_own_filing_limit_and_zero_turns_it_off(session, desk, clock):
    _, client, _ = desk
    intake_policy.update_intake(session=session, actor=SYSTEM, project_key="HH", changes={"tickets_per_hour": 2})
    file_ticket(session, client)
    file_ticket(session, client)
    with pytest.raises(RateLimited):
        file_ticket(session, client)

    intake_policy.update_intake(session=session, actor=SYSTEM, project_key="HH", changes={"tickets_per_hour": 0})
    for _ in range(6):
        file_ticket(session, client)


def test_the_filing_limit_is_per_person(session, desk, clock):
    project, client, _ = desk
    other = make_user(session, "client")
    add_member(session, project.id, other, "client")
    for _ in range(5):
        file_ticket(session, client)
    assert file_ticket(session, other) == "HH-6"


def test_staff_are_not_limited(session, desk, clock):
    _, _, agent = desk
    for _ in range(7):
        file_ticket(session, agent)
    assert len(session.exec(select(Ticket)).all()) == 7


def test_an_api_client_filing_for_a_requester_is_held_to_its_own_rate_not_the_requesters(session, desk, clock):
    created = make_api_client(session)
    app = created.client
    for n in range(7):
        intake.create_or_replay(
            session=session,
            client=app,
            idempotency_key=f"k{n}",
            request=TicketIn(
                type="question",
                title=f"From the app {n}",
                reporter={"email": "ada@example.com"},
                fields={"topic": "other"},
            ),
        )
    assert len(session.exec(select(Ticket)).all()) == 7


def test_comments_are_limited_per_person_and_ticket_and_staff_are_exempt(session, desk, clock):
    _, client, agent = desk
    intake_policy.update_intake(session=session, actor=SYSTEM, project_key="HH", changes={"comments_per_window": 3})
    first, second = file_ticket(session, client), file_ticket(session, client)
    for _ in range(3):
        comments.add_comment(session=session, actor=client, number=first, body_html="<p>More</p>")

    with pytest.raises(RateLimited) as refused:
        comments.add_comment(session=session, actor=client, number=first, body_html="<p>Again</p>")

    assert "you can comment again in 4 minutes" in str(refused.value)
    comments.add_comment(session=session, actor=client, number=second, body_html="<p>Elsewhere</p>")
    for _ in range(4):
        comments.add_comment(session=session, actor=agent, number=first, body_html="<p>Staff</p>")
    assert len(session.exec(select(Comment)).all()) == 3 + 1 + 4


def test_the_default_comment_limit_is_thirty_in_ten_minutes(session, desk, clock):
    _, client, _ = desk
    number = file_ticket(session, client)
    for _ in range(30):
        comments.add_comment(session=session, actor=client, number=number, body_html="<p>x</p>")
    with pytest.raises(RateLimited):
        comments.add_comment(session=session, actor=client, number=number, body_html="<p>x</p>")


def _file(session, actor, priority):
    return tickets.file_ticket(
        session=session,
        actor=actor,
        source=Source.WEB,
        project_key="HH",
        type_key="question",
        title="Where is the export?",
        description="",
        reporter_id=actor.id,
        priority=priority,
        field_values={"topic": "other"},
    )


def test_clients_set_priority_only_where_the_project_allows_it(session, desk, clock):
    _, client, agent = desk
    with pytest.raises(ValidationFailed) as refused:
        _file(session, client, "urgent")
    assert refused.value.errors == {"priority": "The team sets the priority of requests in this project."}
    assert _file(session, agent, "urgent").priority == "urgent"

    intake_policy.update_intake(session=session, actor=SYSTEM, project_key="HH", changes={"clients_set_priority": True})
    assert _file(session, client, "high").priority == "high"


def test_an_unknown_priority_is_refused(session, desk, clock):
    _, _, agent = desk
    with pytest.raises(ValidationFailed) as refused:
        _file(session, agent, "whenever")
    assert "priority" in refused.value.errors


def test_intake_settings_are_checked_and_only_admins_change_them(session, desk):
    _, _, agent = desk
    with pytest.raises(ValidationFailed) as refused:
        intake_policy.update_intake(
            session=session,
            actor=SYSTEM,
            project_key="HH",
            changes={"tickets_per_hour": -1, "acknowledge": "yes", "colour": "red"},
        )
    assert set(refused.value.errors) == {"tickets_per_hour", "acknowledge", "colour"}
    with pytest.raises(PermissionDenied):
        intake_policy.update_intake(session=session, actor=agent, project_key="HH", changes={"acknowledge": False})
    assert intake_policy.read_intake(session=session, actor=SYSTEM, project_key="HH") == intake_policy.IntakePolicy()
