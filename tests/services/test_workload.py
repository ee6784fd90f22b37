"""The workload view, moving an agent's open tickets in one action, and what deactivating an agent frees."""

from __future__ import annotations

import pytest

from tests.factories import add_member, file_ticket, make_project
from tests.services.test_assignment import person
from tickit.models import MemberRole
from tickit.services import assignment_admin, ticket_detail, users, workflow, workload
from tickit.services.actors import SYSTEM
from tickit.services.errors import PermissionDenied, ValidationFailed


@pytest.fixture
def desk(session):
    """Project HD with agents Ada and Bob, Ada holding three tickets (one of them done), an admin and a client."""
    project = make_project(session, "HD", template="it-helpdesk")
    ada, bob = person(session, "agent", "Ada"), person(session, "agent", "Bob")
    for agent in (ada, bob):
        add_member(session, project.id, agent, MemberRole.AGENT)
    client = person(session, "client", "Cleo")
    add_member(session, project.id, client, MemberRole.CLIENT)
    admin = person(session, "admin", "Root")
    values = {"impact": "team", "urgency": "low"}
    numbers = [
        file_ticket(session, client, "HD", f"Ticket {n}", type_key="incident", field_values=values) for n in range(4)
    ]
    for number in numbers[:3]:
        ticket_detail.assign(session=session, actor=admin, number=number, assignee_id=ada.id)
    workflow.move(session=session, actor=admin, number=numbers[1], to_status="in_progress")
    workflow.move(session=session, actor=admin, number=numbers[2], to_status="resolved")
    return ada, bob, admin, numbers


def _assignee(session, number):
    found = ticket_detail.ticket_detail(session=session, actor=SYSTEM, number=number).assignee
    return found.id if found else None


def test_the_workload_shows_each_agents_open_work_capacity_and_oldest_ticket(session, desk):
    ada, bob, admin, numbers = desk
    assignment_admin.set_agent(
        session=session, actor=SYSTEM, project_key="HD", user_id=bob.id, changes={"available": False, "capacity": 4}
    )
    view = workload.workload(session=session, actor=ada)
    rows = {row.name: row for row in view.agents}
    assert (rows["Ada"].todo, rows["Ada"].in_progress, rows["Ada"].open) == (1, 1, 2)
    assert rows["Ada"].oldest.number == numbers[0]
    assert (rows["Bob"].open, rows["Bob"].available, rows["Bob"].capacity, rows["Bob"].oldest) == (0, False, 4, None)
    assert view.unassigned == 1
    assert not view.can_transfer and workload.workload(session=session, actor=admin).can_transfer


def test_an_admin_moves_all_of_an_agents_open_tickets_to_another_logging_each(session, desk):
    ada, bob, admin, numbers = desk
    moved = workload.transfer_open_tickets(
        session=session, actor=admin, project_key="HD", from_user_id=ada.id, to_user_id=bob.id
    )
    assert moved == 2
    assert [_assignee(session, n) for n in numbers[:3]] == [bob.id, bob.id, ada.id]  # the done one stays
    history = ticket_detail.activity(session=session, actor=admin, number=numbers[0])
    assert history[0].text == "assigned it to Bob (moved from Ada)" and history[0].actor_name == "Root"


def test_an_admin_returns_an_agents_open_tickets_to_the_queue(session, desk):
    ada, _, admin, numbers = desk
    workload.transfer_open_tickets(session=session, actor=admin, project_key="HD", from_user_id=ada.id, to_user_id=None)
    assert [_assignee(session, n) for n in numbers[:2]] == [None, None]
    history = ticket_detail.activity(session=session, actor=admin, number=numbers[1])
    assert history[0].text == "unassigned Ada (Ada's tickets back to the queue)"


def test_only_admins_transfer_and_only_to_the_projects_agents(session, desk):
    ada, bob, admin, _ = desk
    with pytest.raises(PermissionDenied):
        workload.transfer_open_tickets(
            session=session, actor=bob, project_key="HD", from_user_id=ada.id, to_user_id=bob.id
        )
    outsider = person(session, "agent", "Olga")
    with pytest.raises(ValidationFailed):
        workload.transfer_open_tickets(
            session=session, actor=admin, project_key="HD", from_user_id=ada.id, to_user_id=outsider.id
        )


def test_deactivating_an_agent_returns_their_open_tickets_to_the_queue(session, desk):
    ada, _, admin, numbers = desk
    users.set_active(session=session, actor=admin, user_id=ada.id, active=False)
    assert [_assignee(session, n) for n in numbers[:3]] == [None, None, ada.id]
    history = ticket_detail.activity(session=session, actor=admin, number=numbers[0])
    assert history[0].text == "unassigned Ada (Ada was deactivated)"


def test_deactivating_an_agent_can_hand_their_tickets_to_someone_chosen(session, desk):
    ada, bob, admin, numbers = desk
    users.set_active(session=session, actor=admin, user_id=ada.id, active=False, tickets_to=bob.id)
    assert [_assignee(session, n) for n in numbers[:2]] == [bob.id, bob.id]
