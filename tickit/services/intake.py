"""Tickets filed by other apps: idempotent intake for the integration API.

An integrator sends each request with an `Idempotency-Key`. The first request with a key creates
the ticket and stores, on the ticket row, the key, a fingerprint of the request and the exact
answer; a retry with the same key and body gets that answer again, and nothing new is written.
The unique constraint on (api_client_id, idempotency_key) decides two retries racing: no lock is
held in application memory, so this is correct across worker processes and machines.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, Text, and_, bindparam, cast, exists, false, func, insert, literal, true, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from tickit import routes
from tickit.config import get_settings
from tickit.db import execute_last
from tickit.models import (
    ActivityEntry,
    ApiClient,
    FieldType,
    MemberRole,
    OutboxMessage,
    Priority,
    Project,
    ProjectMember,
    Role,
    Source,
    Ticket,
    TicketStatus,
    TicketType,
    TicketTypeField,
    User,
    utcnow,
)
from tickit.models.base import JSONType, UTCDateTime
from tickit.services import api_clients, fields, notifications, outbox
from tickit.services.access import format_ticket_number
from tickit.services.api_clients import ApiClientPublic
from tickit.services.errors import ServiceError, Unauthenticated, ValidationFailed
from tickit.services.project_setup import NEXT_TICKET_NUMBER, allocate_ticket_number
from tickit.services.ticket_documents import render, ticket_document
from tickit.services.tickets import ticket_text_errors
from tickit.services.users import normalise_email

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

    type_id: int
    type_key: str
    status_id: int  # the type's initial status
    status_key: str
    project_key: str
    title: str
    description: str
    priority: str
    reporter_email: str | None
    reporter_name: str
    field_values: dict[str, Any]
    metadata: dict[str, Any]
    received_at: datetime  # the ticket's created_at, its activity entry's and its answer's


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


# A refused request (bad key, key reused with another body, invalid body) has written nothing of
# its own when one of these is raised by `create_or_replay_for_token`; the transaction holds only
# the request's count (and, without Redis, its rate counter), which the caller commits.
REFUSALS = (IdempotencyKeyInvalid, IdempotencyKeyReused, ValidationFailed)


def create_or_replay(
    *, session: Session, client: ApiClientPublic, idempotency_key: str | None, body: Any
) -> IntakeResult:
    """File a ticket for an API client, or replay the answer to an earlier request with the same key.

    The caller has admitted the client (its token checked just now, so a revoked client never
    gets here) and commits the session as soon as this returns: a new ticket's last statement
    has the COMMIT sent along on PostgreSQL (`tickit.db.execute_last`). Raises
    IdempotencyKeyInvalid, IdempotencyKeyReused, or ValidationFailed with one error per field; a
    refused request writes nothing, so its retry is judged afresh.
    """
    checks = _BodyChecks.of(body)
    facts = _lookup(session, _LOOKUP_BY_ID, client.id, idempotency_key, checks)
    if facts is None:
        raise Unauthenticated("The API token is unknown or has been revoked.")
    return _create_or_replay(session, facts, idempotency_key, body, checks)


def create_or_replay_for_token(
    *, session: Session, token: str | None, idempotency_key: str | None, body: Any, limit_per_minute: int
) -> IntakeResult:
    """Admit the request's bearer token and file its ticket, or replay it: the API's intake in one transaction.

    The token is checked on every request, replays included, in the same statement that reads
    the client's stored answer, its project, the ticket type with its initial status and field
    rules, and the reporter; so a revoked client gets Unauthenticated, never a stored ticket.
    Raises Unauthenticated or RateLimited before counting anything, and one of REFUSALS after
    counting the request in the client's usage, the transaction's last statement (commit the
    session right after; on PostgreSQL the count is committed already, see `tickit.db.execute_last`).
    """
    digest = api_clients.token_digest(token)
    checks = _BodyChecks.of(body)
    facts = _lookup(session, _LOOKUP_BY_TOKEN, digest, idempotency_key, checks)
    api_clients.check_token_hash(facts.client_token_hash if facts is not None else None, digest)
    api_clients.check_rate(session, facts.client, limit_per_minute=limit_per_minute)
    try:
        return _create_or_replay(session, facts, idempotency_key, body, checks, count_use=True)
    except REFUSALS:
        # Refused before writing anything: the request still counts as one the client made.
        api_clients.record_use(session, facts.client)
        raise


def _create_or_replay(
    session: Session,
    facts: _Facts,
    idempotency_key: str | None,
    body: Any,
    checks: _BodyChecks,
    *,
    count_use: bool = False,
) -> IntakeResult:
    key = check_idempotency_key(idempotency_key)
    request_fingerprint = fingerprint("POST", routes.API_PREFIX + routes.API_TICKETS, body)
    if facts.stored is not None:
        stored = _answer(facts.client, key, request_fingerprint, facts.project_key, *facts.stored)
        if count_use:
            api_clients.record_use(session, facts.client)
        return stored
    request = _validate(session, facts, checks)
    return _file(session, facts, key, request_fingerprint, request, count_use=count_use)


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
    return _answer(client, key, request_fingerprint, project_key, number, stored_fingerprint, response)


def _answer(
    client: ApiClientPublic,
    key: str,
    request_fingerprint: str,
    project_key: str,
    number: int,
    stored_fingerprint: str,
    response: str,
) -> IntakeResult:
    """The replay of the ticket filed under `key`; IdempotencyKeyReused when this request's body differs."""
    ticket_number = format_ticket_number(project_key, number)
    if stored_fingerprint != request_fingerprint:
        raise IdempotencyKeyReused(
            f"The Idempotency-Key {key!r} was already used for {ticket_number} with a different request body; "
            "use a new key for a new ticket."
        )
    return IntakeResult(body=response, location=routes.api_ticket(ticket_number), replayed=True)


@dataclass
class _BodyChecks:
    """What can be checked in a body without the database, and what the lookup needs from it."""

    errors: dict[str, str]
    is_object: bool
    title: str = ""
    description: str = ""
    priority: str = Priority.NORMAL
    reporter_email: str | None = None
    reporter_name: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    type_key: Any = None
    lookup_type_key: str | None = None  # the type key to look up, when it can be one
    raw_fields: Any = None

    @classmethod
    def of(cls, body: Any) -> _BodyChecks:
        if not isinstance(body, Mapping):
            return cls(errors={"body": "The body must be a JSON object."}, is_object=False)
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
        type_key = body.get("type")
        lookup = type_key.strip() if isinstance(type_key, str) and type_key.strip() else None
        if lookup is not None and fields.unstorable_reason(lookup) is not None:
            lookup = None
        return cls(
            errors=errors,
            is_object=True,
            title=title,
            description=description,
            priority=priority,
            reporter_email=reporter_email,
            reporter_name=reporter_name,
            metadata=metadata,
            type_key=type_key,
            lookup_type_key=lookup,
            raw_fields=body.get("fields"),
        )


@dataclass(frozen=True)
class _Person:
    id: int
    email: str
    name: str
    role: str


@dataclass(frozen=True)
class _Facts:
    """What the one lookup statement of a request found."""

    client: ApiClientPublic
    client_token_hash: str
    project_key: str
    stored: tuple[int, str, str] | None  # number, fingerprint and answer of the ticket filed under the key
    ticket_type: tuple[int, str] | None  # id and key of the body's active type
    initial_status: tuple[int, str] | None  # id and key of its initial status
    rules: list[fields.FieldRule]  # its active fields, in form order
    reporter: _Person | None  # the user with the reporter's email
    reporter_is_member: bool


def _lookup_statement(which_client: Any) -> Any:
    """The statement `_lookup` runs, for clients matched by `which_client`.

    Built once at import: building a statement this size costs more Python than running it.
    """
    return (
        sa_select(
            ApiClient.id,
            ApiClient.project_id,
            ApiClient.name,
            ApiClient.token_prefix,
            ApiClient.token_hash,
            ApiClient.created_at,
            ApiClient.last_used_at,
            ApiClient.request_count,
            ApiClient.revoked_at,
            Project.key.label("project_key"),
            Ticket.number.label("stored_number"),
            Ticket.request_fingerprint.label("stored_fingerprint"),
            Ticket.idempotency_response.label("stored_response"),
            TicketType.id.label("type_id"),
            TicketType.key.label("type_key"),
            TicketStatus.id.label("status_id"),
            TicketStatus.key.label("status_key"),
            TicketTypeField.key.label("field_key"),
            TicketTypeField.label.label("field_label"),
            TicketTypeField.field_type,
            TicketTypeField.required,
            TicketTypeField.options,
            User.id.label("reporter_id"),
            User.email.label("reporter_email"),
            User.name.label("reporter_name"),
            User.role.label("reporter_role"),
            ProjectMember.user_id.label("member_id"),
        )
        .select_from(ApiClient)
        .join(Project, Project.id == ApiClient.project_id)
        # A parameter given as None compares as SQL NULL, which equals nothing: no match.
        .outerjoin(Ticket, and_(Ticket.api_client_id == ApiClient.id, Ticket.idempotency_key == bindparam("key")))
        .outerjoin(
            TicketType,
            and_(
                TicketType.project_id == ApiClient.project_id,
                TicketType.key == bindparam("type_key"),
                TicketType.archived == false(),
            ),
        )
        .outerjoin(TicketStatus, and_(TicketStatus.type_id == TicketType.id, TicketStatus.is_initial == true()))
        .outerjoin(TicketTypeField, and_(TicketTypeField.type_id == TicketType.id, TicketTypeField.archived == false()))
        .outerjoin(User, User.email == bindparam("email"))
        .outerjoin(
            ProjectMember, and_(ProjectMember.project_id == ApiClient.project_id, ProjectMember.user_id == User.id)
        )
        .where(which_client, ApiClient.revoked_at.is_(None))
        .order_by(TicketStatus.id, TicketTypeField.sort_order, TicketTypeField.id)
    )


_LOOKUP_BY_TOKEN = _lookup_statement(ApiClient.token_hash == bindparam("client"))
_LOOKUP_BY_ID = _lookup_statement(ApiClient.id == bindparam("client"))


def _lookup(session: Session, statement: Any, client: str | int, key: str | None, checks: _BodyChecks) -> _Facts | None:
    """Everything a request needs to be answered, read in one statement; None when no active client matches.

    One row per active field of the type (at least one row); the columns of the client, its
    project, the ticket already filed under the key, the type, its initial status and the reporter
    repeat on each.
    """
    parameters = {
        "client": client,
        "key": key if key is not None and _KEY.fullmatch(key) else None,
        "type_key": checks.lookup_type_key,
        "email": checks.reporter_email,
    }
    rows = session.connection().execute(statement, parameters).all()
    if not rows:
        return None
    first = rows[0]
    rules = [
        fields.FieldRule(
            key=row.field_key,
            label=row.field_label,
            field_type=FieldType(row.field_type),
            required=row.required,
            options=tuple((option["key"], option["label"]) for option in row.options),
        )
        for row in rows
        # A type has one initial status; should it have had two, the first one's rows are enough.
        if row.field_key is not None and row.status_id == first.status_id
    ]
    return _Facts(
        client=ApiClientPublic.of(first),  # the row has the client's columns under their own names
        client_token_hash=first.token_hash,
        project_key=first.project_key,
        stored=None
        if first.stored_fingerprint is None
        else (first.stored_number, first.stored_fingerprint, first.stored_response),
        ticket_type=None if first.type_id is None else (first.type_id, first.type_key),
        initial_status=None if first.status_id is None else (first.status_id, first.status_key),
        rules=rules,
        reporter=None
        if first.reporter_id is None
        else _Person(first.reporter_id, first.reporter_email, first.reporter_name, first.reporter_role),
        reporter_is_member=first.member_id is not None,
    )


def _validate(session: Session, facts: _Facts, checks: _BodyChecks) -> _Request:
    if not checks.is_object:
        raise ValidationFailed(checks.errors)
    errors = dict(checks.errors)
    found = facts.ticket_type is not None and facts.initial_status is not None
    if not found:
        errors["type"] = _type_error(session, facts.client, checks.type_key)
    field_values: dict[str, Any] = {}
    raw_fields = checks.raw_fields
    if raw_fields is not None and not isinstance(raw_fields, Mapping):
        errors["fields"] = "The fields must be an object of field key to value."
    elif found:
        try:
            field_values = fields.clean_field_values(facts.rules, raw_fields or {})
        except ValidationFailed as exc:
            errors.update({f"fields.{key}": message for key, message in exc.errors.items()})
    if errors:
        raise ValidationFailed(errors)
    return _Request(
        type_id=facts.ticket_type[0],
        type_key=facts.ticket_type[1],
        status_id=facts.initial_status[0],
        status_key=facts.initial_status[1],
        project_key=facts.project_key,
        title=checks.title,
        description=checks.description,
        priority=checks.priority,
        reporter_email=checks.reporter_email,
        reporter_name=checks.reporter_name,
        field_values=field_values,
        metadata=checks.metadata,
        received_at=utcnow(),
    )


def _type_error(session: Session, client: ApiClientPublic, type_key: Any) -> str:
    """Why the body's type is not one to file under, naming the project's types."""
    if not isinstance(type_key, str) or not type_key.strip():
        return "Give the ticket type's key (GET /integrations/v1/ticket-types lists them)."
    known = session.exec(
        select(TicketType.key)
        .where(TicketType.project_id == client.project_id, TicketType.archived == False)  # noqa: E712
        .order_by(TicketType.sort_order, TicketType.id)
    ).all()
    return f"There is no ticket type {type_key[:60]!r}; this project's types are: {', '.join(known)}."


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
            normalised = _normalised_reporter_email(email)
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


# An integrator sends the same few reporters again and again, and checking an address is a good
# share of a filing's Python; the answer depends on the text alone. Refusals are not kept.
_normalised_reporter_email = functools.lru_cache(maxsize=4096)(normalise_email)


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


def _reporter(session: Session, facts: _Facts, request: _Request) -> _Person | None:
    """The user with the reporter's email, made a client of the project when they are new to it.

    The lookup found them (and their membership) already for every reporter but a new one, so
    usually this writes and reads nothing. Inserts that lose to a concurrent request creating the
    same person do nothing, and the winner's row is read instead; no ORM object is made, so the
    caller's savepoint can take these rows back cleanly.
    """
    if request.reporter_email is None:
        return None
    person, connection = facts.reporter, session.connection()
    if person is not None and (facts.reporter_is_member or person.role != Role.CLIENT):
        return person
    if person is None:
        users = User.__table__
        returned = (users.c.id, users.c.email, users.c.name, users.c.role)
        row = connection.execute(
            _insert(session, users)
            .values(
                email=request.reporter_email,
                # No password: the person signs in with Google, or an admin sets one.
                name=request.reporter_name or request.reporter_email.split("@")[0],
                role=Role.CLIENT,
                password_hash=None,
            )
            .on_conflict_do_nothing(index_elements=[users.c.email])
            .returning(*returned)
        ).first()
        if row is None:  # another request created them a moment ago
            row = connection.execute(sa_select(*returned).where(users.c.email == request.reporter_email)).one()
        person = _Person(*row)
    if person.role == Role.CLIENT:
        connection.execute(
            _insert(session, ProjectMember.__table__)
            .values(project_id=facts.client.project_id, user_id=person.id, role=MemberRole.CLIENT)
            .on_conflict_do_nothing()
        )
    return person


def _insert(session: Session, table: Any) -> Any:
    """An INSERT that can say ON CONFLICT DO NOTHING, in the session's SQL dialect."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _file(
    session: Session,
    facts: _Facts,
    key: str,
    request_fingerprint: str,
    request: _Request,
    *,
    count_use: bool,
) -> IntakeResult:
    """Write the ticket, numbered, with its activity entry, its outbox row and the answer a retry replays.

    In a savepoint: on PostgreSQL a failed statement spoils the whole transaction, and the
    savepoint lets the loser of a race on the key undo just its own writes (and the reporter it
    may have created) and still read the winner's answer in the same transaction.
    """
    connection = session.connection()
    # On the connection, not the ORM session: the session's savepoint costs several times more
    # Python, and nothing written inside this one is an ORM object.
    savepoint = connection.begin_nested()
    try:
        reporter = _reporter(session, facts, request)
        filing = _Filing.of(facts, key, request_fingerprint, request, reporter, count_use=count_use)
        if connection.dialect.name == "postgresql":
            ticket_id, number, outbox_id = execute_last(connection, _FILE_ON_POSTGRESQL, filing.parameters).one()
        else:
            ticket_id, number, outbox_id = _file_step_by_step(session, filing)
            if count_use:
                api_clients.record_use(session, facts.client)
    except IntegrityError:
        # Another request with this key won: its ticket is committed now (PostgreSQL made this
        # insert wait for it), and it is what this request answers with.
        savepoint.rollback()
        stored = _stored_answer(session, facts.client, key, request_fingerprint)
        if stored is None:
            raise
        if count_use:
            api_clients.record_use(session, facts.client)
        return stored
    # The savepoint is left for the commit to end (on PostgreSQL, the COMMIT sent along with the
    # filing statement): releasing it would be one more round trip while the project's numbering
    # row is locked, and every filing in the project waits for it.
    outbox.hand_off_after_commit(session, outbox_id)
    return IntakeResult(
        body=filing.answer_for(ticket_id, number),
        location=routes.api_ticket(format_ticket_number(request.project_key, number)),
        replayed=False,
    )


@dataclass(frozen=True)
class _Filing:
    """What filing one ticket writes, as statement parameters.

    The ticket's id and number are only known once it is written, and the answer stored with it
    holds both, so the answer is rendered with a slot for each: random text that no request can
    contain, replaced by the id and the number as the ticket is written.
    """

    parameters: dict[str, Any]

    @classmethod
    def of(
        cls,
        facts: _Facts,
        key: str,
        request_fingerprint: str,
        request: _Request,
        reporter: _Person | None,
        *,
        count_use: bool,
    ) -> _Filing:
        now = request.received_at
        id_slot, number_slot = secrets.token_hex(16), secrets.token_hex(16)
        answer = render(
            ticket_document(
                ticket=_NewTicket(
                    id=id_slot,
                    number=number_slot,
                    title=request.title,
                    description=request.description,
                    priority=request.priority,
                    fields=request.field_values,
                    created_at=now,
                ),
                project_key=request.project_key,
                type_key=request.type_key,
                status_key=request.status_key,
                reporter=reporter,
            )
        )
        message = notifications.ticket_created_message(title=request.title)
        ticket = {
            "project_id": facts.client.project_id,
            "type_id": request.type_id,
            "status_id": request.status_id,
            "title": request.title,
            "description": request.description,
            "priority": request.priority,
            "reporter_id": reporter.id if reporter else None,
            "source": Source.API,
            "idempotency_key": key,
            "request_fingerprint": request_fingerprint,
            "idempotency_expires_at": now + timedelta(days=get_settings().idempotency_retention_days),
            "fields": request.field_values,
            "metadata": request.metadata,
        }
        return cls(
            {
                **{f"ticket_{column}": value for column, value in ticket.items()},
                "numbered_project_id": facts.client.project_id,
                "client_id": facts.client.id,
                "answer": answer,
                # The id is a JSON number: its slot goes in with the quotes of the string it was rendered as.
                "id_slot": f'"{id_slot}"',
                "number_slot": number_slot,
                "now": now,
                "activity_action": "created",
                "activity_before": {},
                "activity_after": {
                    "title": request.title,
                    "status": request.status_key,
                    "type": request.type_key,
                    "source": Source.API,
                    "api_client": facts.client.name,
                    "fields": request.field_values,
                },
                "count_use": count_use,
                **{f"message_{name}": value for name, value in message.items()},
            }
        )

    def answer_for(self, ticket_id: int, number: int) -> str:
        """The stored answer, as `_FILE_ON_POSTGRESQL` fills it in."""
        answer = self.parameters["answer"].replace(self.parameters["id_slot"], str(ticket_id))
        return answer.replace(self.parameters["number_slot"], str(number))


def _filing_statement() -> Any:
    """One PostgreSQL statement that files a ticket, run with `_Filing.parameters`.

    It takes the project's next number (`project_setup.NEXT_TICKET_NUMBER`), counts the request
    in the client's usage (`api_clients.RECORD_USE`, when `count_use`), inserts the ticket with
    its number and its answer (the slots filled in), its activity entry and its outbox row, and
    returns the ticket's id, its number and the outbox row's id.

    Why one statement: each project's numbering row stays locked from here to the commit, and
    every filing in the project waits for it; a statement per row would hold it across several
    round trips, each waiting for this process's Python to send the next. The sub-statements see
    one snapshot, and the foreign keys to the new ticket are checked at the statement's end. The
    usage row is locked after the numbering row (through the EXISTS), so two filings always take
    the two locks in the same order.

    No parameter may be named like a column of `projects` or `api_clients`: SQLAlchemy takes such
    a parameter of an UPDATE as a value to SET, even in a WITH. Hence `ticket_title`, not `title`.
    """
    tickets, activity, messages = Ticket.__table__, ActivityEntry.__table__, OutboxMessage.__table__
    numbered = NEXT_TICKET_NUMBER.cte("numbered")
    counted = api_clients.RECORD_USE.where(
        bindparam("count_use", type_=Boolean), exists(sa_select(numbered.c.last_ticket_number))
    ).cte("counted")
    new = sa_select(
        func.nextval(func.pg_get_serial_sequence(tickets.name, tickets.c.id.name)).label("id"),
        numbered.c.last_ticket_number.label("number"),
    ).subquery("new")
    answer = func.replace(
        func.replace(bindparam("answer"), bindparam("id_slot"), cast(new.c.id, Text)),
        bindparam("number_slot"),
        cast(new.c.number, Text),
    )
    ticket_values = {
        "id": new.c.id,
        "number": new.c.number,
        "board_rank": new.c.number,
        "idempotency_response": answer,
        **{column: bindparam(f"ticket_{column}", type_=tickets.c[column].type) for column in _TICKET_COLUMNS},
        "api_client_id": bindparam("client_id"),
        "created_at": bindparam("now", type_=UTCDateTime),
        "updated_at": bindparam("now", type_=UTCDateTime),
    }
    ticket = (
        insert(tickets)
        .from_select(list(ticket_values), sa_select(*ticket_values.values()), include_defaults=False)
        .returning(tickets.c.id, tickets.c.number)
        .cte("ticket")
    )
    logged = (
        insert(activity)
        .from_select(
            ["ticket_id", "actor_api_client_id", "action", "before", "after", "created_at"],
            sa_select(
                ticket.c.id,
                bindparam("client_id"),
                bindparam("activity_action"),
                bindparam("activity_before", type_=JSONType),
                bindparam("activity_after", type_=JSONType),
                bindparam("now", type_=UTCDateTime),
            ),
            include_defaults=False,
        )
        .cte("logged")
    )
    # The outbox row's attempts and last error start at the model's defaults (from_select leaves
    # defaulted columns NULL inside a statement like this one, so they are named here).
    unsent = ("attempts", "last_error")
    return (
        insert(messages)
        .from_select(
            ["event", "channel", "ticket_id", "payload", "created_at", "next_attempt_at", *unsent],
            sa_select(
                bindparam("message_event"),
                bindparam("message_channel"),
                ticket.c.id,
                bindparam("message_payload", type_=JSONType),
                bindparam("now", type_=UTCDateTime),
                bindparam("now", type_=UTCDateTime),
                *(literal(messages.c[name].default.arg, messages.c[name].type) for name in unsent),
            ),
            include_defaults=False,
        )
        .returning(messages.c.ticket_id, sa_select(numbered.c.last_ticket_number).scalar_subquery(), messages.c.id)
        .add_cte(counted, logged)
    )


def _file_step_by_step(session: Session, filing: _Filing) -> tuple[int, int, int]:
    """`_FILE_ON_POSTGRESQL` a statement at a time (but for the usage count), for SQLite (which has no INSERT in WITH).

    SQLite lets one writer in at a time (see tickit.db), so holding the numbering row across
    these statements delays no one who could have gone ahead.
    """
    values, connection = filing.parameters, session.connection()
    number = allocate_ticket_number(session=session, project_id=values["numbered_project_id"])
    ticket_id = connection.execute(
        _INSERT_TICKET,
        {
            **{column: values[f"ticket_{column}"] for column in _TICKET_COLUMNS},
            "api_client_id": values["client_id"],
            "number": number,
            "board_rank": float(number),
            "created_at": values["now"],
            "updated_at": values["now"],
        },
    ).scalar_one()
    connection.execute(_STORE_ANSWER, {"ticket_id": ticket_id, "answer": filing.answer_for(ticket_id, number)})
    connection.execute(
        _INSERT_ACTIVITY,
        {
            "ticket_id": ticket_id,
            "actor_api_client_id": values["client_id"],
            "action": values["activity_action"],
            "before": values["activity_before"],
            "after": values["activity_after"],
            "created_at": values["now"],
        },
    )
    outbox_id = connection.execute(
        _INSERT_OUTBOX,
        {
            "event": values["message_event"],
            "channel": values["message_channel"],
            "ticket_id": ticket_id,
            "payload": values["message_payload"],
            "created_at": values["now"],
            "next_attempt_at": values["now"],
        },
    ).scalar_one()
    return ticket_id, number, outbox_id


# The ticket's columns given as parameters (`ticket_<column>`) to both ways of filing.
_TICKET_COLUMNS = (
    "project_id",
    "type_id",
    "status_id",
    "title",
    "description",
    "priority",
    "reporter_id",
    "source",
    "idempotency_key",
    "request_fingerprint",
    "idempotency_expires_at",
    "fields",
    "metadata",
)
# Built once: building a statement costs more Python than running it.
_INSERT_TICKET = insert(Ticket.__table__).returning(Ticket.__table__.c.id)
_STORE_ANSWER = (
    update(Ticket.__table__)
    .where(Ticket.__table__.c.id == bindparam("ticket_id"))
    .values(idempotency_response=bindparam("answer"))
)
_INSERT_ACTIVITY = insert(ActivityEntry.__table__)
_INSERT_OUTBOX = insert(OutboxMessage.__table__).returning(OutboxMessage.__table__.c.id)
_FILE_ON_POSTGRESQL = _filing_statement()


@dataclass(frozen=True)
class _NewTicket:
    """The ticket being written, as `ticket_document` reads it (id and number may be slots)."""

    id: int | str
    number: int | str
    title: str
    description: str
    priority: str
    fields: dict[str, Any]
    created_at: datetime
