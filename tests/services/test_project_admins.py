"""Project admins: agents who configure their own project's settings and members, and nothing global."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.factories import add_member, file_ticket, make_project, make_user
from tickit.models import utcnow
from tickit.services import (
    access,
    api_clients,
    assignment_admin,
    audit,
    intake_policy,
    lifecycle,
    mail_in,
    mailboxes,
    organisations,
    project_setup,
    projects,
    sla_admin,
    templates,
    users,
    workflow_admin,
)
from tickit.services.errors import PermissionDenied, ValidationFailed


@pytest.fixture
def people(session):
    hh, it = make_project(session, "HH"), make_project(session, "IT", template="it-helpdesk")
    people = {
        "global admin": make_user(session, "admin"),
        "project admin of this project": make_user(session, "agent"),
        "project admin of another project": make_user(session, "agent"),
        "agent": make_user(session, "agent"),
    }
    add_member(session, hh.id, people["project admin of this project"], "admin")
    add_member(session, it.id, people["project admin of another project"], "admin")
    add_member(session, hh.id, people["agent"], "agent")
    return people


# What a project admin configures, each as a use case on project HH.
SETTINGS: dict[str, Callable] = {
    "workflow": lambda s, a: workflow_admin.list_types(session=s, actor=a, project_key="HH"),
    "SLA": lambda s, a: sla_admin.sla_settings(session=s, actor=a, project_key="HH", now=utcnow()),
    "assignment": lambda s, a: assignment_admin.set_rule(
        session=s, actor=a, project_key="HH", changes={"strategy": "round-robin"}
    ),
    "lifecycle": lambda s, a: lifecycle.get_settings(session=s, actor=a, project_key="HH"),
    "intake": lambda s, a: intake_policy.update_intake(
        session=s, actor=a, project_key="HH", changes={"tickets_per_hour": 5}
    ),
    "mailboxes": lambda s, a: mailboxes.list_mailboxes(session=s, actor=a, project_key="HH"),
    "mail received": lambda s, a: mail_in.recent(session=s, actor=a, project_key="HH"),
    "API clients": lambda s, a: api_clients.create_api_client(session=s, actor=a, project_key="HH", name="Shop"),
    "members": lambda s, a: projects.list_members(session=s, actor=a, project_key="HH"),
}
CELLS = [
    ("global admin", True),
    ("project admin of this project", True),
    ("project admin of another project", False),
    ("agent", False),
]


@pytest.mark.parametrize("setting", SETTINGS)
@pytest.mark.parametrize(("who", "allowed"), CELLS)
def test_who_configures_a_project(session, people, setting, who, allowed):
    use_case = SETTINGS[setting]
    if allowed:
        use_case(session, people[who])
    else:
        with pytest.raises(PermissionDenied):
            use_case(session, people[who])


# What stays with global admins.
GLOBAL: dict[str, Callable] = {
    "users": lambda s, a: users.list_users(session=s, actor=a),
    "audit log": lambda s, a: audit.entries(session=s, actor=a),
    "organisations": lambda s, a: organisations.list_organisations(session=s, actor=a),
    "new project": lambda s, a: project_setup.create_project(
        session=s, actor=a, key="NEW", name="New", workflow=templates.load_template("software-feedback")
    ),
    "roles": lambda s, a: users.change_role(session=s, actor=a, user_id=a.id, role="admin"),
    "another project's settings": lambda s, a: sla_admin.sla_settings(
        session=s, actor=a, project_key="IT", now=utcnow()
    ),
}


@pytest.mark.parametrize("thing", GLOBAL)
def test_a_project_admin_touches_nothing_global(session, people, thing):
    with pytest.raises(PermissionDenied):
        GLOBAL[thing](session, people["project admin of this project"])


def test_a_project_admin_manages_their_projects_members(session, people):
    project_admin = people["project admin of this project"]
    newcomer = make_user(session, "agent", email="newcomer@example.com")
    row = projects.add_member(
        session=session, actor=project_admin, project_key="HH", email=newcomer.email, project_role="admin"
    )
    assert row.project_role == "admin"
    assert access.configured_projects(session, newcomer) == [("HH", "Project HH")]
    projects.remove_member(session=session, actor=project_admin, project_key="HH", user_id=newcomer.id)
    assert access.configured_projects(session, newcomer) == []
    with pytest.raises(PermissionDenied):
        projects.add_member(
            session=session, actor=project_admin, project_key="IT", email=newcomer.email, project_role="agent"
        )


def test_a_client_cannot_be_made_a_project_admin(session, people):
    client = make_user(session, "client")
    with pytest.raises(ValidationFailed) as refused:
        projects.add_member(
            session=session, actor=people["global admin"], project_key="HH", email=client.email, project_role="admin"
        )
    assert "make them an agent before adding them as admin" in refused.value.errors["project_role"]


def test_a_project_admin_lists_only_their_projects_and_an_agent_none(session, people):
    listed = projects.list_projects(session=session, actor=people["project admin of this project"])
    assert [p.key for p in listed] == ["HH"] and listed[0].agent_count == 2
    assert {p.key for p in projects.list_projects(session=session, actor=people["global admin"])} == {"HH", "IT"}
    with pytest.raises(PermissionDenied):
        projects.list_projects(session=session, actor=people["agent"])


def test_a_project_admin_works_the_projects_tickets_like_an_agent(session, people):
    client = make_user(session, "client")
    add_member(session, access.get_project(session, "HH").id, client, "client")
    number = file_ticket(session, client)
    ticket = access.ticket_for(session, people["project admin of this project"], number)
    assert access.can_work(session, people["project admin of this project"], ticket.project_id)
    assert not access.can_work(session, people["project admin of another project"], ticket.project_id)
