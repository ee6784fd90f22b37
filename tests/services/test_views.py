"""Saved views: personal or shared with a project, in the sidebar with capped counts, reorderable, in the YAML."""

from dataclasses import replace

import pytest

from tests.factories import add_member, file_ticket, make_project, make_user
from tickit.services import ticket_detail, ticket_list, views
from tickit.services.errors import NotFound, PermissionDenied, ValidationFailed
from tickit.services.templates import TEMPLATE_DIR, TemplateError, export_project, parse_workflow


@pytest.fixture
def desk(session):
    project = make_project(session, "HH")
    make_project(session, "OPS")
    agent, other, client = make_user(session, "agent"), make_user(session, "agent"), make_user(session, "client")
    for user, role in ((agent, "agent"), (other, "agent"), (client, "client")):
        add_member(session, project.id, user, role)
    for title in ("Export fails", "Login loops", "Dark mode"):
        file_ticket(session, client, title=title, type_key="bug")
    return {"agent": agent, "other": other, "client": client}


def _sidebar(session, actor):
    return [(line.name, line.count, line.shared_with) for line in views.sidebar(session=session, actor=actor)]


def test_every_template_ships_three_shared_views_after_the_two_built_in_ones(session, desk):
    assert _sidebar(session, desk["agent"]) == [
        ("My open tickets", "0", ""),
        ("All tickets", "3", ""),
        ("Unassigned", "3", "HH"),
        ("SLA breached", "0", "HH"),
        ("Urgent and high", "0", "HH"),
    ]


def test_counts_follow_the_tickets(session, desk):
    ticket_detail.assign(session=session, actor=desk["agent"], number="HH-1", assignee_id=desk["agent"].id)
    counts = dict((name, count) for name, count, _ in _sidebar(session, desk["agent"]))
    assert (counts["My open tickets"], counts["Unassigned"]) == ("1", "2")


def test_a_count_past_the_cap_reads_999_plus(session, desk, monkeypatch):
    monkeypatch.setattr(views, "COUNT_CAP", 2)
    assert dict((n, c) for n, c, _ in _sidebar(session, desk["agent"]))["Unassigned"] == "2+"


def test_a_personal_view_is_its_owners_and_a_shared_one_every_project_agents(session, desk):
    mine = views.save_view(session=session, actor=desk["agent"], name=" Mine urgent ", query_string="priority=urgent")
    assert (mine.name, mine.url, mine.shared_with) == ("Mine urgent", "/tickets?priority=urgent", "")
    views.save_view(session=session, actor=desk["agent"], name="Team", query_string="q=export", project_key="HH")
    assert "Mine urgent" in [n for n, _, _ in _sidebar(session, desk["agent"])]
    other = [n for n, _, _ in _sidebar(session, desk["other"])]
    assert "Mine urgent" not in other and "Team" in other
    with pytest.raises(NotFound):
        views.delete_view(session=session, actor=desk["other"], view_id=mine.id)
    with pytest.raises(PermissionDenied):
        views.save_view(session=session, actor=desk["agent"], name="Theirs", query_string="", project_key="OPS")
    with pytest.raises(ValidationFailed):
        views.save_view(session=session, actor=desk["agent"], name="  ", query_string="")


def test_views_are_reordered_within_their_owner(session, desk):
    a = views.save_view(session=session, actor=desk["agent"], name="A", query_string="priority=low")
    views.save_view(session=session, actor=desk["agent"], name="B", query_string="priority=high")
    views.move_view(session=session, actor=desk["agent"], view_id=a.id, step=1)
    names = [n for n, _, shared in _sidebar(session, desk["agent"]) if not shared]
    assert names == ["My open tickets", "All tickets", "B", "A"]
    views.move_view(session=session, actor=desk["agent"], view_id=a.id, step=1)  # already last: stays
    assert [n for n, _, s in _sidebar(session, desk["agent"]) if not s] == ["My open tickets", "All tickets", "B", "A"]


def test_shared_views_travel_in_the_project_yaml(session, desk):
    views.save_view(session=session, actor=desk["agent"], name="Exports", query_string="q=export", project_key="HH")
    views.save_view(session=session, actor=desk["agent"], name="Personal", query_string="q=mine")
    document = parse_workflow(export_project(session=session, project_key="HH"), "export")
    assert [name for name, _ in document.views] == ["Unassigned", "SLA breached", "Urgent and high", "Exports"]


def test_a_view_section_naming_nothing_the_list_knows_is_refused_with_its_line():
    shipped = (TEMPLATE_DIR / "software-feedback.yaml").read_text().split("\nviews:")[0]
    with pytest.raises(TemplateError, match=r"line \d+: views\[0\]\.query: names no filter"):
        parse_workflow(shipped + "\nviews:\n  - {name: Odd, query: 'colour=blue'}\n", "x.yaml")


def test_the_list_opens_on_my_open_tickets_for_whoever_works_a_project(session, desk):
    assert views.opening_query(session=session, actor=desk["agent"]) == views.MY_OPEN
    assert views.MY_OPEN == ticket_list.TicketQuery(assignee="me", status_categories=("in_progress", "todo"))
    working_admin = make_user(session, "admin")
    add_member(session, 1, working_admin, "agent")
    assert views.opening_query(session=session, actor=working_admin) == views.MY_OPEN


def test_an_admin_who_works_no_project_opens_on_every_ticket_and_a_client_on_no_staff_list(session, desk):
    assert views.opening_query(session=session, actor=make_user(session, "admin")) == ticket_list.TicketQuery()
    with pytest.raises(PermissionDenied):
        views.opening_query(session=session, actor=desk["client"])


def test_every_ticket_has_an_address_of_its_own_and_filtered_addresses_keep_theirs(session, desk):
    lines = {line.name: line.url for line in views.sidebar(session=session, actor=desk["agent"])}
    assert lines["All tickets"] == "/tickets?view=all"
    assert lines["My open tickets"] == "/tickets?category=in_progress%2Ctodo&assignee=me"
    everything = views.save_view(session=session, actor=desk["agent"], name="Everything", query_string="")
    assert everything.url == "/tickets?view=all"
    assert views.query_of("view=all") == ticket_list.TicketQuery()
    assert views.query_of("priority=urgent") == ticket_list.TicketQuery(priorities=("urgent",))


def test_the_built_in_views_are_named_whatever_the_sort(session, desk):
    assert views.built_in_name(replace(views.MY_OPEN, sort="priority", direction="asc")) == "My open tickets"
    assert views.built_in_name(ticket_list.TicketQuery(sort="created")) == "All tickets"
    assert views.built_in_name(replace(views.MY_OPEN, priorities=("urgent",))) == ""
