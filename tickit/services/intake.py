"""Tickets filed by other apps: idempotent intake for the integration API.

An integrator sends each request with an `Idempotency-Key`. The first request with a key files
the ticket (through `tickets.file_ticket`, like every other ticket) and stores, on the ticket
row, the key, a fingerprint of the request and the exact answer; a retry with the same key and
body gets that answer again, and nothing new is written. The unique constraint on
(api_client_id, idempotency_key) decides two retries racing: no lock is held in application
memory, so this is correct across worker processes and machines.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, bindparam, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from tickit import routes
from tickit.config import get_settings
from tickit.models import ApiClient, MemberRole, Priority, Project, ProjectMember, Role, Source, Ticket, User, utcnow
from tickit.services import tickets
from tickit.services.access import format_ticket_number
from tickit.services.api_clients import ApiClientPublic
from tickit.services.errors import ServiceError, Unauthenticated
from tickit.services.intake_request import Reporter, TicketIn, metadata_errors, reporter_of
from tickit.services.ticket_documents import render, ticket_document

KEY_MAX_LENGTH = 255
KEY_PATTERN = r"^[\x20-\x7e]+$"
_KEY = re.compile(rf"[\x20-\x7e]{{1,{KEY_MAX_LENGTH}}}")

# Every request runs the lookup, every new ticket the reporter's and the answer's statements. Built once, with
# parameters: compiled and cached once, where a statement built per call costs more CPU than
# the database takes to run it.
_LOOKUP = (
    select(Project.key, Ticket.number, Ticket.request_fingerprint, Ticket.idempotency_response)
    .select_from(ApiClient)
    .join(Project, Project.id == ApiClient.project_id)
    .outerjoin(Ticket, and_(Ticket.api_client_id == ApiClient.id, Ticket.idempotency_key == bindparam("key")))
    .where(ApiClient.id == bindparam("client_id"), ApiClient.revoked_at.is_(None))
)
_PERSON_IN_PROJECT = (
    sa_select(User.id, User.email, User.name, User.role, ProjectMember.user_id.label("member"))
    .outerjoin(
        ProjectMember,
        and_(ProjectMember.user_id == User.id, ProjectMember.project_id == bindparam("project_id")),
    )
    .where(User.email == bindparam("email"))
)
_STORE_ANSWER = (
    update(Ticket).where(Ticket.id == bindparam("ticket_id")).values(idempotency_response=bindparam("answer"))
)


# One message for staff and for other projects' clients alike: the app learns that the address is
# not its to use, not whose it is.
REPORTER_OUT_OF_LANE = (
    "This address belongs to an account that is not a client of this project, so an API client cannot "
    "file in its name. Name the person by another address, or leave out the reporter."
)


class IdempotencyKeyInvalid(ServiceError):
    """The Idempotency-Key header is missing or not 1-255 printable ASCII characters."""


class IdempotencyKeyReused(ServiceError):
    """The key was already used for a request with a different body."""


@dataclass(frozen=True)
class IntakeResult:
    body: str  # the ticket's JSON, exactly as the first request was answered
    location: str  # the API path of the ticket
    replayed: bool


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
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(f"{method.upper()} {path}\n{canonical}".encode("ascii")).hexdigest()


def create_or_replay(
    *, session: Session, client: ApiClientPublic, idempotency_key: str | None, request: TicketIn
) -> IntakeResult:
    """File a ticket for an API client, or replay the answer to an earlier request with the same key.

    The caller has admitted the client (`api_clients.admit`), and commits the session once this
    returns. The client is checked again here, so a client revoked meanwhile gets Unauthenticated,
    never a stored ticket. Raises IdempotencyKeyInvalid, IdempotencyKeyReused, or ValidationFailed
    with one error per field; a refused request writes nothing, so its retry is judged afresh.
    """
    key = check_idempotency_key(idempotency_key)
    request_fingerprint = fingerprint("POST", routes.API_PREFIX + routes.API_TICKETS, request.as_sent())
    project_key, stored = _lookup(session, client, key, request_fingerprint)
    if stored is not None:
        return stored
    try:
        # On PostgreSQL a failed statement spoils the whole transaction: the savepoint lets the
        # loser of a race on the key undo just its own writes and still read the winner's answer.
        with session.begin_nested():
            return _file(session, client, project_key, key, request_fingerprint, request)
    except IntegrityError:
        # Another request with this key won: its ticket is committed now (the database made this
        # insert wait for it), and it is what this request answers with.
        stored = _stored_answer(session, client, key, request_fingerprint)
        if stored is None:
            raise
        return stored


def purge_expired_keys(*, session: Session) -> int:
    """Forget idempotency keys past their retention (the tickets stay); returns how many were dropped."""
    result = session.exec(
        update(Ticket)
        .where(Ticket.idempotency_expires_at < utcnow())
        .values(idempotency_key=None, request_fingerprint=None, idempotency_expires_at=None, idempotency_response=None)
    )
    return result.rowcount


def _lookup(
    session: Session, client: ApiClientPublic, key: str, request_fingerprint: str
) -> tuple[str, IntakeResult | None]:
    """The active client's project key, and the replay of what was filed under `key` (None: nothing yet)."""
    row = session.connection().execute(_LOOKUP, {"key": key, "client_id": client.id}).first()
    if row is None:
        raise Unauthenticated("The API token is unknown or has been revoked.")
    project_key, number, stored_fingerprint, response = row
    if stored_fingerprint is None:
        return project_key, None
    return project_key, _answer(key, request_fingerprint, project_key, number, stored_fingerprint, response)


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
    return _answer(key, request_fingerprint, project_key, number, stored_fingerprint, response)


def _answer(
    key: str, request_fingerprint: str, project_key: str, number: int, stored_fingerprint: str, response: str
) -> IntakeResult:
    """The replay of the ticket filed under `key`; IdempotencyKeyReused when this request's body differs."""
    ticket_number = format_ticket_number(project_key, number)
    if stored_fingerprint != request_fingerprint:
        raise IdempotencyKeyReused(
            f"The Idempotency-Key {key!r} was already used for {ticket_number} with a different request body; "
            "use a new key for a new ticket."
        )
    return IntakeResult(body=response, location=routes.api_ticket(ticket_number), replayed=True)


def _file(
    session: Session, client: ApiClientPublic, project_key: str, key: str, request_fingerprint: str, request: TicketIn
) -> IntakeResult:
    """File the request's ticket under `key`, and store with it the answer a retry replays."""
    errors = metadata_errors(request)
    reporter = reporter_of(request, errors)
    person = _person(session, client, reporter, errors) if reporter is not None and not errors else None
    filed = tickets.file_ticket(
        session=session,
        actor=client,
        source=Source.API,
        project_key=project_key,
        type_key=request.type,
        title=request.title,
        description=request.description or "",
        reporter_id=person.id if person else None,
        field_values=request.fields or {},
        priority=request.priority or Priority.NORMAL,
        metadata=request.metadata,
        idempotency=tickets.IdempotencyRecord(
            key=key,
            fingerprint=request_fingerprint,
            expires_at=utcnow() + timedelta(days=get_settings().idempotency_retention_days),
        ),
        refused=errors,
        tag_names=request.tags or (),
    )
    answer = render(
        ticket_document(
            ticket=filed,
            project_key=filed.project_key,
            type_key=filed.type_key,
            status_key=filed.status_key,
            reporter=person,
            assignee=filed.assignee,
        )
    )
    session.connection().execute(_STORE_ANSWER, {"ticket_id": filed.id, "answer": answer})
    return IntakeResult(body=answer, location=routes.api_ticket(filed.reference), replayed=False)


@dataclass(frozen=True)
class _Person:
    id: int
    email: str
    name: str
    role: str


def _person(session: Session, client: ApiClientPublic, reporter: Reporter, errors: dict[str, str]) -> _Person | None:
    """The user with the reporter's email: a client of the project already, or a new one made so.

    An API client stays in its project's lane: an address that belongs to staff, or to a client who
    is not one of this project's, is refused under "reporter.email" (added to `errors`; then None),
    so an app can neither file in a staff member's name nor pull another project's client into its own.
    Inserts that lose to a concurrent request creating the same person do nothing, and the
    winner's row is read instead: a conflict here is no reason to refuse the ticket.
    """
    users, members = User.__table__, ProjectMember.__table__
    returned = (users.c.id, users.c.email, users.c.name, users.c.role)
    connection = session.connection()
    found = connection.execute(_PERSON_IN_PROJECT, {"email": reporter.email, "project_id": client.project_id}).first()
    if found is not None:
        if found.role == Role.CLIENT and found.member is not None:
            return _Person(*found[:4])
        errors["reporter.email"] = REPORTER_OUT_OF_LANE
        return None
    row = connection.execute(
        _insert(session, users)
        .values(
            email=reporter.email,
            # No password: the person signs in with Google, or an admin sets one.
            name=reporter.name or reporter.email.split("@")[0],
            role=Role.CLIENT,
            password_hash=None,
        )
        .on_conflict_do_nothing(index_elements=[users.c.email])
        .returning(*returned)
    ).first()
    if row is None:  # another request created them a moment ago, as a client too
        row = connection.execute(sa_select(*returned).where(users.c.email == reporter.email)).one()
    connection.execute(
        _insert(session, members)
        .values(project_id=client.project_id, user_id=row.id, role=MemberRole.CLIENT)
        .on_conflict_do_nothing()
    )
    return _Person(*row)


def _insert(session: Session, table: Any) -> Any:
    """An INSERT that can say ON CONFLICT DO NOTHING, in the session's SQL dialect."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)
