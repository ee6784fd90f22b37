"""The integration API's two-way conversation: a ticket's public comments listed, and added as its requester."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from tests.api.test_v1 import API, BUG, assert_problem, http, post, tokens  # noqa: F401
from tests.factories import add_member, make_api_client, make_project, make_user
from tickit.models import ActivityEntry, Comment, Ticket, User, utcnow
from tickit.services import comments, workflow
from tickit.services.actors import UserPublic

__all__ = ["http", "tokens"]


def add(http, token, number="HH-1", body=None, key="c-1"):
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return http.post(
        f"{API}/tickets/{number}/comments",
        content=json.dumps(body if body is not None else {"body": "It happens again.\n\nOrder A-1009."}),
        headers=headers,
    )


def listed(http, token, number="HH-1"):
    return http.get(f"{API}/tickets/{number}/comments", headers={"Authorization": f"Bearer {token}"})


def comment_count(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Comment)).one()


def staff_write(engine, html, *, internal):
    """An agent of HH comments on HH-1 (or writes an internal note), committed."""
    with Session(engine, expire_on_commit=False) as session:
        agent = session.exec(select(User).where(User.email == "agent@example.com")).first()
        if agent is None:
            agent = User(email="agent@example.com", name="Grace Hopper", role="agent")
            session.add(agent)
            session.flush()
            ticket = session.exec(select(Ticket)).first()
            add_member(session, ticket.project_id, UserPublic.of(agent), "agent")
        comments.add_comment(
            session=session, actor=UserPublic.of(agent), number="HH-1", body_html=html, internal=internal
        )
        session.commit()


def test_a_comment_is_added_as_the_requester_and_its_retry_replays_the_same_bytes(http, tokens, engine):
    assert post(http, tokens["shop"]).status_code == 201

    first = add(http, tokens["shop"])
    again = add(http, tokens["shop"])

    assert first.status_code == 201, first.text
    assert first.headers["Location"] == f"{API}/tickets/HH-1/comments"
    added = first.json()
    assert added["author"] == {"name": "Ada Lovelace"}
    assert added["html"] == "<p>It happens again.</p><p>Order A-1009.</p>"
    assert added["text"].startswith("It happens again.")
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert comment_count(engine) == 1
    with Session(engine) as session:
        comment = session.exec(select(Comment)).one()
        assert session.get(User, comment.author_id).email == "ada@example.com" and not comment.is_internal


def test_the_same_key_with_another_body_is_422_and_adds_nothing(http, tokens, engine):
    post(http, tokens["shop"])
    add(http, tokens["shop"])
    assert_problem(add(http, tokens["shop"], body={"body": "Something else"}), 422, "idempotency-key-reused")
    assert comment_count(engine) == 1


def test_a_missing_key_is_400_and_an_empty_body_422(http, tokens, engine):
    post(http, tokens["shop"])
    assert_problem(add(http, tokens["shop"], key=None), 400, "invalid-idempotency-key")
    assert_problem(add(http, tokens["shop"], body={"body": ""}), 422, "validation-failed")
    assert comment_count(engine) == 0


def test_the_list_shows_public_comments_and_never_internal_notes(http, tokens, engine):
    post(http, tokens["shop"])
    add(http, tokens["shop"])
    staff_write(engine, "<p>We are on it.</p>", internal=False)
    staff_write(engine, "<p>Secret: the payment provider is down.</p>", internal=True)

    answer = listed(http, tokens["shop"])

    assert answer.status_code == 200, answer.text
    document = answer.json()
    assert document["ticket"] == "HH-1"
    assert [(c["author"]["name"], c["text"]) for c in document["comments"]] == [
        ("Ada Lovelace", "It happens again. Order A-1009."),
        ("Grace Hopper", "We are on it."),
    ]
    assert "Secret" not in answer.text


def test_another_clients_ticket_is_404_for_reading_and_commenting(http, tokens, engine):
    post(http, tokens["shop"])
    assert_problem(listed(http, tokens["crm"]), 404, "not-found")
    assert_problem(add(http, tokens["crm"]), 404, "not-found")
    assert_problem(listed(http, tokens["other"]), 404, "not-found")
    assert comment_count(engine) == 0


def test_a_ticket_without_a_requester_cannot_take_a_comment(http, tokens, engine):
    body = {key: value for key, value in BUG.items() if key != "reporter"}
    post(http, tokens["shop"], body=body)
    assert_problem(add(http, tokens["shop"]), 422, "validation-failed")


# --- a requester's reply to a solved or closed ticket (issue 17, rule 2) ----------------------

QUESTION = {
    "type": "question",
    "title": "Where is my order?",
    "reporter": {"email": "ada@example.com", "name": "Ada Lovelace"},
    "fields": {"topic": "orders"},
}


@pytest.fixture
def desk_token(engine) -> str:
    """The token of an app filing into a customer-support project CS, which has an agent to move tickets."""
    with Session(engine, expire_on_commit=False) as session:
        project = make_project(session, "CS", template="customer-support")
        add_member(session, project.id, make_user(session, "agent", email="agent@example.com"), "agent")
        token = make_api_client(session, "CS", "Shop").token
        session.commit()
    return token


def _filed_question(http, token) -> None:
    filed = post(http, token, body=QUESTION, key="order-1009")
    assert filed.status_code == 201, filed.text


def _staff_moves(engine, number, *statuses, closed_days_ago=None):
    with Session(engine) as session:
        agent = session.exec(select(User).where(User.email == "agent@example.com")).one()
        for status in statuses:
            workflow.move(session=session, actor=UserPublic.of(agent), number=number, to_status=status)
        if closed_days_ago is not None:
            ticket = session.exec(select(Ticket).where(Ticket.number == int(number.split("-")[1]))).one()
            ticket.closed_at = utcnow() - timedelta(days=closed_days_ago)
            session.add(ticket)
        session.commit()


def _read(http, token, number):
    answer = http.get(f"{API}/tickets/{number}", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    return answer.json()


def _moves_by_requester(engine, number: int) -> list[tuple[str, str]]:
    with Session(engine) as session:
        rows = session.exec(
            select(ActivityEntry, User.email)
            .join(Ticket, Ticket.id == ActivityEntry.ticket_id)
            .join(User, User.id == ActivityEntry.actor_user_id)
            .where(Ticket.number == number, ActivityEntry.action == "status_changed")
            .order_by(ActivityEntry.id)
        ).all()
        return [(entry.after["status"], email) for entry, email in rows if email == "ada@example.com"]


def test_the_requesters_reply_through_the_api_reopens_a_solved_ticket(http, desk_token, engine):
    _filed_question(http, desk_token)
    _staff_moves(engine, "CS-1", "open", "solved")
    assert _read(http, desk_token, "CS-1")["status_label"] == "Solved"

    answer = add(http, desk_token, number="CS-1", key="reply-1")

    assert answer.status_code == 201, answer.text
    assert answer.json()["filed_as"] is None
    assert answer.headers["Location"] == f"{API}/tickets/CS-1/comments"
    ticket = _read(http, desk_token, "CS-1")
    assert (ticket["status"], ticket["status_label"], ticket["resolved_at"]) == ("open", "In progress", None)
    assert _moves_by_requester(engine, 1) == [("open", "ada@example.com")]


def test_the_requesters_reply_through_the_api_reopens_a_ticket_closed_within_the_window(http, desk_token, engine):
    _filed_question(http, desk_token)
    _staff_moves(engine, "CS-1", "solved", "closed", closed_days_ago=13)  # the window is 14 days

    answer = add(http, desk_token, number="CS-1", key="reply-1")

    assert answer.status_code == 201 and answer.json()["filed_as"] is None
    ticket = _read(http, desk_token, "CS-1")
    assert (ticket["status"], ticket["status_label"], ticket["closed_at"]) == ("open", "In progress", None)
    assert _moves_by_requester(engine, 1) == [("open", "ada@example.com")]
    assert [c["text"] for c in listed(http, desk_token, "CS-1").json()["comments"]] == [
        "It happens again. Order A-1009."
    ]


def test_after_the_window_the_reply_files_a_follow_up_that_the_answer_names_and_replays(http, desk_token, engine):
    _filed_question(http, desk_token)
    _staff_moves(engine, "CS-1", "solved", "closed", closed_days_ago=15)

    first = add(http, desk_token, number="CS-1", key="reply-1")
    again = add(http, desk_token, number="CS-1", key="reply-1")

    assert first.status_code == 201, first.text
    filed_as = first.json()["filed_as"]
    assert filed_as["number"] == "CS-2" and filed_as["url"].endswith("/tickets/CS-2")
    assert first.headers["Location"] == f"{API}/tickets/CS-2/comments"
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.content == first.content and again.headers["Location"] == first.headers["Location"]
    old, follow_up = _read(http, desk_token, "CS-1"), _read(http, desk_token, "CS-2")
    assert (old["status"], old["status_label"]) == ("closed", "Closed")
    assert follow_up["title"] == "Follow-up: Where is my order?" and follow_up["status_label"] == "Open"
    assert follow_up["reporter"] == {"email": "ada@example.com", "name": "Ada Lovelace"}
    assert listed(http, desk_token, "CS-1").json()["comments"] == []
    assert [c["text"] for c in listed(http, desk_token, "CS-2").json()["comments"]] == [
        "It happens again. Order A-1009."
    ]
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Ticket)).one() == 2


def test_the_follow_up_schema_is_documented(http, tokens):
    schema = http.get(f"{API}/openapi.json").json()["components"]["schemas"]
    assert "filed_as" in schema["CommentAddedOut"]["required"]
    assert schema["FiledAsOut"]["required"] == ["number", "url"]
