"""The integration API's two-way conversation: a ticket's public comments listed, and added as its requester."""

from __future__ import annotations

import json

from sqlmodel import Session, func, select

from tests.api.test_v1 import API, BUG, assert_problem, http, post, tokens  # noqa: F401
from tests.factories import add_member
from tickit.models import Comment, Ticket, User
from tickit.services import comments
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
