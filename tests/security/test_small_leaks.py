"""Small leaks closed: internal notes move no time clients see; malformed input is a clear error; honest mentions."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from sqlmodel import Session

import tickit.state
from tests.factories import add_member, file_ticket, make_project, make_user
from tests.state.events import run_handler
from tickit.models import User
from tickit.services import board, comments, ticket_detail, ticket_list
from tickit.services.errors import ValidationFailed
from tickit.services.ticket_stamp import ticket_stamp
from tickit.state.session import SessionState
from tickit.state.ticket_page import TicketCommentsState, TicketState


@pytest.fixture
def desk(session: Session):
    """HH-1 and then HH-2, both filed by the client; an agent of HH."""
    hh = make_project(session, "HH")
    client, agent = make_user(session, "client"), make_user(session, "agent", name="Ana Agent")
    add_member(session, hh.id, client, "client")
    add_member(session, hh.id, agent, "agent")
    return file_ticket(session, client), file_ticket(session, client), client, agent


def client_sees(session, client, number):
    """What tells a client their ticket changed: its time in their list and page, and the page's stamp."""
    listed = ticket_list.list_tickets(session=session, actor=client, query=ticket_list.TicketQuery())
    return (
        [(row.number, row.updated_at) for row in listed.rows],
        ticket_detail.ticket_detail(session=session, actor=client, number=number).updated_at,
        ticket_stamp(session=session, actor=client, number=number),
    )


# --- internal notes do not move the time clients see ---------------------------------------------


def test_an_internal_note_does_not_move_the_time_a_client_sees(session, desk):
    older, newer, client, agent = desk
    before = client_sees(session, client, older)
    staff_before = ticket_detail.ticket_detail(session=session, actor=agent, number=older).updated_at
    note = comments.add_comment(session=session, actor=agent, number=older, body_html="<p>Refund?</p>", internal=True)
    comments.edit_comment(session=session, actor=agent, comment_id=note.id, body_html="<p>No refund</p>")
    comments.delete_comment(session=session, actor=agent, comment_id=note.id)
    session.flush()
    assert client_sees(session, client, older) == before
    assert [number for number, _ in before[0]] == [newer, older]  # the note did not lift HH-1 to the top
    assert ticket_detail.ticket_detail(session=session, actor=agent, number=older).updated_at > staff_before


def test_a_public_reply_moves_the_time_a_client_sees(session, desk):
    older, newer, client, agent = desk
    _rows, seen_at, stamp = client_sees(session, client, older)
    comments.add_comment(session=session, actor=agent, number=older, body_html="<p>Fixed</p>")
    session.flush()
    rows, now_at, now_stamp = client_sees(session, client, older)
    assert now_at > seen_at and now_stamp != stamp
    assert [number for number, _ in rows] == [older, newer]


# --- malformed input is a clear error, never an exception ----------------------------------------


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        (board.BoardFilters(assignee="²"), "assignee"),  # a digit to str.isdigit, not to int()
        (board.BoardFilters(assignee="99999999999"), "assignee"),
        (board.BoardFilters(assignee="nobody"), "assignee"),
        (board.BoardFilters(priority="sky-high"), "priority"),
        (board.BoardFilters(text="export\x00"), "text"),
    ],
)
def test_a_malformed_board_filter_is_a_clear_error(session, desk, filters, field):
    _older, _newer, _client, agent = desk
    type_key = board.board_choices(session=session, actor=agent)[0].type_key
    with pytest.raises(ValidationFailed) as refused:
        board.board(session=session, actor=agent, project_key="HH", type_key=type_key, filters=filters)
    assert list(refused.value.errors) == [field]


def _page_states() -> list[type[SessionState]]:
    for module in pkgutil.iter_modules(tickit.state.__path__):
        importlib.import_module(f"tickit.state.{module.name}")
    found, todo = [], list(SessionState.__subclasses__())
    while todo:
        state = todo.pop()
        todo.extend(state.__subclasses__())
        if not state._mixin and state not in found:
            found.append(state)
    return sorted(found, key=lambda state: state.__name__)


def _handlers_with_arguments():
    for state in _page_states():
        for name, handler in sorted(state.event_handlers.items()):
            parameters = list(inspect.signature(handler.fn).parameters)[1:]
            if parameters and name != "setvar":
                yield pytest.param(handler.fn, parameters, id=f"{state.__name__}.{name}")


def _answer(fn, **arguments):
    # The gate answers before the handler touches its state, so none is needed.
    answer = fn(None, **arguments)
    if inspect.isasyncgen(answer):  # a handler that streams: its first update is the answer
        return run_handler(answer.__anext__())
    return run_handler(answer) if inspect.iscoroutine(answer) else answer


@pytest.mark.parametrize(("fn", "parameters"), list(_handlers_with_arguments()))
def test_every_page_handler_refuses_arguments_of_the_wrong_shape_with_a_toast(fn, parameters):
    answer = _answer(fn, **{name: [["not", "this"]] for name in parameters})
    assert "That request was malformed" in str(answer)


@pytest.mark.parametrize(
    "arguments",
    [
        {"comment_id": 2**40},  # past any id column
        {"comment_id": "seven"},
        {},  # missing
        {"comment_id": 1, "extra": True},
    ],
    ids=["huge", "text", "missing", "unexpected"],
)
def test_a_handler_taking_an_id_refuses_what_is_not_one(arguments):
    answer = _answer(TicketCommentsState.event_handlers["delete"].fn, **arguments)
    assert "That request was malformed" in str(answer)


def test_a_handler_refuses_text_the_database_cannot_store():
    answer = _answer(TicketState.event_handlers["set_priority"].fn, priority="high\x00")
    assert "That request was malformed (a text contains a NUL character" in str(answer)


# --- a mention shows the user it points at -------------------------------------------------------


def mention(user_id: int, label: str) -> str:
    return f'<span data-type="mention" data-id="{user_id}" data-label="{label}" class="mention">@{label}</span>'


def test_a_mention_reads_as_the_user_it_points_at_whatever_label_was_sent(session, desk):
    older, _newer, client, agent = desk
    body = f"<p>Ask {mention(agent.id, 'The CEO')} about it</p>"
    posted = comments.add_comment(session=session, actor=agent, number=older, body_html=body)
    assert "The CEO" not in posted.html and "@Ana Agent</span>" in posted.html
    assert 'data-label="Ana Agent"' in posted.html and posted.text == "Ask @Ana Agent about it"
    shown = [c for c in comments.thread(session=session, actor=client, number=older) if c.id == posted.id][0]
    assert shown.html == posted.html and shown.mentions == ("Ana Agent",)


def test_a_mention_of_someone_who_may_not_be_mentioned_is_plain_text(session, desk):
    older, _newer, client, agent = desk
    posted = comments.add_comment(
        session=session, actor=client, number=older, body_html=f"<p>Hi {mention(agent.id, 'Support lead')}</p>"
    )
    assert posted.html == "<p>Hi @Support lead</p>" and posted.mentions == ()


def test_a_mentioned_user_renamed_later_is_shown_by_their_new_name(session, desk):
    older, _newer, client, agent = desk
    body = f"<p>{mention(agent.id, 'x')}</p>"
    posted = comments.add_comment(session=session, actor=agent, number=older, body_html=body)
    user = session.get(User, agent.id)
    user.name = "Ana Andersen"
    session.add(user)
    session.flush()
    shown = [c for c in comments.thread(session=session, actor=client, number=older) if c.id == posted.id][0]
    assert "@Ana Andersen</span>" in shown.html and "Ana Agent" not in shown.html
