"""What each person chooses to hear about: concerns on by default, new tickets per project
(unassigned only by default), and only their own choices, for projects they work."""

from __future__ import annotations

import pytest

from tests.factories import add_member, make_project, make_user
from tickit.services import notification_choices
from tickit.services.errors import NotFound, ValidationFailed


@pytest.fixture
def agent(session):
    for key in ("HH", "OPS"):
        make_project(session, key, name=f"{key} desk")
    agent = make_user(session, "agent")
    add_member(session, 1, agent, "agent")
    add_member(session, 2, agent, "agent")
    return agent


def test_concerns_are_on_and_new_tickets_unassigned_only_until_chosen(session, agent):
    chosen = notification_choices.choices(session=session, actor=agent)

    assert (chosen.assigned, chosen.mentions, chosen.replies) == (True, True, True)
    assert [(p.project_key, p.new_tickets) for p in chosen.projects] == [("HH", "unassigned"), ("OPS", "unassigned")]


def test_an_agent_chooses_new_tickets_per_project(session, agent):
    notification_choices.set_new_tickets(session=session, actor=agent, project_key="OPS", new_tickets="all")
    chosen = notification_choices.set_new_tickets(session=session, actor=agent, project_key="HH", new_tickets="none")

    assert [(p.project_key, p.new_tickets) for p in chosen.projects] == [("HH", "none"), ("OPS", "all")]


def test_concerns_are_switched_separately(session, agent):
    chosen = notification_choices.set_concerns(session=session, actor=agent, mentions=False)

    assert (chosen.assigned, chosen.mentions, chosen.replies) == (True, False, True)


def test_an_unknown_choice_or_a_project_not_worked_is_refused(session, agent):
    with pytest.raises(ValidationFailed):
        notification_choices.set_new_tickets(session=session, actor=agent, project_key="HH", new_tickets="some")
    make_project(session, "XX")
    with pytest.raises(NotFound):
        notification_choices.set_new_tickets(session=session, actor=agent, project_key="XX", new_tickets="all")


def test_a_client_has_no_projects_to_choose_for(session, agent):
    client = make_user(session, "client")
    add_member(session, 1, client, "client")

    assert notification_choices.choices(session=session, actor=client).projects == ()
