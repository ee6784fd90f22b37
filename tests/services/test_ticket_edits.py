"""Editing a ticket's title and description, filing on behalf of a client, and changing the requester."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.factories import add_member, file_ticket, make_project, make_user
from tickit.models import ActivityEntry, ProjectMember, Source, Ticket, User
from tickit.services import comments, ticket_detail, ticket_edits, tickets
from tickit.services.errors import PermissionDenied, ValidationFailed


@pytest.fixture
def desk(session):
    project = make_project(session, "HH")
    client, agent = make_user(session, "client", name="Cleo Client"), make_user(session, "agent", name="Ana Agent")
    add_member(session, project.id, client, "client")
    add_member(session, project.id, agent, "agent")
    return project, client, agent, file_ticket(session, client, title="Export fails")


def edit(session, actor, number, **changes):
    return ticket_edits.edit_ticket(session=session, actor=actor, number=number, changes=changes)


def entries(session, action):
    return session.exec(select(ActivityEntry).where(ActivityEntry.action == action)).all()


def test_staff_edit_the_title_and_a_rich_text_description_sanitised_like_comments(session, desk):
    _, _, agent, number = desk
    edited = edit(
        session,
        agent,
        number,
        title="  CSV export fails on large projects ",
        description_html='<p onclick="x()">Fails with <strong>10k</strong> rows<script>alert(1)</script></p>',
    )

    assert edited.title == "CSV export fails on large projects"
    assert edited.description_html == "<p>Fails with <strong>10k</strong> rows</p>"
    assert edited.description == "Fails with 10k rows"
    [renamed] = entries(session, "title_changed")
    assert (renamed.before, renamed.after) == (
        {"title": "Export fails"},
        {"title": "CSV export fails on large projects"},
    )
    [described] = entries(session, "description_changed")
    assert (described.before, described.after) == ({"text": "Steps to reproduce…"}, {"text": "Fails with 10k rows"})
    assert ticket_detail.describe(renamed) == "renamed it from “Export fails” to “CSV export fails on large projects”"


def test_an_edit_that_changes_nothing_is_not_logged(session, desk):
    _, _, agent, number = desk
    edit(session, agent, number, title="Export fails")
    assert entries(session, "title_changed") == []


def test_the_requester_edits_until_the_team_first_replies(session, desk):
    _, client, agent, number = desk
    edit(session, client, number, title="Export fails with an error")
    assert ticket_detail.ticket_detail(session=session, actor=client, number=number).editable

    comments.add_comment(session=session, actor=agent, number=number, body_html="<p>Looking</p>")

    history = [a.text for a in ticket_detail.activity(session=session, actor=client, number=number)]
    assert "renamed it from “Export fails” to “Export fails with an error”" in history
    with pytest.raises(PermissionDenied):
        edit(session, client, number, title="Something else")
    assert not ticket_detail.ticket_detail(session=session, actor=client, number=number).editable
    assert session.exec(select(Ticket)).one().title == "Export fails with an error"


def test_an_internal_note_does_not_end_the_requesters_editing(session, desk):
    _, client, agent, number = desk
    comments.add_comment(session=session, actor=agent, number=number, body_html="<p>Hm</p>", internal=True)
    edit(session, client, number, title="Still mine to fix")


def test_bad_edits_are_refused_at_their_field_and_change_nothing(session, desk):
    _, _, agent, number = desk
    with pytest.raises(ValidationFailed) as refused:
        edit(session, agent, number, title="   ", description_html="x" * 100_001)
    assert set(refused.value.errors) == {"title", "description"}
    with pytest.raises(ValidationFailed):
        edit(session, agent, number, priority="urgent")
    assert session.exec(select(Ticket)).one().title == "Export fails"


def test_staff_file_on_behalf_of_a_new_client_by_email(session, desk):
    project, _, agent, _ = desk
    requester = ticket_edits.requester_for(
        session=session, actor=agent, project_key="HH", email=" Bob@Example.com ", name="Bob Builder"
    )
    filed = tickets.file_ticket(
        session=session,
        actor=agent,
        source=Source.WEB,
        project_key="HH",
        type_key="question",
        title="Phoned in: cannot sign in",
        description="",
        reporter_id=requester.id,
        field_values={"topic": "account"},
    )

    bob = session.get(User, requester.id)
    assert (bob.email, bob.name, bob.role, bob.password_hash) == ("bob@example.com", "Bob Builder", "client", None)
    assert session.get(ProjectMember, (project.id, bob.id)).role == "client"
    assert session.get(Ticket, filed.id).reporter_id == bob.id


def test_a_requester_is_a_client_never_staff(session, desk):
    _, _, agent, _ = desk
    with pytest.raises(ValidationFailed) as refused:
        ticket_edits.requester_for(session=session, actor=agent, project_key="HH", email=agent.email)
    assert "belongs to a member of staff" in refused.value.errors["requester"]
    with pytest.raises(ValidationFailed):
        ticket_edits.requester_for(session=session, actor=agent, project_key="HH", email="not an address")


def test_staff_change_the_requester_and_it_is_logged_but_clients_cannot(session, desk):
    project, client, agent, number = desk
    other = make_user(session, "client", name="Olga Other")

    with pytest.raises(PermissionDenied):
        ticket_edits.change_requester(session=session, actor=client, number=number, email=other.email)
    ticket_edits.change_requester(session=session, actor=agent, number=number, email=other.email)

    assert session.exec(select(Ticket)).one().reporter_id == other.id
    [changed] = entries(session, "requester_changed")
    assert ticket_detail.describe(changed) == "changed the requester from Cleo Client to Olga Other"
    assert session.get(ProjectMember, (project.id, other.id)) is not None
