"""Tags: one vocabulary per project, on tickets through their agents, logged, renamed and merged by admins."""

import pytest
from sqlmodel import select

from tests.factories import add_member, file_ticket, make_project, make_user
from tickit.models import ActivityEntry, AuditEntry, Project, Tag
from tickit.services import tags, ticket_detail, ticket_list
from tickit.services.errors import NotFound, PermissionDenied, ValidationFailed


@pytest.fixture
def desk(session):
    project = make_project(session, "HH")
    make_project(session, "OPS")
    agent, client, admin = make_user(session, "agent"), make_user(session, "client"), make_user(session, "admin")
    add_member(session, project.id, agent, "agent")
    add_member(session, project.id, client, "client")
    for title in ("Export fails", "Login loops", "Dark mode"):
        file_ticket(session, client, title=title, type_key="bug")
    return {"agent": agent, "client": client, "admin": admin}


def _tags(session, desk, number="HH-1"):
    return list(ticket_detail.ticket_detail(session=session, actor=desk["agent"], number=number).tags)


def test_names_are_normalised_so_two_spellings_are_one_tag(session, desk):
    tags.change_tags(session=session, actor=desk["agent"], number="HH-1", add=["VIP", " Billing  issue "])
    tags.change_tags(session=session, actor=desk["agent"], number="HH-2", add=["vip"])
    assert _tags(session, desk) == ["billing-issue", "vip"]
    assert sorted(session.exec(select(Tag.name)).all()) == ["billing-issue", "vip"]


@pytest.mark.parametrize("name", ["", "   ", "no/slashes", "x" * 41, "<b>"])
def test_a_name_that_cannot_be_a_tag_is_refused_by_name(session, desk, name):
    with pytest.raises(ValidationFailed) as refused:
        tags.change_tags(session=session, actor=desk["agent"], number="HH-1", add=[name])
    assert "tag" in refused.value.errors
    assert _tags(session, desk) == []


def test_each_change_is_one_activity_entry_saying_what_was_added_and_removed(session, desk):
    tags.change_tags(session=session, actor=desk["agent"], number="HH-1", add=["vip", "billing"])
    tags.change_tags(session=session, actor=desk["agent"], number="HH-1", add=["refund"], remove=["vip"])
    tags.change_tags(session=session, actor=desk["agent"], number="HH-1", add=["refund"])  # nothing changes
    entries = session.exec(select(ActivityEntry).where(ActivityEntry.action == "tags_changed")).all()
    assert [(e.before["tags"], e.after["tags"]) for e in entries] == [
        ([], ["billing", "vip"]),
        (["billing", "vip"], ["billing", "refund"]),
    ]
    texts = [a.text for a in ticket_detail.activity(session=session, actor=desk["agent"], number="HH-1")]
    assert texts[0] == "tagged it refund and removed tag vip"


def test_requesters_and_agents_of_other_projects_cannot_tag(session, desk):
    with pytest.raises(PermissionDenied):
        tags.change_tags(session=session, actor=desk["client"], number="HH-1", add=["vip"])
    with pytest.raises(NotFound):
        tags.change_tags(session=session, actor=make_user(session, "agent"), number="HH-1", add=["vip"])
    detail = ticket_detail.ticket_detail(session=session, actor=desk["client"], number="HH-1")
    assert detail.tags == ()


def test_suggestions_offer_the_projects_tags_by_prefix_most_used_first(session, desk):
    tags.change_tags(session=session, actor=desk["agent"], number="HH-1", add=["billing", "bug-bash"])
    tags.change_tags(session=session, actor=desk["agent"], number="HH-2", add=["bug-bash"])
    assert tags.suggestions(session=session, actor=desk["agent"], project_key="HH", prefix="B") == [
        "bug-bash",
        "billing",
    ]
    assert tags.suggestions(session=session, actor=desk["agent"], project_key="HH", prefix="bi") == ["billing"]
    with pytest.raises(PermissionDenied):
        tags.suggestions(session=session, actor=desk["agent"], project_key="OPS")


def test_the_list_filters_by_tag_and_shows_each_rows_tags(session, desk):
    tags.change_tags(session=session, actor=desk["agent"], number="HH-1", add=["vip"])
    tags.change_tags(session=session, actor=desk["agent"], number="HH-3", add=["vip", "billing"])
    query = ticket_list.from_query_params({"tag": "VIP"})
    assert ticket_list.to_query_string(query) == "tag=vip"
    page = ticket_list.list_tickets(session=session, actor=desk["agent"], query=query)
    assert {(row.number, row.tags) for row in page.rows} == {("HH-1", ("vip",)), ("HH-3", ("billing", "vip"))}
    nothing = ticket_list.TicketQuery(tags=("unknown",))
    assert ticket_list.list_tickets(session=session, actor=desk["agent"], query=nothing).rows == []


def test_renaming_into_an_existing_tag_merges_them_logged_on_each_ticket_and_audited(session, desk):
    tags.change_tags(session=session, actor=desk["agent"], number="HH-1", add=["refund"])
    tags.change_tags(session=session, actor=desk["agent"], number="HH-2", add=["refunds", "refund"])
    tags.change_tags(session=session, actor=desk["agent"], number="HH-3", add=["refunds"])
    merged = tags.rename_tag(session=session, actor=desk["admin"], project_key="HH", name="refunds", new_name="refund")
    assert (merged.name, merged.tickets, merged.merged) == ("refund", 3, True)
    assert [_tags(session, desk, n) for n in ("HH-1", "HH-2", "HH-3")] == [["refund"], ["refund"], ["refund"]]
    assert [t.name for t in tags.project_tags(session=session, actor=desk["admin"], project_key="HH")] == ["refund"]
    renamed = session.exec(select(ActivityEntry).where(ActivityEntry.after["renamed"].is_not(None))).all()
    assert len([e for e in renamed if e.after.get("renamed")]) == 2  # HH-2 and HH-3 carried it
    [audited] = session.exec(select(AuditEntry).where(AuditEntry.action == "tag.renamed")).all()
    assert audited.after["merged"] is True


def test_only_admins_rename_and_an_unknown_tag_is_named_in_the_error(session, desk):
    tags.change_tags(session=session, actor=desk["agent"], number="HH-1", add=["vip"])
    with pytest.raises(PermissionDenied):
        tags.rename_tag(session=session, actor=desk["agent"], project_key="HH", name="vip", new_name="gold")
    with pytest.raises(ValidationFailed, match="no tag “nope”"):
        tags.rename_tag(session=session, actor=desk["admin"], project_key="HH", name="nope", new_name="gold")
    tags.rename_tag(session=session, actor=desk["admin"], project_key="HH", name="vip", new_name="Gold")
    assert _tags(session, desk) == ["gold"]


def _searched(session, actor, text):
    page = ticket_list.list_tickets(session=session, actor=actor, query=ticket_list.TicketQuery(text=text))
    count = ticket_list.count_tickets(session=session, actor=actor, query=ticket_list.TicketQuery(text=text))
    assert count.total == len(page.rows)
    return sorted(row.title for row in page.rows)


def test_a_tag_term_in_the_search_keeps_the_tickets_carrying_that_tag(session, desk):
    tags.change_tags(session=session, actor=desk["agent"], number="HH-1", add=["vip", "billing"])
    tags.change_tags(session=session, actor=desk["agent"], number="HH-2", add=["vip"])
    agent = desk["agent"]
    assert _searched(session, agent, "tag:vip") == ["Export fails", "Login loops"]
    assert _searched(session, agent, "TAG:VIP") == ["Export fails", "Login loops"]  # any case
    # Every term must match, as every word must: both tags, or a tag and a word.
    assert _searched(session, agent, "tag:vip tag:billing") == ["Export fails"]
    assert _searched(session, agent, "login tag:vip") == ["Login loops"]
    assert _searched(session, agent, "tag:vip dark") == []


def test_a_tag_term_naming_no_tag_matches_nothing_and_tag_words_elsewhere_are_plain_words(session, desk):
    tags.change_tags(session=session, actor=desk["agent"], number="HH-1", add=["vip"])
    assert _searched(session, desk["agent"], "tag:nosuch") == []
    assert _searched(session, desk["agent"], "tag:" + "x" * 60) == []
    # "vip" alone is a word to look for in the text, and no ticket's text holds it.
    assert _searched(session, desk["agent"], "vip") == []


def test_a_tag_term_reaches_only_the_projects_the_agent_works(session, desk):
    ops = session.exec(select(Project).where(Project.key == "OPS")).one()
    ops_agent, ops_client = make_user(session, "agent"), make_user(session, "client")
    add_member(session, ops.id, ops_agent, "agent")
    add_member(session, ops.id, ops_client, "client")
    file_ticket(session, ops_client, "OPS", title="Rack fan noisy")
    tags.change_tags(session=session, actor=ops_agent, number="OPS-1", add=["vip"])
    tags.change_tags(session=session, actor=desk["agent"], number="HH-3", add=["vip"])
    assert _searched(session, desk["agent"], "tag:vip") == ["Dark mode"]
    assert _searched(session, ops_agent, "tag:vip") == ["Rack fan noisy"]
