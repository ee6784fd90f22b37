"""The ticket page's data and edits: assignee, priority, custom fields, and the activity log."""

import pytest
from sqlmodel import select

from tests.factories import add_member, file_ticket, make_project, make_user
from tickit.models import ActivityEntry, Ticket, TicketTypeField
from tickit.services import comments, ticket_detail, workflow
from tickit.services.errors import NotFound, PermissionDenied, ValidationFailed


@pytest.fixture
def desk(session):
    project = make_project(session, "HH")
    agent, other, client = make_user(session, "agent"), make_user(session, "agent"), make_user(session, "client")
    for user, role in ((agent, "agent"), (other, "agent"), (client, "client")):
        add_member(session, project.id, user, role)
    file_ticket(session, client, title="Export fails", type_key="bug")
    return {"agent": agent, "other": other, "client": client, "project": project}


def test_the_detail_shows_status_legal_moves_reporter_and_fields(session, desk):
    detail = ticket_detail.ticket_detail(session=session, actor=desk["agent"], number="HH-1")
    assert (detail.number, detail.title, detail.status.key, detail.can_work) == ("HH-1", "Export fails", "new", True)
    assert "triaged" in [m.key for m in detail.legal_moves]
    assert detail.reporter_name == desk["client"].name
    severity = next(f for f in detail.fields if f.key == "severity")
    assert severity.required and severity.shown


def test_another_client_gets_not_found(session, desk):
    stranger = make_user(session, "client")
    with pytest.raises(NotFound):
        ticket_detail.ticket_detail(session=session, actor=stranger, number="HH-1")


def test_assigning_to_an_agent_of_the_project_is_logged(session, desk):
    ticket_detail.assign(session=session, actor=desk["agent"], number="HH-1", assignee_id=desk["other"].id)
    ticket_detail.assign(session=session, actor=desk["agent"], number="HH-1", assignee_id=None)
    texts = [a.text for a in ticket_detail.activity(session=session, actor=desk["agent"], number="HH-1")]
    assert texts[:2] == [f"unassigned {desk['other'].name}", f"assigned it to {desk['other'].name}"]
    assert texts[-1] == "created the ticket"


def test_only_the_projects_agents_can_be_assignees_and_clients_cannot_assign(session, desk):
    outsider = make_user(session, "agent")
    with pytest.raises(ValidationFailed):
        ticket_detail.assign(session=session, actor=desk["agent"], number="HH-1", assignee_id=outsider.id)
    with pytest.raises(PermissionDenied):
        ticket_detail.assign(session=session, actor=desk["client"], number="HH-1", assignee_id=desk["agent"].id)
    assert ticket_detail.assignable_agents(session=session, actor=desk["client"], number="HH-1") == []


def test_priority_changes_are_validated_and_logged(session, desk):
    with pytest.raises(ValidationFailed):
        ticket_detail.set_priority(session=session, actor=desk["agent"], number="HH-1", priority="asap")
    ticket_detail.set_priority(session=session, actor=desk["agent"], number="HH-1", priority="urgent")
    [entry] = session.exec(select(ActivityEntry).where(ActivityEntry.action == "priority_changed")).all()
    assert (entry.before, entry.after) == ({"priority": "normal"}, {"priority": "urgent"})


def test_a_field_is_edited_through_the_shared_validator(session, desk):
    with pytest.raises(ValidationFailed) as caught:
        ticket_detail.set_field(session=session, actor=desk["agent"], number="HH-1", key="severity", value="nope")
    assert list(caught.value.errors) == ["fields.severity"]
    view = ticket_detail.set_field(session=session, actor=desk["agent"], number="HH-1", key="severity", value="minor")
    assert view.value == "minor"
    [text] = [
        a.text
        for a in ticket_detail.activity(session=session, actor=desk["agent"], number="HH-1")
        if a.action == "field_changed"
    ]
    assert text.startswith("changed Severity from ") and text.endswith("to Minor – there is a workaround")


def test_an_archived_fields_value_stays_readable(session, desk):
    ticket_detail.set_field(session=session, actor=desk["agent"], number="HH-1", key="app_version", value="2.1")
    field = session.exec(
        select(TicketTypeField)
        .join(Ticket, Ticket.type_id == TicketTypeField.type_id)
        .where(Ticket.number == 1, TicketTypeField.key == "app_version")
    ).one()
    field.archived = True  # as the type editor's archive does; its own tests cover that path
    session.add(field)
    session.flush()
    detail = ticket_detail.ticket_detail(session=session, actor=desk["agent"], number="HH-1")
    archived = next(f for f in detail.fields if f.key == "app_version")
    assert (archived.archived, archived.shown) == (True, "2.1")


def test_clients_do_not_see_activity_about_internal_notes(session, desk):
    note = comments.add_comment(
        session=session, actor=desk["agent"], number="HH-1", body_html="<p>secret</p>", internal=True
    )
    comments.edit_comment(session=session, actor=desk["agent"], comment_id=note.id, body_html="<p>secret, edited</p>")
    workflow.move(session=session, actor=desk["agent"], number="HH-1", to_status="triaged")
    agent_view = [a.action for a in ticket_detail.activity(session=session, actor=desk["agent"], number="HH-1")]
    client_view = [a.action for a in ticket_detail.activity(session=session, actor=desk["client"], number="HH-1")]
    assert {"comment_added", "comment_edited"} <= set(agent_view)
    assert not {"comment_added", "comment_edited"} & set(client_view)
    assert "status_changed" in agent_view


def _requester_timeline(session, desk) -> list[str]:
    return [a.text for a in ticket_detail.activity(session=session, actor=desk["client"], number="HH-1")]


def test_the_clients_timeline_holds_only_public_events_with_the_status_in_plain_words(session, desk):
    agent = desk["agent"]
    workflow.move(session=session, actor=agent, number="HH-1", to_status="triaged")
    ticket_detail.set_priority(session=session, actor=agent, number="HH-1", priority="urgent")
    ticket_detail.assign(session=session, actor=agent, number="HH-1", assignee_id=agent.id)
    ticket_detail.set_field(session=session, actor=agent, number="HH-1", key="app_version", value="2.1")
    comments.add_comment(session=session, actor=agent, number="HH-1", body_html="<p>On it</p>")
    workflow.move(session=session, actor=agent, number="HH-1", to_status="in_progress")

    assert _requester_timeline(session, desk) == ["moved it to In progress", "commented", "created the ticket"]
    assert len(ticket_detail.activity(session=session, actor=agent, number="HH-1")) == 7


def test_the_client_reads_the_public_status_label_and_no_priority(session, desk):
    workflow.move(session=session, actor=desk["agent"], number="HH-1", to_status="wont_fix")

    seen = ticket_detail.ticket_detail(session=session, actor=desk["client"], number="HH-1")
    worked = ticket_detail.ticket_detail(session=session, actor=desk["agent"], number="HH-1")

    assert (seen.public_status, seen.priority) == ("Closed", "")
    assert (worked.status.name, worked.priority) == ("Won't fix", "normal")


def test_the_client_sees_only_the_fields_visible_to_the_requester(session, desk):
    ticket_detail.set_field(session=session, actor=desk["agent"], number="HH-1", key="app_version", value="2.1")
    field = session.exec(select(TicketTypeField).where(TicketTypeField.key == "severity")).first()
    field.visible_to_requester = False
    session.add(field)
    session.flush()

    seen = ticket_detail.ticket_detail(session=session, actor=desk["client"], number="HH-1")
    worked = ticket_detail.ticket_detail(session=session, actor=desk["agent"], number="HH-1")

    assert "severity" not in [f.key for f in seen.fields]
    assert next(f.shown for f in seen.fields if f.key == "app_version") == "2.1"
    assert "severity" in [f.key for f in worked.fields]
