"""Comments on a ticket: threads, internal notes, mentions, edits and deletions, and who may do what."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import select

from tests.factories import add_member, file_ticket, make_project, make_user
from tickit.models import ActivityEntry, Comment, Ticket, User
from tickit.services import comments
from tickit.services.actors import UserPublic
from tickit.services.errors import NotFound, PermissionDenied, ValidationFailed


@dataclass
class Desk:
    number: str
    client: UserPublic
    agent: UserPublic
    other_agent: UserPublic  # an agent of another project
    admin: UserPublic


@pytest.fixture
def desk(session):
    """Ticket HH-1 filed by a client of HH, worked by an agent of HH."""
    hh, it = make_project(session, "HH"), make_project(session, "IT", template="it-helpdesk")
    client, agent = make_user(session, "client", name="Cleo Client"), make_user(session, "agent", name="Ana Agent")
    other_agent, admin = make_user(session, "agent", name="Otto Other"), make_user(session, "admin", name="Ada Admin")
    add_member(session, hh.id, client, "client")
    add_member(session, hh.id, agent, "agent")
    add_member(session, it.id, other_agent, "agent")
    return Desk(file_ticket(session, client), client, agent, other_agent, admin)


def comment(session, actor, number, body="<p>Hello</p>", **kwargs) -> comments.CommentView:
    return comments.add_comment(session=session, actor=actor, number=number, body_html=body, **kwargs)


def thread_texts(session, actor, number) -> list[str]:
    return [c.text for c in comments.thread(session=session, actor=actor, number=number)]


def activity(session, action: str) -> list[ActivityEntry]:
    return session.exec(select(ActivityEntry).where(ActivityEntry.action == action).order_by(ActivityEntry.id)).all()


def the_ticket(session) -> Ticket:
    return session.exec(select(Ticket)).one()


def mention(user: UserPublic) -> str:
    return f'<span data-type="mention" class="mention" data-id="{user.id}" data-label="{user.name}">@{user.name}</span>'


def test_a_comment_is_sanitised_stored_and_logged(session, desk):
    added = comment(
        session, desk.client, desk.number, '<p onclick="x()">It <strong>still</strong> fails<script>1</script></p>'
    )
    assert added.html == "<p>It <strong>still</strong> fails</p>"
    assert (added.text, added.author_name, added.author_role) == ("It still fails", "Cleo Client", "client")
    assert not (added.internal or added.edited or added.deleted)
    (entry,) = activity(session, "comment_added")
    assert (entry.actor_user_id, entry.after) == (desk.client.id, {"comment_id": added.id, "internal": False})
    assert entry.ticket_id == the_ticket(session).id


def test_a_comment_on_a_ticket_the_actor_cannot_see_is_not_found(session, desk):
    with pytest.raises(NotFound):
        comment(session, desk.other_agent, desk.number)
    assert session.exec(select(Comment)).all() == []


def test_an_empty_comment_after_sanitising_is_refused_at_the_body(session, desk):
    for body in ("", "   ", "<p> </p>", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<hr>"):
        with pytest.raises(ValidationFailed) as caught:
            comment(session, desk.client, desk.number, body)
        assert set(caught.value.errors) == {"body"}
    assert session.exec(select(Comment)).all() == []


def test_a_comment_over_the_size_limit_is_refused(session, desk):
    with pytest.raises(ValidationFailed) as caught:
        comment(session, desk.client, desk.number, "<p>" + "a" * comments.BODY_MAX + "</p>")
    assert set(caught.value.errors) == {"body"}
    comment(session, desk.client, desk.number, "a" * comments.BODY_MAX)


def test_client_cannot_see_internal_note(session, desk):
    comment(session, desk.client, desk.number, "<p>Public question</p>")
    note = comment(session, desk.agent, desk.number, "<p>Customer is on the old plan</p>", internal=True)
    assert note.internal
    assert thread_texts(session, desk.client, desk.number) == ["Public question"]
    assert thread_texts(session, desk.agent, desk.number) == ["Public question", "Customer is on the old plan"]
    assert thread_texts(session, desk.admin, desk.number) == ["Public question", "Customer is on the old plan"]


def test_a_client_cannot_write_an_internal_note(session, desk):
    with pytest.raises(PermissionDenied):
        comment(session, desk.client, desk.number, internal=True)
    assert session.exec(select(Comment)).all() == []


def test_a_client_replying_to_an_internal_note_gets_not_found(session, desk):
    note = comment(session, desk.agent, desk.number, "<p>Note</p>", internal=True)
    with pytest.raises(NotFound):
        comment(session, desk.client, desk.number, parent_id=note.id)


def test_a_reply_to_an_internal_note_is_internal(session, desk):
    note = comment(session, desk.agent, desk.number, "<p>Note</p>", internal=True)
    reply = comment(session, desk.admin, desk.number, "<p>Agreed</p>", parent_id=note.id)
    assert reply.internal and reply.parent_id == note.id
    assert thread_texts(session, desk.client, desk.number) == []


def test_reply_is_shown_under_its_comment(session, desk):
    first = comment(session, desk.client, desk.number, "<p>First</p>")
    second = comment(session, desk.agent, desk.number, "<p>Second</p>")
    reply = comment(session, desk.agent, desk.number, "<p>Reply to first</p>", parent_id=first.id)
    assert reply.parent_id == first.id
    shown = comments.thread(session=session, actor=desk.client, number=desk.number)
    assert [(c.text, c.parent_id) for c in shown] == [
        ("First", None),
        ("Reply to first", first.id),
        ("Second", None),
    ]
    assert shown[2].id == second.id


def test_a_reply_to_a_reply_joins_the_thread_of_its_root(session, desk):
    root = comment(session, desk.client, desk.number, "<p>Root</p>")
    reply = comment(session, desk.agent, desk.number, "<p>Reply</p>", parent_id=root.id)
    nested = comment(session, desk.client, desk.number, "<p>Reply to reply</p>", parent_id=reply.id)
    assert nested.parent_id == root.id
    assert thread_texts(session, desk.agent, desk.number) == ["Root", "Reply", "Reply to reply"]


def test_a_reply_must_name_a_comment_of_the_same_ticket(session, desk):
    other_number = file_ticket(session, desk.client, title="Another")
    elsewhere = comment(session, desk.client, other_number)
    for parent_id in (elsewhere.id, 999_999):
        with pytest.raises(NotFound):
            comment(session, desk.client, desk.number, parent_id=parent_id)


def test_a_deleted_comment_cannot_be_replied_to(session, desk):
    gone = comment(session, desk.client, desk.number)
    comments.delete_comment(session=session, actor=desk.client, comment_id=gone.id)
    with pytest.raises(ValidationFailed) as caught:
        comment(session, desk.agent, desk.number, parent_id=gone.id)
    assert set(caught.value.errors) == {"parent"}


def test_mentions_keep_only_the_projects_agents(session, desk):
    inactive = make_user(session, "agent", name="Ivy Inactive")
    hh_id = the_ticket(session).project_id
    add_member(session, hh_id, inactive, "agent")
    session.get(User, inactive.id).is_active = False
    session.flush()
    body = (
        "<p>" + " ".join(mention(u) for u in (desk.agent, desk.other_agent, desk.client, inactive, desk.admin)) + "</p>"
    )
    added = comment(session, desk.agent, desk.number, body)
    assert added.mentions == ("Ana Agent", "Ada Admin")
    stored = session.get(Comment, added.id)
    assert stored.mentions == [desk.agent.id, desk.admin.id]


def test_a_clients_hand_typed_mention_is_not_kept(session, desk):
    added = comment(session, desk.client, desk.number, f"<p>Dear {mention(desk.agent)}</p>")
    assert added.mentions == ()
    edited = comments.edit_comment(
        session=session, actor=desk.client, comment_id=added.id, body_html=f"<p>Hi {mention(desk.admin)}</p>"
    )
    assert edited.mentions == ()
    assert session.get(Comment, added.id).mentions == []


def test_the_editor_offers_the_projects_active_agents_to_staff_only(session, desk):
    assert comments.mentionable_agents(session=session, actor=desk.agent, number=desk.number) == [
        comments.Mentionable(id=desk.agent.id, name="Ana Agent")
    ]
    assert comments.mentionable_agents(session=session, actor=desk.admin, number=desk.number) == [
        comments.Mentionable(id=desk.agent.id, name="Ana Agent")
    ]
    assert comments.mentionable_agents(session=session, actor=desk.client, number=desk.number) == []
    with pytest.raises(NotFound):
        comments.mentionable_agents(session=session, actor=desk.other_agent, number=desk.number)


def test_first_public_staff_reply_sets_first_response(session, desk):
    comment(session, desk.client, desk.number, "<p>Anyone?</p>")
    assert the_ticket(session).first_responded_at is None
    comment(session, desk.agent, desk.number, "<p>Internal only</p>", internal=True)
    assert the_ticket(session).first_responded_at is None
    answer = comment(session, desk.agent, desk.number, "<p>Looking into it</p>")
    assert the_ticket(session).first_responded_at == answer.created_at
    comment(session, desk.admin, desk.number, "<p>Later</p>")
    assert the_ticket(session).first_responded_at == answer.created_at
    assert the_ticket(session).updated_at > answer.created_at


def test_only_the_author_edits_a_comment_and_the_edit_is_logged(session, desk):
    added = comment(session, desk.client, desk.number, "<p>Teh export fails</p>")
    for someone_else in (desk.agent, desk.admin):
        with pytest.raises(PermissionDenied):
            comments.edit_comment(session=session, actor=someone_else, comment_id=added.id, body_html="<p>x</p>")
    edited = comments.edit_comment(
        session=session, actor=desk.client, comment_id=added.id, body_html="<p>The export <em>fails</em></p>"
    )
    assert (edited.html, edited.edited) == ("<p>The export <em>fails</em></p>", True)
    (entry,) = activity(session, "comment_edited")
    assert entry.actor_user_id == desk.client.id
    assert entry.before == {"comment_id": added.id, "internal": False, "text": "Teh export fails"}
    assert entry.after == {"comment_id": added.id, "internal": False, "text": "The export fails"}


def test_an_edit_logs_at_most_500_characters_of_text(session, desk):
    added = comment(session, desk.client, desk.number, "<p>short</p>")
    comments.edit_comment(
        session=session, actor=desk.client, comment_id=added.id, body_html="<p>" + "x" * 2000 + "</p>"
    )
    (entry,) = activity(session, "comment_edited")
    assert len(entry.after["text"]) == 500


def test_a_client_who_cannot_see_an_internal_note_cannot_edit_or_delete_it(session, desk):
    note = comment(session, desk.agent, desk.number, "<p>Note</p>", internal=True)
    with pytest.raises(NotFound):
        comments.edit_comment(session=session, actor=desk.client, comment_id=note.id, body_html="<p>x</p>")
    with pytest.raises(NotFound):
        comments.delete_comment(session=session, actor=desk.client, comment_id=note.id)
    with pytest.raises(NotFound):
        comments.delete_comment(session=session, actor=desk.other_agent, comment_id=note.id)


def test_the_author_or_an_admin_deletes_a_comment_and_the_deletion_is_logged(session, desk):
    mine = comment(session, desk.client, desk.number, "<p>Mine</p>")
    theirs = comment(session, desk.client, desk.number, "<p>Theirs</p>")
    with pytest.raises(PermissionDenied):
        comments.delete_comment(session=session, actor=desk.agent, comment_id=mine.id)
    comments.delete_comment(session=session, actor=desk.client, comment_id=mine.id)
    comments.delete_comment(session=session, actor=desk.admin, comment_id=theirs.id)
    assert [(e.actor_user_id, e.before["comment_id"]) for e in activity(session, "comment_deleted")] == [
        (desk.client.id, mine.id),
        (desk.admin.id, theirs.id),
    ]
    stored = session.get(Comment, mine.id)
    assert (stored.body_html, stored.body_text, stored.deleted_at is not None) == ("", "", True)
    with pytest.raises(NotFound):
        comments.delete_comment(session=session, actor=desk.client, comment_id=mine.id)
    with pytest.raises(NotFound):
        comments.edit_comment(session=session, actor=desk.client, comment_id=mine.id, body_html="<p>back</p>")
    assert thread_texts(session, desk.client, desk.number) == []


def test_the_thread_says_what_each_reader_may_do_with_each_comment(session, desk):
    root = comment(session, desk.client, desk.number, "<p>Root</p>")
    reply = comment(session, desk.agent, desk.number, "<p>Reply</p>", parent_id=root.id)

    def allowed(actor) -> dict[int, tuple[bool, bool, bool]]:
        shown = comments.thread(session=session, actor=actor, number=desk.number)
        return {c.id: (c.editable, c.removable, c.can_reply) for c in shown}

    assert allowed(desk.client) == {root.id: (True, True, True), reply.id: (False, False, False)}
    assert allowed(desk.agent) == {root.id: (False, False, True), reply.id: (True, True, False)}
    assert allowed(desk.admin) == {root.id: (False, True, True), reply.id: (False, True, False)}
    comments.delete_comment(session=session, actor=desk.client, comment_id=root.id)
    assert allowed(desk.client)[root.id] == (False, False, False)


def test_deleted_comment_leaves_a_placeholder_and_its_replies(session, desk):
    root = comment(session, desk.client, desk.number, "<p>Root</p>")
    reply = comment(session, desk.agent, desk.number, "<p>Reply</p>", parent_id=root.id)
    comments.delete_comment(session=session, actor=desk.client, comment_id=root.id)
    placeholder, kept = comments.thread(session=session, actor=desk.client, number=desk.number)
    assert (placeholder.id, placeholder.deleted, placeholder.html, placeholder.text) == (root.id, True, "", "")
    assert (kept.id, kept.parent_id, kept.text) == (reply.id, root.id, "Reply")
