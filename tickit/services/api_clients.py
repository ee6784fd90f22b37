"""API clients: the apps that file tickets over the integration API, and their bearer tokens.

A token is shown once, when it is made; only its SHA-256 is stored. A recognisable `tk_` prefix
lets secret scanners and people spot a leaked token, and the first characters are kept in clear
so admins can tell a project's tokens apart.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, update
from sqlmodel import Session, select

from tickit.models import ApiClient, Project, utcnow
from tickit.services import audit, ratelimit
from tickit.services.access import project_to_configure
from tickit.services.actors import Actor
from tickit.services.errors import NotFound, RateLimited, Unauthenticated, ValidationFailed

TOKEN_PREFIX = "tk_"
TOKEN_BYTES = 32  # 256 random bits from `secrets`
SHOWN_PREFIX_LENGTH = len(TOKEN_PREFIX) + 6
NAME_MAX = 100
# Longer than any token we issue; anything longer is refused before it is hashed.
TOKEN_MAX_LENGTH = 100
RATE_WINDOW_SECONDS = 60

# Every API request runs these two. Built once, with parameters: compiled and cached once, where a
# statement built per call costs more CPU than the database takes to run it.
_ACTIVE_CLIENT_BY_HASH = select(
    ApiClient.id,
    ApiClient.project_id,
    ApiClient.name,
    ApiClient.token_prefix,
    ApiClient.token_hash,
    ApiClient.created_at,
    ApiClient.last_used_at,
    ApiClient.request_count,
    ApiClient.revoked_at,
    ApiClient.may_read_all,
).where(ApiClient.token_hash == bindparam("digest"), ApiClient.revoked_at.is_(None))
_RECORD_USE = (
    update(ApiClient)
    .where(ApiClient.id == bindparam("client_id"))
    .values(request_count=ApiClient.request_count + 1, last_used_at=bindparam("now"))
)


@dataclass(frozen=True)
class ApiClientPublic:
    id: int
    project_id: int
    name: str
    token_prefix: str
    created_at: datetime
    last_used_at: datetime | None
    request_count: int
    revoked_at: datetime | None
    may_read_all: bool  # every ticket of the project, not only those it filed

    @classmethod
    def of(cls, row: Any) -> ApiClientPublic:
        """The public view of an `ApiClient` row, or of any row with its columns."""
        return cls(
            id=row.id,
            project_id=row.project_id,
            name=row.name,
            token_prefix=row.token_prefix,
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            request_count=row.request_count,
            revoked_at=row.revoked_at,
            may_read_all=row.may_read_all,
        )

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass(frozen=True)
class CreatedApiClient:
    client: ApiClientPublic
    token: str  # the only time the token exists outside the integrator's hands


def hash_token(token: str) -> str:
    """The stored form of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_api_client(
    *, session: Session, actor: Actor, project_key: str, name: str, may_read_all: bool = False
) -> CreatedApiClient:
    """Make a client for the project and return it with its token, which is not stored and cannot be shown again.

    The client reads only the tickets it files, unless `may_read_all` lets it read every ticket of the project.
    """
    project = project_to_configure(session, actor, project_key)
    name = name.strip()
    if not name:
        raise ValidationFailed({"name": "Give the client a name, such as the app that will use it."})
    if len(name) > NAME_MAX:
        raise ValidationFailed({"name": f"Keep the name under {NAME_MAX} characters."})
    taken = session.exec(
        select(ApiClient.id).where(
            ApiClient.project_id == project.id, ApiClient.name == name, ApiClient.revoked_at.is_(None)
        )
    ).first()
    if taken is not None:
        raise ValidationFailed({"name": f"{project.key} already has an active client named “{name}”."})
    token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    row = ApiClient(
        project_id=project.id,
        name=name,
        token_prefix=token[:SHOWN_PREFIX_LENGTH],
        token_hash=hash_token(token),
        may_read_all=may_read_all,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=audit.API_CLIENT_CREATED,
        target=f"{project.key} · {name}",
        after={"prefix": row.token_prefix, "may_read_all": may_read_all},
    )
    return CreatedApiClient(client=ApiClientPublic.of(row), token=token)


def list_api_clients(*, session: Session, actor: Actor, project_key: str) -> list[ApiClientPublic]:
    """The project's clients, active ones first, newest first."""
    project = project_to_configure(session, actor, project_key)
    rows = session.exec(
        select(ApiClient)
        .where(ApiClient.project_id == project.id)
        .order_by(ApiClient.revoked_at.is_not(None), ApiClient.created_at.desc(), ApiClient.id.desc())
    ).all()
    return [ApiClientPublic.of(row) for row in rows]


def revoke_api_client(*, session: Session, actor: Actor, project_key: str, client_id: int) -> ApiClientPublic:
    """Stop the client's token from working, at once and for good; revoking twice keeps the first time."""
    project = project_to_configure(session, actor, project_key)
    row = session.exec(
        select(ApiClient).where(ApiClient.id == client_id, ApiClient.project_id == project.id).with_for_update()
    ).first()
    if row is None:
        raise NotFound(f"{project.key} has no API client {client_id}.")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        audit.record(
            session,
            actor=actor,
            action=audit.API_CLIENT_REVOKED,
            target=f"{project.key} · {row.name}",
            before={"prefix": row.token_prefix},
        )
        session.flush()
    return ApiClientPublic.of(row)


def set_may_read_all(
    *, session: Session, actor: Actor, project_key: str, client_id: int, may_read_all: bool
) -> ApiClientPublic:
    """Let the client read every ticket of its project (True), or only the tickets it filed (False)."""
    project = project_to_configure(session, actor, project_key)
    if not isinstance(may_read_all, bool):
        raise ValidationFailed({"may_read_all": "Choose on or off."})
    row = session.exec(select(ApiClient).where(ApiClient.id == client_id, ApiClient.project_id == project.id)).first()
    if row is None:
        raise NotFound(f"{project.key} has no API client {client_id}.")
    row.may_read_all = may_read_all
    session.add(row)
    session.flush()
    return ApiClientPublic.of(row)


def project_key_of(session: Session, client: ApiClientPublic) -> str:
    """The key of the project the client files into."""
    return session.exec(select(Project.key).where(Project.id == client.project_id)).one()


def admit(session: Session, token: str | None, *, limit_per_minute: int) -> ApiClientPublic:
    """The client a bearer token belongs to, once its request is counted and within its rate.

    Raises Unauthenticated for a missing, unknown or revoked token (all alike, so a caller learns
    nothing about which tokens exist), and RateLimited when the client is over its limit (that
    refused request is not counted). Run it in its own short transaction, and commit right after:
    it ends with the client's usage count (`record_use`), and holding that row's lock for the rest
    of a request would serialise the client's requests.
    """
    digest = token_digest(token)
    row = session.connection().execute(_ACTIVE_CLIENT_BY_HASH, {"digest": digest}).first()
    check_token_hash(row.token_hash if row is not None else None, digest)
    client = ApiClientPublic.of(row)
    check_rate(session, client, limit_per_minute=limit_per_minute)
    return record_use(session, client)


def token_digest(token: str | None) -> str:
    """The stored form of a bearer token that looks like one of ours; Unauthenticated otherwise."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > TOKEN_MAX_LENGTH:
        raise Unauthenticated("Send a valid API token as `Authorization: Bearer tk_…`.")
    return hash_token(token)


def check_token_hash(stored_hash: str | None, digest: str) -> None:
    """Unauthenticated unless a lookup by `digest` among active clients found `stored_hash` (None: nothing found).

    The index lookup already matched the hash; comparing again in constant time keeps the check
    itself from leaking timing, whatever the database does.
    """
    if stored_hash is None or not hmac.compare_digest(stored_hash, digest):
        raise Unauthenticated("The API token is unknown or has been revoked.")


def check_rate(session: Session, client: ApiClientPublic, *, limit_per_minute: int) -> None:
    """Count one request against the client's rate; RateLimited (and not counted as used) beyond it."""
    hits = ratelimit.hit(session, f"api:{client.id}", window_seconds=RATE_WINDOW_SECONDS)
    if hits > limit_per_minute:
        raise RateLimited(
            ratelimit.seconds_left(RATE_WINDOW_SECONDS),
            f"API client “{client.name}” is over its limit of {limit_per_minute} requests a minute",
        )


def record_use(session: Session, client: ApiClientPublic) -> ApiClientPublic:
    """Count an admitted request in the client's usage (last used, request count), shown to admins."""
    now = utcnow()
    session.connection().execute(_RECORD_USE, {"client_id": client.id, "now": now})
    return dataclasses.replace(client, request_count=client.request_count + 1, last_used_at=now)
