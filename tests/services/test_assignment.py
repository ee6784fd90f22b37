"""Automatic assignment: who gets a new ticket, and the queue that waits when nobody fits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from tests.factories import add_member, file_ticket, make_project
from tickit.models import MemberRole, OutboxMessage, TicketType, User
from tickit.services import assignment, assignment_admin, notifications, sla_config, ticket_detail, tickets, workflow
from tickit.services.access import get_project
from tickit.services.actors import SYSTEM, UserPublic
from tickit.services.errors import ValidationFailed
from tickit.services.templates.sla_section import parse_sla_section


@pytest.fixture
def desk(session):
    """Project HD (IT helpdesk) with agents Ada, Bob and Cy, an admin and a client; assignment still off."""
    project = make_project(session, "HD", template="it-helpdesk")
    agents = [person(session, "agent", name) for name in ("Ada", "Bob", "Cy")]
    for agent in agents:
        add_member(session, project.id, agent, MemberRole.AGENT)
    client = person(session, "client", "Cleo")
    add_member(session, project.id, client, MemberRole.CLIENT)
    return agents, client, person(session, "admin", "Root")


def person(session, role, name):
    """A user without a password: hashing one per person would make these tests slow."""
    user = User(email=f"{name.lower()}@example.com", name=name, role=role)
    session.add(user)
    session.flush()
    return UserPublic.of(user)


def _rule(session, **changes):
    assignment_admin.set_rule(session=session, actor=SYSTEM, project_key="HD", changes=changes)


def _agent(session, agent, **changes):
    assignment_admin.set_agent(session=session, actor=SYSTEM, project_key="HD", user_id=agent.id, changes=changes)


def _assignee(session, number):
    detail = ticket_detail.ticket_detail(session=session, actor=SYSTEM, number=number)
    return detail.assignee.id if detail.assignee else None


def _incident(session, client, **values):
    return file_ticket(
        session, client, "HD", type_key="incident", field_values={"impact": "team", "urgency": "low", **values}
    )


def _request(session, client, kind="other"):
    return file_ticket(session, client, "HD", type_key="service_request", field_values={"request_kind": kind})


def test_a_project_with_assignment_off_leaves_new_tickets_unassigned(session, desk):
    _, client, _ = desk
    assert _assignee(session, _incident(session, client)) is None


def test_round_robin_takes_the_agents_in_turn(session, desk):
    (ada, bob, cy), client, _ = desk
    _rule(session, strategy="round-robin")
    given = [_assignee(session, _incident(session, client)) for _ in range(6)]
    assert given == [ada.id, bob.id, cy.id, ada.id, bob.id, cy.id]


def test_least_load_picks_the_agent_with_fewest_open_tickets_and_logs_why(session, desk):
    (ada, bob, cy), client, admin = desk
    for agent, count in ((bob, 2), (cy, 1)):
        for _ in range(count):
            number = _incident(session, client)
            ticket_detail.assign(session=session, actor=admin, number=number, assignee_id=agent.id)
    _rule(session, strategy="least-load")

    first = _incident(session, client)

    assert _assignee(session, first) == ada.id
    entries = ticket_detail.activity(session=session, actor=admin, number=first)
    assert [f"{e.actor_name} {e.text}" for e in entries if e.action == "assigned"] == [
        "TickIt assigned it to Ada (least load: 0 open)"
    ]
    # Ada and Cy now hold one each: the tie goes to whoever the rule gave a ticket least recently.
    assert _assignee(session, _incident(session, client)) == cy.id


def test_least_load_leaves_out_tickets_waiting_in_a_status_that_pauses_the_sla(session, desk):
    (ada, bob, _cy), client, admin = desk
    _agent(session, desk[0][2], available=False)
    for agent in (ada, bob):
        number = _incident(session, client)
        ticket_detail.assign(session=session, actor=admin, number=number, assignee_id=agent.id)
    # Ada's ticket waits on its requester (a status that pauses the SLA); Bob's is being worked.
    workflow.move(session=session, actor=admin, number="HD-1", to_status="waiting_on_user")
    _rule(session, strategy="least-load")
    assert _assignee(session, _incident(session, client)) == ada.id


def test_the_assignee_is_notified_as_for_a_manual_assignment(session, desk):
    (ada, _, _), client, _ = desk
    _rule(session, strategy="round-robin")
    _incident(session, client)
    events = session.exec(select(OutboxMessage).where(OutboxMessage.event == notifications.ASSIGNED)).all()
    assert [e.payload["assignee_id"] for e in events] == [ada.id]


def test_skills_named_on_the_type_restrict_the_candidates(session, desk):
    (ada, bob, cy), client, _ = desk
    _rule(session, strategy="round-robin", require_skills=True)
    assignment_admin.set_type_skills(
        session=session, actor=SYSTEM, project_key="HD", type_key="incident", changes={"skills": ["hardware"]}
    )
    _agent(session, cy, skills="hardware, de")
    assert {_assignee(session, _incident(session, client)) for _ in range(3)} == {cy.id}
    # A type needing nothing goes to anyone.
    assert _assignee(session, _request(session, client)) == ada.id


def test_a_select_fields_option_maps_to_a_skill(session, desk):
    (ada, bob, cy), client, _ = desk
    _rule(session, strategy="least-load", require_skills=True)
    assignment_admin.set_type_skills(
        session=session,
        actor=SYSTEM,
        project_key="HD",
        type_key="service_request",
        changes={"field_skills": {"request_kind": {"hardware": ["hardware"], "software": ["licences"]}}},
    )
    _agent(session, bob, skills=["hardware"])
    assert _assignee(session, _request(session, client, "hardware")) == bob.id
    assert _assignee(session, _request(session, client, "software")) is None  # nobody has licences
    assert _assignee(session, _request(session, client, "other")) == ada.id


def test_skills_are_ignored_unless_the_project_requires_them(session, desk):
    (ada, _, _), client, _ = desk
    _rule(session, strategy="round-robin")
    assignment_admin.set_type_skills(
        session=session, actor=SYSTEM, project_key="HD", type_key="incident", changes={"skills": ["hardware"]}
    )
    assert _assignee(session, _incident(session, client)) == ada.id


def test_an_away_or_full_agent_is_never_chosen(session, desk):
    (ada, bob, cy), client, _ = desk
    _rule(session, strategy="least-load")
    _agent(session, ada, available=False)
    _agent(session, bob, capacity=2)
    _agent(session, cy, capacity=1)
    given = [_assignee(session, _incident(session, client)) for _ in range(5)]
    assert sorted(given, key=lambda v: (v is None, v)) == [bob.id, bob.id, cy.id, None, None]


OFFICE_HOURS = """
sla:
  calendars:
    office: {timezone: UTC, week: {mon: "09:00-17:00", tue: "09:00-17:00", wed: "09:00-17:00", thu: "09:00-17:00"}}
  policies:
    - name: Standard
      targets: {normal: {first_response: 4h, resolution: 16h}}
"""
MONDAY_NIGHT, MONDAY_MORNING = datetime(2026, 11, 9, 3, 0, tzinfo=UTC), datetime(2026, 11, 9, 9, 30, tzinfo=UTC)


def test_an_agent_is_given_tickets_only_inside_their_working_hours(session, desk, monkeypatch):
    (ada, bob, cy), client, _ = desk
    project = get_project(session, "HD")
    type_keys = list(session.exec(select(TicketType.key).where(TicketType.project_id == project.id)))
    sla_config.replace_config(session, project, parse_sla_section(OFFICE_HOURS, "test", type_keys))
    _rule(session, strategy="round-robin")
    _agent(session, ada, calendar="office")
    for agent in (bob, cy):
        _agent(session, agent, available=False)

    monkeypatch.setattr(tickets, "utcnow", lambda: MONDAY_NIGHT)
    waiting = _incident(session, client)
    assert _assignee(session, waiting) is None
    assert assignment.assign_queue(session=session, now=MONDAY_NIGHT) == 0

    assert assignment.assign_queue(session=session, now=MONDAY_MORNING) == 1
    assert _assignee(session, waiting) == ada.id

    _agent(session, ada, calendar=None)  # round the clock again
    monkeypatch.setattr(tickets, "utcnow", lambda: MONDAY_NIGHT)
    assert _assignee(session, _incident(session, client)) == ada.id
    with pytest.raises(ValidationFailed) as refused:
        _agent(session, ada, calendar="weekends")
    assert refused.value.errors == {
        "calendar": "Choose one of the project's calendars (office), or none for round the clock."
    }


def test_the_queue_is_handed_out_once_someone_qualifies(session, desk):
    (ada, bob, cy), client, admin = desk
    _rule(session, strategy="round-robin")
    for agent in (ada, bob, cy):
        _agent(session, agent, available=False)
    waiting = [_incident(session, client) for _ in range(3)]
    assert [_assignee(session, n) for n in waiting] == [None, None, None]
    assert assignment.assign_queue(session=session) == 0

    _agent(session, bob, available=True, capacity=2)
    assert assignment.assign_queue(session=session) == 2
    assert [_assignee(session, n) for n in waiting] == [bob.id, bob.id, None]

    # Bob closes one: the oldest waiting ticket is his next.
    for status in ("in_progress", "resolved"):
        workflow.move(session=session, actor=admin, number=waiting[0], to_status=status)
    assert assignment.assign_queue(session=session) == 1
    assert _assignee(session, waiting[2]) == bob.id


def test_bad_settings_are_refused_with_a_reason(session, desk):
    (ada, _, _), client, _ = desk
    with pytest.raises(ValidationFailed) as refused:
        _rule(session, strategy="fastest")
    assert "round-robin" in refused.value.errors["strategy"]
    with pytest.raises(ValidationFailed) as refused:
        _agent(session, ada, capacity="0", skills=["bad tag"])
    assert set(refused.value.errors) == {"capacity", "skills"}
    with pytest.raises(ValidationFailed):
        assignment_admin.set_agent(
            session=session, actor=SYSTEM, project_key="HD", user_id=client.id, changes={"capacity": 3}
        )
    with pytest.raises(ValidationFailed) as refused:
        assignment_admin.set_type_skills(
            session=session,
            actor=SYSTEM,
            project_key="HD",
            type_key="incident",
            changes={"field_skills": {"impact": {"galaxy": ["x"]}}},
        )
    assert "one_person" in refused.value.errors["field_skills.impact.galaxy"]
