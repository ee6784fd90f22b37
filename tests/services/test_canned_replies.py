"""Canned replies: who keeps which, and placeholders filled in a sandbox that reaches no internals."""

import pytest
from sqlmodel import select

from tests.factories import add_member, file_ticket, make_project, make_user
from tickit.models import AuditEntry, Project
from tickit.services import canned_replies
from tickit.services.canned_replies import ReplyDraft
from tickit.services.errors import NotFound, PermissionDenied, ValidationFailed


@pytest.fixture
def desk(session):
    project = make_project(session, "HH")
    agent = make_user(session, "agent", name="Grace Hopper")
    other = make_user(session, "agent")
    admin = make_user(session, "admin")
    client = make_user(session, "client", name="Ada Lovelace")
    for user, role in ((agent, "agent"), (other, "agent"), (client, "client")):
        add_member(session, project.id, user, role)
    file_ticket(session, client, title="Export fails", type_key="bug")
    return {"agent": agent, "other": other, "admin": admin, "client": client}


def _save(session, actor, title="Thanks", body="<p>Hi {{ requester.first_name }}</p>", **changes):
    draft = ReplyDraft(title=title, body_html=body, **changes)
    return canned_replies.save_reply(session=session, actor=actor, project_key="HH", draft=draft)


def test_placeholders_are_filled_for_the_ticket_and_the_agent(session, desk):
    body = "<p>Hi {{ requester.first_name }}, {{ ticket.number }} ({{ ticket.title }}) is with {{ agent.name }}.</p>"
    reply = _save(session, desk["agent"], body=body)
    html = canned_replies.render_for_ticket(session=session, actor=desk["agent"], number="hh-1", reply_id=reply.id)
    assert html == "<p>Hi Ada, HH-1 (Export fails) is with Grace Hopper.</p>"


def test_values_are_escaped_as_html(session, desk):
    reply = _save(session, desk["agent"], body="<p>{{ ticket.title }}</p>")
    from tickit.models import Ticket

    ticket = session.exec(select(Ticket)).one()
    ticket.title = "<script>alert(1)</script>"
    session.add(ticket)
    html = canned_replies.render_for_ticket(session=session, actor=desk["agent"], number="HH-1", reply_id=reply.id)
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize(
    "body",
    [
        "<p>{{ ticket.__class__ }}</p>",
        "<p>{{ ''.__class__.__mro__ }}</p>",
        "<p>{{ ticket.items() }}</p>",
        "<p>{{ requester.frist_name }}</p>",
        "<p>{{ ticket.number </p>",
    ],
)
def test_a_template_reaching_past_its_values_is_refused_when_saved(session, desk, body):
    with pytest.raises(ValidationFailed) as caught:
        _save(session, desk["agent"], body=body)
    assert list(caught.value.errors) == ["body"]


def test_the_sandbox_refuses_internals_at_render_time_too(session, desk):
    values = {"ticket": {"number": "HH-1"}}
    for template in ("{{ ticket.__class__ }}", "{{ ''.__class__.__mro__[1].__subclasses__() }}", "{{ ticket.keys }}"):
        with pytest.raises(ValidationFailed):
            canned_replies.render(template, values)


def test_personal_replies_are_their_owners_and_shared_ones_every_agents(session, desk):
    mine = _save(session, desk["agent"], title="Mine")
    shared = _save(session, desk["admin"], title="Shared", shared=True)
    titles = [r.title for r in canned_replies.replies_for(session=session, actor=desk["other"], project_key="HH")]
    assert titles == ["Shared"]
    with pytest.raises(NotFound):
        canned_replies.render_for_ticket(session=session, actor=desk["other"], number="HH-1", reply_id=mine.id)
    options = canned_replies.replies_for(session=session, actor=desk["agent"], project_key="HH")
    assert [(r.title, r.shared, r.editable) for r in options] == [("Mine", False, True), ("Shared", True, False)]
    assert shared.editable


def test_only_admins_share_and_change_shared_replies_and_the_audit_log_keeps_it(session, desk):
    with pytest.raises(PermissionDenied):
        _save(session, desk["agent"], shared=True)
    shared = _save(session, desk["admin"], title="Shared", shared=True)
    with pytest.raises(PermissionDenied):
        canned_replies.delete_reply(session=session, actor=desk["agent"], project_key="HH", reply_id=shared.id)
    canned_replies.delete_reply(session=session, actor=desk["admin"], project_key="HH", reply_id=shared.id)
    entries = session.exec(select(AuditEntry).where(AuditEntry.action == "canned_reply.edited").order_by(AuditEntry.id))
    changes = [e.after["change"] for e in entries.all()]
    assert changes[-2:] == ["created", "deleted"]


def test_a_project_admin_manages_the_projects_shared_replies(session, desk):
    lead = make_user(session, "agent", name="Lead Agent")
    add_member(session, make_project(session, "OP").id, lead, "admin")
    add_member(session, session.exec(select(Project).where(Project.key == "HH")).one().id, lead, "admin")
    shared = _save(session, lead, title="Shared by the lead", shared=True)

    assert canned_replies.replies_page(session=session, actor=lead, project_key="HH").may_share
    listed = canned_replies.replies_for(session=session, actor=lead, project_key="HH")
    assert [(r.title, r.shared, r.editable) for r in listed] == [("Shared by the lead", True, True)]
    assert [r.editable for r in canned_replies.replies_for(session=session, actor=desk["agent"], project_key="HH")] == [
        False
    ]
    canned_replies.delete_reply(session=session, actor=lead, project_key="HH", reply_id=shared.id)


def test_clients_have_no_canned_replies(session, desk):
    with pytest.raises(PermissionDenied):
        canned_replies.replies_for(session=session, actor=desk["client"], project_key="HH")


def test_a_macros_changes_are_checked_when_saved(session, desk):
    with pytest.raises(ValidationFailed) as caught:
        _save(session, desk["agent"], set_status="nowhere", set_priority="asap", set_assignee_id=desk["client"].id)
    assert set(caught.value.errors) == {"set_status", "set_priority", "set_assignee"}


def test_the_manage_page_offers_the_projects_statuses_and_agents(session, desk):
    _save(session, desk["agent"], title="Mine")
    page = canned_replies.replies_page(session=session, actor=desk["agent"], project_key="hh")
    assert (page.project_key, page.may_share) == ("HH", False)
    assert [r.title for r in page.replies] == ["Mine"]
    assert ("triaged", "Triaged") in page.statuses and ("under_review", "Under review") in page.statuses
    assert {name for _, name in page.agents} == {desk["agent"].name, desk["other"].name}
    assert canned_replies.replies_page(session=session, actor=desk["admin"]).may_share


def test_the_menu_says_what_a_macro_does_besides_the_reply(session, desk):
    _save(session, desk["agent"], title="Plain")
    _save(session, desk["agent"], title="Triage", set_status="triaged", set_priority="high")
    hints = [r.hint for r in canned_replies.replies_for(session=session, actor=desk["agent"], project_key="HH")]
    assert hints == ["Your reply", "Your macro: status → Triaged, priority → high"]


def test_a_macros_tags_are_saved_in_the_tags_own_form_and_named_in_its_hint(session, desk):
    macro = _save(session, desk["agent"], add_tags=(" VIP ", "Billing issue", ""), remove_tags=("waiting",))
    assert (macro.add_tags, macro.remove_tags, macro.is_macro) == (("billing-issue", "vip"), ("waiting",), True)
    assert macro.hint == "Your macro: tags +billing-issue +vip \u2212waiting"
    [listed] = canned_replies.replies_for(session=session, actor=desk["agent"], project_key="HH")
    assert listed.add_tags == ("billing-issue", "vip")


@pytest.mark.parametrize(
    ("add", "remove", "message"),
    [
        (("no/slashes",), (), "is not a tag"),
        (("x" * 41,), (), "under 41 characters"),
        (("vip",), ("VIP",), "cannot both add and remove “vip”"),
    ],
)
def test_a_macros_tags_follow_the_tag_rules(session, desk, add, remove, message):
    with pytest.raises(ValidationFailed) as refused:
        _save(session, desk["agent"], add_tags=add, remove_tags=remove)
    assert message in refused.value.errors["tags"]
