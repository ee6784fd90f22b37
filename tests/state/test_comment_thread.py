"""The comment thread both ticket pages show: the rows a reader gets, and one mixin bound to each page."""

from __future__ import annotations

import pytest

from tests.factories import add_member, file_ticket, make_project, make_user
from tickit.services import comments
from tickit.state.comment_thread import CommentThread, read_thread
from tickit.state.portal_ticket import PortalCommentsState, PortalTicketState
from tickit.state.ticket_page import TicketCommentsState, TicketState


@pytest.fixture
def desk(session):
    """Ticket HH-1 filed by a client, with the client's comment and an agent's reply and internal note."""
    project = make_project(session, "HH")
    client, agent = make_user(session, "client", name="Cleo Client"), make_user(session, "agent", name="Ana Agent")
    add_member(session, project.id, client, "client")
    add_member(session, project.id, agent, "agent")
    number = file_ticket(session, client)
    question = comments.add_comment(session=session, actor=client, number=number, body_html="<p>Question</p>")
    comments.add_comment(session=session, actor=agent, number=number, body_html="<p>Answer</p>", parent_id=question.id)
    comments.add_comment(session=session, actor=agent, number=number, body_html="<p>Note</p>", internal=True)
    return number, client, agent


def offered(thread) -> dict[str, tuple[bool, bool, bool, bool]]:
    """Each comment's text with (mine, editable, removable, can_reply)."""
    return {c.html: (c.mine, c.editable, c.removable, c.can_reply) for c in thread.comments}


def test_a_client_is_offered_only_what_the_services_let_them_do_and_never_the_note(session, desk):
    number, client, _ = desk
    thread = read_thread(session, client, number)
    assert offered(thread) == {
        "<p>Question</p>": (True, True, True, True),
        "<p>Answer</p>": (False, False, False, False),
    }
    assert thread.mentionables == []


def test_an_agent_may_reply_to_the_clients_comment_but_edit_only_their_own(session, desk):
    number, _, agent = desk
    thread = read_thread(session, agent, number)
    assert offered(thread) == {
        "<p>Question</p>": (False, False, False, True),
        "<p>Answer</p>": (True, True, True, False),
        "<p>Note</p>": (True, True, True, True),
    }
    assert thread.mentionables == [{"id": agent.id, "label": "Ana Agent"}]


@pytest.mark.parametrize(
    ("page_state", "side"),
    [(TicketCommentsState, TicketState.reload), (PortalCommentsState, PortalTicketState.reload)],
)
def test_each_ticket_page_runs_the_shared_thread_handlers_as_its_own_state(page_state, side):
    for name in ("post", "post_reply", "save_edit", "delete", "remove_file", "files_sent", "start_edit"):
        assert page_state.event_handlers[name].state is page_state
    assert "reply_to_name" in page_state.computed_vars
    assert page_state._ticket_side(page_state.__new__(page_state)) is side
    assert issubclass(page_state, CommentThread)
