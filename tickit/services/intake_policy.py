"""A project's intake rules for requesters: per-user limits, who may set priority, the acknowledgement switch,
self sign-up.

Limits count through `ratelimit` (Redis when configured, else the database), in fixed windows:
filing is counted per requester and project in clock hours, comments per requester and ticket in
ten-minute windows. Staff are exempt, and so are API clients: an app filing for its users is
held to its own per-client rate (TICKIT_API_RATE_LIMIT), and one app often files for many people
from one shared address book, where a per-person hourly cap would refuse a legitimate burst.
A comment an app posts as the ticket's requester is still the requester's comment and counts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from tickit.models import Priority, ProjectIntake, Ticket
from tickit.models.intake import DEFAULT_COMMENTS_PER_WINDOW, DEFAULT_TICKETS_PER_HOUR
from tickit.services import audit, ratelimit
from tickit.services.access import get_project, project_to_configure
from tickit.services.actors import Actor, UserPublic
from tickit.services.errors import RateLimited, ValidationFailed

if TYPE_CHECKING:  # api_clients imports, through projects and users, the services that import this one
    from tickit.services.api_clients import ApiClientPublic

FILING_WINDOW_SECONDS = 3600
COMMENT_WINDOW_SECONDS = 600
LIMIT_MAX = 10_000


@dataclass(frozen=True)
class IntakePolicy:
    """How a project takes in requests; a limit of 0 means none."""

    acknowledge: bool = True
    tickets_per_hour: int = DEFAULT_TICKETS_PER_HOUR
    comments_per_window: int = DEFAULT_COMMENTS_PER_WINDOW
    clients_set_priority: bool = False
    self_signup: bool = False  # "Create an account" offers this project
    signup_domains: tuple[str, ...] = ()  # the addresses self sign-up takes; empty: any


DEFAULT_POLICY = IntakePolicy()
_FLAGS = ("acknowledge", "clients_set_priority", "self_signup")
MAX_SIGNUP_DOMAINS = 50
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_LIMITS = ("tickets_per_hour", "comments_per_window")


def policy_of(session: Session, project_id: int) -> IntakePolicy:
    """The project's intake rules (the defaults while it has none of its own)."""
    row = session.get(ProjectIntake, project_id)
    if row is None:
        return DEFAULT_POLICY
    return IntakePolicy(
        acknowledge=row.acknowledge,
        tickets_per_hour=row.tickets_per_hour,
        comments_per_window=row.comments_per_window,
        clients_set_priority=row.clients_set_priority,
        self_signup=row.self_signup,
        signup_domains=tuple(row.signup_domains),
    )


def read_intake(*, session: Session, actor: Actor, project_key: str) -> IntakePolicy:
    """The intake rules of project `project_key`, for its settings page (admins and its project admins)."""
    return policy_of(session, project_to_configure(session, actor, project_key).id)


def update_intake(*, session: Session, actor: Actor, project_key: str, changes: Mapping[str, Any]) -> IntakePolicy:
    """Change some of the project's intake rules (only the keys given); admins.

    ValidationFailed names each key at fault: an unknown one, a switch that is not true/false, or
    a limit that is not a whole number from 0 (no limit) to 10,000.
    """
    project = project_to_configure(session, actor, project_key)
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for key, value in changes.items():
        if key in _FLAGS:
            if isinstance(value, bool):
                cleaned[key] = value
            else:
                errors[key] = "Say true or false."
        elif key in _LIMITS:
            number = _whole_number(value)
            if number is None or not 0 <= number <= LIMIT_MAX:
                errors[key] = f"Give a whole number from 0 (no limit) to {LIMIT_MAX:,}."
            else:
                cleaned[key] = number
        elif key == "signup_domains":
            try:
                cleaned[key] = check_domains(value)
            except ValidationFailed as exc:
                errors.update(exc.errors)
        else:
            errors[key] = "Not an intake setting."
    if errors:
        raise ValidationFailed(errors)
    row = session.get(ProjectIntake, project.id) or ProjectIntake(project_id=project.id)
    before = {key: getattr(row, key) for key in cleaned}
    for key, value in cleaned.items():
        setattr(row, key, value)
    session.add(row)
    session.flush()
    audit.record_change(
        session, actor=actor, action=audit.INTAKE_EDITED, target=project.key, before=before, after=cleaned
    )
    return policy_of(session, project.id)


def check_domains(value: Any) -> list[str]:
    """Email domains as stored: lower case, without "@", each once; from a list or a comma/space separated text.

    ValidationFailed names `signup_domains` and the first domain that is not one.
    """
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise ValidationFailed({"signup_domains": "Give the domains as a list, like example.com, example.org."})
    domains = list(dict.fromkeys(item.strip().lower().removeprefix("@") for item in value if item.strip()))
    for domain in domains:
        if not _DOMAIN.match(domain):
            raise ValidationFailed({"signup_domains": f"{domain[:80]!r} is not an email domain (like example.com)."})
    if len(domains) > MAX_SIGNUP_DOMAINS:
        raise ValidationFailed({"signup_domains": f"Give at most {MAX_SIGNUP_DOMAINS} domains."})
    return domains


def priority_errors(
    session: Session, actor: UserPublic | ApiClientPublic, project_id: int, priority: str
) -> dict[str, str]:
    """Why `actor` may not file with `priority` (keyed `priority`), or nothing.

    Anyone may leave it normal; staff and API clients may set any priority; clients only where the
    project lets them.
    """
    if priority not in set(Priority):
        return {"priority": "Choose low, normal, high or urgent."}
    if priority == Priority.NORMAL or not isinstance(actor, UserPublic) or actor.is_staff:
        return {}
    if policy_of(session, project_id).clients_set_priority:
        return {}
    return {"priority": "The team sets the priority of requests in this project."}


def may_set_priority(session: Session, actor: UserPublic, project_key: str) -> bool:
    """Whether the new-ticket form offers the actor a priority in this project (as `priority_errors` judges)."""
    return actor.is_staff or policy_of(session, get_project(session, project_key).id).clients_set_priority


def count_filing(session: Session, actor: UserPublic | ApiClientPublic, project_id: int) -> None:
    """Count a requester's new ticket in the project; RateLimited past the project's hourly limit."""
    if not isinstance(actor, UserPublic) or actor.is_staff:
        return
    limit = policy_of(session, project_id).tickets_per_hour
    if limit and ratelimit.hit(session, f"file:{project_id}:{actor.id}", window_seconds=FILING_WINDOW_SECONDS) > limit:
        raise RateLimited(
            ratelimit.seconds_left(FILING_WINDOW_SECONDS),
            f"This project takes {_requests(limit)} an hour from one person",
            then="you can file another request",
        )


def count_comment(session: Session, actor: UserPublic, ticket: Ticket) -> None:
    """Count a requester's comment on the ticket; RateLimited past the project's limit per ten minutes."""
    if actor.is_staff:
        return
    limit = policy_of(session, ticket.project_id).comments_per_window
    key = f"comment:{ticket.id}:{actor.id}"
    if limit and ratelimit.hit(session, key, window_seconds=COMMENT_WINDOW_SECONDS) > limit:
        raise RateLimited(
            ratelimit.seconds_left(COMMENT_WINDOW_SECONDS),
            f"This ticket takes {limit} comment{'s' if limit != 1 else ''} in ten minutes from one person",
            then="you can comment again",
        )


def _requests(n: int) -> str:
    return f"{n} request{'s' if n != 1 else ''}"


def _whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
