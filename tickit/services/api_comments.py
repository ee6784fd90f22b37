"""A ticket's conversation over the integration API: list its public comments, add one as its requester.

The comment is posted through `comments.add_comment` as the ticket's requester (the reporter),
so it gets every rule a requester's reply gets in the portal: the per-user comment limit, the
notifications, and whatever the ticket's status does when its requester replies. Adding is
idempotent exactly as filing is (`intake`): the first request with an `Idempotency-Key` stores
its fingerprint and its exact answer beside the key, a retry with the same body gets that answer
again byte for byte, a different body with the same key is refused, and the unique constraint on
(api client, key) decides two retries racing.

A requester's reply to a ticket closed longer ago than the reopen window goes on a new follow-up
ticket (`lifecycle.file_follow_up`); the answer's `filed_as` names it, and the client that spoke
for the requester may read it as it reads the tickets it filed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from tickit import routes
from tickit.config import get_settings
from tickit.models import ApiCommentRequest, Comment, Project, Ticket, User, utcnow
from tickit.services import comments, fields, ticket_documents, ticket_edits
from tickit.services.access import format_ticket_number, parse_ticket_number
from tickit.services.actors import UserPublic
from tickit.services.api_clients import ApiClientPublic
from tickit.services.errors import ValidationFailed
from tickit.services.intake import IdempotencyKeyReused, IntakeResult, check_idempotency_key, fingerprint

BODY_MAX = 20_000
_FORMER_USER = "Former user"


class CommentIn(BaseModel):
    """A public comment to add as the ticket's requester."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"example": {"body": "It happens again since this morning.\n\nOrder A-1009."}},
    )

    body: str = Field(
        min_length=1,
        max_length=BODY_MAX,
        description="Plain text; blank lines separate paragraphs, line breaks are kept.",
    )


def list_comments(*, session: Session, client: ApiClientPublic, number: str) -> dict[str, Any]:
    """The public comments of ticket `number`, oldest first, if the client may read the ticket (NotFound otherwise).

    Internal notes are never listed, nor deleted comments.
    """
    ticket, shown = _readable(session, client, number)
    rows = session.exec(
        select(Comment, User)
        .outerjoin(User, User.id == Comment.author_id)
        .where(
            Comment.ticket_id == ticket.id,
            Comment.is_internal == False,  # noqa: E712
            Comment.deleted_at.is_(None),
        )
        .order_by(Comment.created_at, Comment.id)
    ).all()
    return {
        "ticket": shown,
        "comments": [_document(c, author.name if author else _FORMER_USER) for c, author in rows],
    }


def add_or_replay(
    *, session: Session, client: ApiClientPublic, number: str, idempotency_key: str | None, request: CommentIn
) -> IntakeResult:
    """Add a public comment to ticket `number` as its requester, or replay the earlier answer to the key.

    Raises IdempotencyKeyInvalid, IdempotencyKeyReused (the key was used with another body, or
    for another ticket), NotFound (a ticket the client may not read), ValidationFailed (`body`,
    or a ticket without an active requester to speak for), RateLimited past the requester's limit.
    The caller commits.
    """
    key = check_idempotency_key(idempotency_key)
    # `hh-1` and `HH-1` name one ticket, and one request.
    path = routes.api_ticket_comments(format_ticket_number(*parse_ticket_number(number)))
    request_fingerprint = fingerprint("POST", path, request.model_dump(exclude_unset=True))
    stored = _stored(session, client, key, request_fingerprint)
    if stored is not None:
        return stored
    try:
        # As in intake: the loser of a race on the key undoes only its own writes, then reads the winner's.
        with session.begin_nested():
            return _add(session, client, number, key, request_fingerprint, request)
    except IntegrityError:
        stored = _stored(session, client, key, request_fingerprint)
        if stored is None:
            raise
        return stored


def purge_expired_keys(*, session: Session) -> int:
    """Forget comment Idempotency-Keys past their retention (the comments stay); returns how many."""
    result = session.exec(delete(ApiCommentRequest).where(ApiCommentRequest.expires_at < utcnow()))
    return int(result.rowcount or 0)


def _readable(session: Session, client: ApiClientPublic, number: str) -> tuple[Ticket, str]:
    """The ticket and its number as shown, if the client may read it (the rule lives in ticket_documents)."""
    document = ticket_documents.read_ticket(session=session, client=client, number=number)
    return session.get(Ticket, document["id"]), document["number"]


def _add(
    session: Session, client: ApiClientPublic, number: str, key: str, request_fingerprint: str, request: CommentIn
) -> IntakeResult:
    ticket, shown = _readable(session, client, number)
    requester = session.get(User, ticket.reporter_id) if ticket.reporter_id is not None else None
    if requester is None or not requester.is_active:
        raise ValidationFailed({"ticket": "This ticket has no active requester for the comment to come from."})
    if reason := fields.unstorable_reason(request.body):
        raise ValidationFailed({"body": f"The body {reason}."})
    if not request.body.strip():
        raise ValidationFailed({"body": "Write a comment."})
    view = comments.add_comment(
        session=session, actor=UserPublic.of(requester), number=shown, body_html=ticket_edits.html_of_text(request.body)
    )
    comment = session.get(Comment, view.id)
    if view.filed_as:
        # The app that spoke for the requester follows the conversation onto the new ticket.
        follow_up = session.get(Ticket, comment.ticket_id)
        follow_up.api_client_id = client.id
        session.add(follow_up)
    answer = ticket_documents.render({**_document(comment, requester.name), "filed_as": _filed_as(view.filed_as)})
    session.add(
        ApiCommentRequest(
            api_client_id=client.id,
            idempotency_key=key,
            request_fingerprint=request_fingerprint,
            ticket_number=shown,
            comment_id=comment.id,
            response=answer,
            expires_at=utcnow() + timedelta(days=get_settings().idempotency_retention_days),
        )
    )
    session.flush()
    return IntakeResult(body=answer, location=routes.api_ticket_comments(view.filed_as or shown), replayed=False)


def _stored(session: Session, client: ApiClientPublic, key: str, request_fingerprint: str) -> IntakeResult | None:
    row = session.exec(
        select(ApiCommentRequest).where(
            ApiCommentRequest.api_client_id == client.id, ApiCommentRequest.idempotency_key == key
        )
    ).first()
    if row is None:
        return None
    if row.request_fingerprint != request_fingerprint:
        raise IdempotencyKeyReused(
            f"The Idempotency-Key {key!r} was already used for a comment on {row.ticket_number} with a different "
            "request; use a new key for a new comment."
        )
    return IntakeResult(body=row.response, location=_location(session, row), replayed=True)


def _location(session: Session, row: ApiCommentRequest) -> str:
    """The comments of the ticket the comment went on: a follow-up's, when the reply filed one."""
    found = session.exec(
        select(Project.key, Ticket.number)
        .join(Ticket, Ticket.project_id == Project.id)
        .join(Comment, Comment.ticket_id == Ticket.id)
        .where(Comment.id == row.comment_id)
    ).first()
    return routes.api_ticket_comments(format_ticket_number(*found) if found else row.ticket_number)


def _filed_as(number: str) -> dict[str, str] | None:
    """`{number, url}` of the follow-up ticket a late reply filed, else None."""
    if not number:
        return None
    return {"number": number, "url": get_settings().app_url + routes.ticket_page(number)}


def _document(comment: Comment, author_name: str) -> dict[str, Any]:
    return {
        "id": comment.id,
        "author": {"name": author_name},
        "html": comment.body_html,
        "text": comment.body_text,
        "created_at": ticket_documents.iso_time(comment.created_at),
    }
