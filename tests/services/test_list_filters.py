"""The staff list's filter bar offers the projects, types, statuses and agents the actor works with, and no others."""

from __future__ import annotations

import pytest
from sqlmodel import update

from tests.factories import add_member, make_project, make_user
from tickit.models import User
from tickit.services.errors import PermissionDenied
from tickit.services.list_filters import filter_choices


def test_agent_is_offered_only_the_projects_they_work(session):
    hh = make_project(session, "HH")
    make_project(session, "XY")
    agent = make_user(session, role="agent")
    add_member(session, hh.id, agent, "agent")

    choices = filter_choices(session=session, actor=agent)

    assert [key for key, _ in choices.projects] == ["HH"]
    assert choices.types and {t.project_key for t in choices.types} == {"HH"}
    assert choices.statuses and {s.project_key for s in choices.statuses} == {"HH"}
    type_keys = {t.key for t in choices.types}
    assert {s.type_key for s in choices.statuses} <= type_keys


def test_admin_is_offered_every_project(session):
    make_project(session, "HH")
    make_project(session, "XY")
    admin = make_user(session, role="admin")

    assert {key for key, _ in filter_choices(session=session, actor=admin).projects} == {"HH", "XY"}


def test_agent_of_no_project_is_offered_nothing_and_a_client_is_refused(session):
    make_project(session, "HH")
    assert filter_choices(session=session, actor=make_user(session, role="agent")).projects == []
    with pytest.raises(PermissionDenied):
        filter_choices(session=session, actor=make_user(session, role="client"))


def test_the_assignee_filter_offers_the_active_agents_of_the_projects_one_works(session):
    hh, xy, other = make_project(session, "HH"), make_project(session, "XY"), make_project(session, "ZZ")
    me = make_user(session, role="agent", name="Mia Me")
    colleague = make_user(session, role="agent", name="Ada Colleague")
    elsewhere = make_user(session, role="agent", name="Eve Elsewhere")
    gone = make_user(session, role="agent", name="Gus Gone")
    client = make_user(session, role="client", name="Cleo Client")
    for project, user, role in (
        (hh, me, "agent"),
        (xy, me, "agent"),
        (hh, colleague, "agent"),
        (xy, gone, "agent"),
        (hh, client, "client"),
        (other, elsewhere, "agent"),
    ):
        add_member(session, project.id, user, role)
    session.exec(update(User).where(User.id == gone.id).values(is_active=False))

    agents = filter_choices(session=session, actor=me).agents

    assert [(a.project_key, a.name) for a in agents] == [
        ("HH", "Ada Colleague"),
        ("HH", "Mia Me"),
        ("XY", "Mia Me"),
    ]
