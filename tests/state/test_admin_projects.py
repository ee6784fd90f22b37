"""What the admin's project list and members dialog show."""

from __future__ import annotations

from tests.factories import add_member, file_ticket, make_project, make_user
from tickit.state.admin_projects import member_lines, project_lines


def test_a_project_line_counts_its_agents_clients_and_tickets(session):
    admin = make_user(session, "admin")
    project = make_project(session, "HH", name="Help Hub")
    agent, client = make_user(session, "agent"), make_user(session, "client")
    add_member(session, project.id, agent, "agent")
    add_member(session, project.id, client, "client")
    file_ticket(session, client)

    [line] = project_lines(session, admin)

    assert (line.key, line.name, line.agents, line.clients, line.tickets) == ("HH", "Help Hub", 1, 1, 1)
    assert line.types


def test_the_members_dialog_lists_each_member_with_their_role_in_the_project(session):
    admin = make_user(session, "admin")
    project = make_project(session, "HH")
    agent = make_user(session, "agent", name="Ana Agent")
    add_member(session, project.id, agent, "agent")

    assert [(m.name, m.email, m.project_role) for m in member_lines(session, admin, "HH")] == [
        ("Ana Agent", agent.email, "agent")
    ]
