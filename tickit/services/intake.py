"""Tickets filed by other apps: idempotent intake for the integration API.

An integrator sends each request with an `Idempotency-Key`. The first request with a key creates
the ticket and stores, on the ticket row, the key, a fingerprint of the request and the exact
answer; a retry with the same key and body gets that answer again, and nothing new is written.
The unique constraint on (api_client_id, idempotency_key) decides two retries racing: no lock is
held in application memory, so this is correct across worker processes and machines.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from tickit import routes
from tickit.config import get_settings
from tickit.models import (
    ActivityEntry,
    MemberRole,
    Priority,
    Project,
    ProjectMember,
    Role,
    Source,
    Ticket,
    TicketStatus,
    TicketType,
    User,
    utcnow,
)
from tickit.services import fields, notifications
from tickit.services.access import format_ticket_number
from tickit.services.api_clients import ApiClientPublic
from tickit.services.errors import ServiceError, ValidationFailed
from tickit.services.project_setup import allocate_ticket_number
from tickit.services.ticket_documents import render, ticket_document
from tickit.services.tickets import ticket_text_errors
from tickit.services.users import find_by_email, normalise_email

KEY_MAX_LENGTH = 255
_KEY = re.compile(rf"[\x20-\x7e]{{1,{KEY_MAX_LENGTH}}}")
BODY_PROPERTIES = ("type", "title", "description", "priority", "reporter", "fields", "metadata")
REPORTER_NAME_MAX = 200
METADATA_MAX_CHARS = 16_384


class IdempotencyKeyInvalid(ServiceError):
    """The Idempotency-Key header is missing or not 1-255 printable ASCII characters."""


class IdempotencyKeyReused(ServiceError):
    """The key was already used for a request with a different body."""


@dataclass(frozen=True)
class IntakeResult:
    body: str  # the ticket's JSON, exactly as the first request was answered
    location: str  # the API path of the ticket
    replayed: bool


@dataclass(frozen=True)
class _Request:
    """A validated request body."""

    ticket_type: TicketType
    initial_status: TicketStatus
    project_key: str
    title: str
    description: str
    priority: str
    reporter_email: str | None
    reporter_name: str
    field_values: dict[str, Any]
    metadata: dict[str, Any]


def check_idempotency_key(key: str | None) -> str:
    """The key as sent, when it is 1-255 printable ASCII characters; IdempotencyKeyInvalid otherwise."""
    if key is None or key == "":
        raise IdempotencyKeyInvalid(
            "Send an Idempotency-Key header (1-255 printable ASCII characters), unique to this ticket."
        )
    if not _KEY.fullmatch(key):
        raise IdempotencyKeyInvalid(
            f"The Idempotency-Key must be 1-{KEY_MAX_LENGTH} printable ASCII characters "
            f"(got {len(key)} characters{', some outside that range' if len(key) <= KEY_MAX_LENGTH else ''})."
        )
    return key


def fingerprint(method: str, path: str, body: Any) -> str:
    """The request's identity for replay: SHA-256 over method, path and the body's canonical JSON.

    Canonical JSON sorts keys and drops insignificant whitespace, so the same data sent with keys
    in another order, or formatted differently, has the same fingerprint.
    """
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return hashlib.sha256(f"{method.upper()} {path}\n{canonical}".encode("ascii")).hexdigest()


def create_or_replay(
    *, session: Session, client: ApiClientPublic, idempotency_key: str | None, body: Any
) -> IntakeResult:
    """File a ticket for an API client, or replay the answer to an earlier request with the same key.

    The caller has admitted the client (its token checked just now, so a revoked client never
    gets here) and commits the session. Raises IdempotencyKeyInvalid, IdempotencyKeyReused, or
    ValidationFailed with one error per field; a refused request writes nothing, so its retry is
    judged afresh.
    """
    key = check_idempotency_key(idempotency_key)
    request_fingerprint = fingerprint("POST", routes.API_PREFIX + routes.API_TICKETS, body)
    stored = _stored_answer(session, client, key, request_fingerprint)
    if stored is not None:
        return stored
    request = _validate(session, client, body)
    reporter = _reporter(session, client, request) if request.reporter_email else None
    try:
        ticket = _insert_ticket(session, client, key, request_fingerprint, request, reporter)
    except IntegrityError:
        # Another request with this key won: its ticket is committed now (PostgreSQL made this
        # insert wait for it), and it is what this request answers with.
        stored = _stored_answer(session, client, key, request_fingerprint)
        if stored is None:
            raise
        return stored
    return _complete(session, client, ticket, request, reporter)


def purge_expired_keys(*, session: Session) -> int:
    """Forget idempotency keys past their retention (the tickets stay); returns how many were dropped."""
    result = session.exec(
        update(Ticket)
        .where(Ticket.idempotency_expires_at < utcnow())
        .values(idempotency_key=None, request_fingerprint=None, idempotency_expires_at=None, idempotency_response=None)
    )
    return result.rowcount


def _stored_answer(
    session: Session, client: ApiClientPublic, key: str, request_fingerprint: str
) -> IntakeResult | None:
    row = session.exec(
        select(Ticket.number, Ticket.request_fingerprint, Ticket.idempotency_response, Project.key)
        .join(Project, Project.id == Ticket.project_id)
        .where(Ticket.api_client_id == client.id, Ticket.idempotency_key == key)
    ).first()
    if row is None:
        return None
    number, stored_fingerprint, response, project_key = row
    ticket_number = format_ticket_number(project_key, number)
    if stored_fingerprint != request_fingerprint:
        raise IdempotencyKeyReused(
            f"The Idempotency-Key {key!r} was already used for {ticket_number} with a different request body; "
            "use a new key for a new ticket."
        )
    return IntakeResult(body=response, location=routes.api_ticket(ticket_number), replayed=True)


def _validate(session: Session, client: ApiClientPublic, body: Any) -> _Request:
    if not isinstance(body, Mapping):
        raise ValidationFailed({"body": "The body must be a JSON object."})
    errors: dict[str, str] = {
        key: f"Unknown property; the body may hold {', '.join(BODY_PROPERTIES)}."
        for key in body
        if key not in BODY_PROPERTIES
    }
    title, description = body.get("title"), body.get("description", "")
    for name, value in (("title", title), ("description", description)):
        if value is not None and not isinstance(value, str):
            errors[name] = f"The {name} must be a string."
    if "title" not in errors and "description" not in errors:
        title, description = (title or "").strip(), (description or "").strip()
        errors.update(ticket_text_errors(title, description))

    # null means "not given" for every optional property, as the OpenAPI schema says.
    priority = Priority.NORMAL if body.get("priority") is None else body["priority"]
    if not isinstance(priority, str) or priority not in {p.value for p in Priority}:
        errors["priority"] = f"The priority must be one of {', '.join(p.value for p in Priority)}."

    reporter_email, reporter_name = _reporter_fields(body.get("reporter"), errors)
    metadata = _metadata(body.get("metadata"), errors)

    found = _ticket_type(session, client, body.get("type"), errors)
    field_values: dict[str, Any] = {}
    raw_fields = body.get("fields")
    if raw_fields is not None and not isinstance(raw_fields, Mapping):
        errors["fields"] = "The fields must be an object of field key to value."
    elif found is not None:
        try:
            field_values = fields.clean_field_values(fields.rules_for_type(session, found[0].id), raw_fields or {})
        except ValidationFailed as exc:
            errors.update({f"fields.{key}": message for key, message in exc.errors.items()})
    if errors:
        raise ValidationFailed(errors)
    ticket_type, initial_status, project_key = found
    return _Request(
        ticket_type=ticket_type,
        initial_status=initial_status,
        project_key=project_key,
        title=title,
        description=description,
        priority=priority,
        reporter_email=reporter_email,
        reporter_name=reporter_name,
        field_values=field_values,
        metadata=metadata,
    )


def _ticket_type(
    session: Session, client: ApiClientPublic, type_key: Any, errors: dict[str, str]
) -> tuple[TicketType, TicketStatus, str] | None:
    """The active type, its initial status and the project key; None (with an error) otherwise."""
    if not isinstance(type_key, str) or not type_key.strip():
        errors["type"] = "Give the ticket type's key (GET /integrations/v1/ticket-types lists them)."
        return None
    if fields.unstorable_reason(type_key) is None:
        row = session.exec(
            select(TicketType, TicketStatus, Project.key)
            .join(Project, Project.id == TicketType.project_id)
            .join(TicketStatus, TicketStatus.type_id == TicketType.id)
            .where(
                TicketType.project_id == client.project_id,
                TicketType.key == type_key.strip(),
                TicketType.archived == False,  # noqa: E712
                TicketStatus.is_initial == True,  # noqa: E712
            )
        ).first()
        if row is not None:
            return row[0], row[1], row[2]
    known = session.exec(
        select(TicketType.key)
        .where(TicketType.project_id == client.project_id, TicketType.archived == False)  # noqa: E712
        .order_by(TicketType.sort_order, TicketType.id)
    ).all()
    errors["type"] = f"There is no ticket type {type_key[:60]!r}; this project's types are: {', '.join(known)}."
    return None


def _reporter_fields(raw: Any, errors: dict[str, str]) -> tuple[str | None, str]:
    if raw is None:
        return None, ""
    if not isinstance(raw, Mapping):
        errors["reporter"] = 'The reporter must be an object like {"email": "ada@example.com", "name": "Ada"}.'
        return None, ""
    for key in raw:
        if key not in ("email", "name"):
            errors[f"reporter.{key}"] = "Unknown property; a reporter has an email and a name."
    email, name = raw.get("email"), raw.get("name", "")
    normalised = None
    if not isinstance(email, str) or not email.strip():
        errors["reporter.email"] = "Give the reporter's email address."
    else:
        try:
            normalised = normalise_email(email)
        except ValidationFailed as exc:
            errors["reporter.email"] = exc.errors["email"]
    if name is None:
        name = ""
    if not isinstance(name, str):
        errors["reporter.name"] = "The reporter's name must be a string."
        return normalised, ""
    name = name.strip()
    if len(name) > REPORTER_NAME_MAX:
        errors["reporter.name"] = f"Keep the reporter's name under {REPORTER_NAME_MAX} characters."
    elif reason := fields.unstorable_reason(name):
        errors["reporter.name"] = f"The reporter's name {reason}."
    return normalised, name


def _metadata(raw: Any, errors: dict[str, str]) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        errors["metadata"] = "The metadata must be an object."
        return {}
    text = json.dumps(raw, ensure_ascii=True)
    if len(text) > METADATA_MAX_CHARS:
        errors["metadata"] = f"Keep the metadata under {METADATA_MAX_CHARS:,} characters of JSON."
    elif _has_unstorable_text(raw):
        errors["metadata"] = "The metadata contains a NUL character or invalid Unicode text, which cannot be stored."
    return dict(raw)


def _has_unstorable_text(value: Any) -> bool:
    if isinstance(value, str):
        return fields.unstorable_reason(value) is not None
    if isinstance(value, Mapping):
        return any(_has_unstorable_text(k) or _has_unstorable_text(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_unstorable_text(item) for item in value)
    return False


def _reporter(session: Session, client: ApiClientPublic, request: _Request) -> User:
    """The user with the reporter's email, made a client of the project when they are new to it."""
    user = find_by_email(session, request.reporter_email)
    if user is None:
        try:
            with session.begin_nested():
                # No password: the person signs in with Google, or an admin sets one.
                user = User(
                    email=request.reporter_email,
                    name=request.reporter_name or request.reporter_email.split("@")[0],
                    role=Role.CLIENT,
                    password_hash=None,
                )
                session.add(user)
                session.flush()
        except IntegrityError:  # another request created them a moment ago
            user = find_by_email(session, request.reporter_email)
    if user.role == Role.CLIENT:
        member = session.get(ProjectMember, (client.project_id, user.id))
        if member is None:
            try:
                with session.begin_nested():
                    session.add(ProjectMember(project_id=client.project_id, user_id=user.id, role=MemberRole.CLIENT))
                    session.flush()
            except IntegrityError:
                pass  # added by a concurrent request; either way they are a member now
    return user


def _insert_ticket(
    session: Session,
    client: ApiClientPublic,
    key: str,
    request_fingerprint: str,
    request: _Request,
    reporter: User | None,
) -> Ticket:
    """Insert the ticket, still without its number; IntegrityError when another request holds the key.

    On PostgreSQL a failed statement spoils the whole transaction; the savepoint lets the loser of
    a race undo just this insert and still read the winner in the same transaction.
    """
    now = utcnow()
    ticket = Ticket(
        project_id=client.project_id,
        type_id=request.ticket_type.id,
        status_id=request.initial_status.id,
        title=request.title,
        description=request.description,
        priority=request.priority,
        reporter_id=reporter.id if reporter else None,
        source=Source.API,
        api_client_id=client.id,
        idempotency_key=key,
        request_fingerprint=request_fingerprint,
        idempotency_expires_at=now + timedelta(days=get_settings().idempotency_retention_days),
        fields=request.field_values,
        metadata_=request.metadata,
        created_at=now,
        updated_at=now,
    )
    with session.begin_nested():
        session.add(ticket)
        session.flush()
    return ticket


def _complete(
    session: Session, client: ApiClientPublic, ticket: Ticket, request: _Request, reporter: User | None
) -> IntakeResult:
    """Log and announce the ticket, then number it and store the answer a retry will replay."""
    session.add(
        ActivityEntry(
            ticket_id=ticket.id,
            actor_api_client_id=client.id,
            action="created",
            after={
                "title": request.title,
                "status": request.initial_status.key,
                "type": request.ticket_type.key,
                "source": Source.API,
                "api_client": client.name,
                "fields": request.field_values,
            },
            created_at=ticket.created_at,
        )
    )
    notifications.stage_ticket_created(session, ticket_id=ticket.id, title=request.title)
    # The number comes last: the project's row stays locked from here until commit, and every
    # filing in the project waits for it, so only one more statement runs while it is held.
    ticket.number = allocate_ticket_number(session=session, project_id=client.project_id)
    ticket.board_rank = float(ticket.number)
    ticket.idempotency_response = render(
        ticket_document(
            ticket=ticket,
            project_key=request.project_key,
            type_key=request.ticket_type.key,
            status_key=request.initial_status.key,
            reporter=reporter,
        )
    )
    session.flush()
    number = format_ticket_number(request.project_key, ticket.number)
    return IntakeResult(body=ticket.idempotency_response, location=routes.api_ticket(number), replayed=False)
