"""Automatic assignment: who gets a new ticket, chosen inside the filing's transaction, and the queue.

A project's rule (`AssignmentRule`) is off, round-robin or least-load, optionally restricted by
skills. A candidate is an active agent member of the project who is available, has every skill the
ticket needs and is under capacity (see `_unfit`). Least-load picks the candidate with the fewest
open tickets in the project outside statuses that pause the SLA; round-robin, and any tie, goes to
whoever was given a ticket least recently. Nobody fits: the ticket waits in the queue (unassigned),
and `assign_queue` (every minute) hands it out as soon as somebody fits.

Fair under concurrency: every choice is made holding the project's rule row locked
(SELECT ... FOR UPDATE), and reads the loads committed before it; so two filings, or a filing and
the queue pass, never both see the same agent as the least loaded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic_core import PydanticCustomError
from sqlalchemy import case, func
from sqlmodel import Session, select

from tickit.models import (
    WORKING_ROLES,
    ActivityEntry,
    AgentAvailability,
    AssignmentRule,
    AssignmentStrategy,
    ProjectMember,
    Role,
    StatusCategory,
    Ticket,
    TicketStatus,
    TicketTypeSkills,
    User,
    utcnow,
)
from tickit.services import notifications, ticket_stamp, webhook_events
from tickit.services.actors import SYSTEM, Actor
from tickit.services.business_hours import ROUND_THE_CLOCK, Calendar

SKILL_PATTERN = re.compile(r"[a-z0-9][a-z0-9_.+-]{0,39}")
SKILLS_MAX = 30
# The queue pass hands out at most this many tickets per project per run; the next run goes on.
QUEUE_BATCH = 500


@dataclass(frozen=True)
class Assignee:
    """Who a ticket was given to, as the integration API names them."""

    id: int
    email: str
    name: str


@dataclass
class Candidate:
    """An agent member of the project and what the choice weighs: availability, skills, load."""

    user_id: int
    email: str
    name: str
    available: bool
    capacity: int | None
    skills: frozenset[str]
    last_turn: int
    load: int  # open tickets outside statuses that pause the SLA: what least-load compares
    open: int  # every open ticket: what capacity limits
    calendar_key: str | None  # their working hours: one of the project's SLA calendars; None round the clock
    working: bool  # inside those hours at the moment the pool was read


@dataclass
class Pool:
    """A project's rule, locked for the caller's transaction, and its agents."""

    rule: AssignmentRule
    candidates: list[Candidate] = field(default_factory=list)


def normalise_skills(value: Any) -> list[str]:
    """Skill tags as stored: lower-case, without repeats, in the order given. Accepts a list or "a, b" text."""
    if isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()]
    if not isinstance(value, list | tuple):
        raise PydanticCustomError("skills_type", "must be a list of skill tags, like [billing, de]")
    skills: list[str] = []
    for index, raw in enumerate(value):
        if not isinstance(raw, str):
            raise PydanticCustomError("skill_type", "each skill must be a tag, like billing", {"at": (index,)})
        tag = raw.strip().lower()
        if not SKILL_PATTERN.fullmatch(tag):
            raise PydanticCustomError(
                "skill_pattern",
                "{tag!r} is not a skill tag: use 1 to 40 letters, digits and - _ . + starting with a letter or digit",
                {"at": (index,), "tag": raw[:50]},
            )
        if tag not in skills:
            skills.append(tag)
    if len(skills) > SKILLS_MAX:
        raise PydanticCustomError("skills_many", "name at most {max} skills", {"max": SKILLS_MAX})
    return skills


def needed_skills(session: Session, type_id: int, field_values: Mapping[str, Any]) -> frozenset[str]:
    """The skills a ticket of this type with these field values needs: the type's own, and its options' ones."""
    row = session.get(TicketTypeSkills, type_id)
    if row is None:
        return frozenset()
    needed = set(row.skills)
    for field_key, by_option in row.field_skills.items():
        chosen = field_values.get(field_key)
        for option in chosen if isinstance(chosen, list) else [chosen]:
            needed.update(by_option.get(option, []) if isinstance(option, str) else [])
    return frozenset(needed)


def lock_pool(session: Session, project_id: int, now: datetime) -> Pool | None:
    """The project's pool, its rule row locked until the caller's transaction ends; None when assignment is off."""
    rule = session.exec(
        select(AssignmentRule)
        .where(AssignmentRule.project_id == project_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if rule is None or rule.strategy == AssignmentStrategy.OFF:
        return None
    return Pool(rule=rule, candidates=candidates(session, project_id, now))


def candidates(session: Session, project_id: int, now: datetime) -> list[Candidate]:
    """The project's active staff agent members with their availability, working hours at `now` and load, by id.

    A calendar key the project's SLA set-up no longer has counts as round the clock, so removing a
    calendar never leaves its agents out of every pool.
    """
    rows = session.exec(
        select(
            User.id,
            User.email,
            User.name,
            AgentAvailability.available,
            AgentAvailability.capacity,
            AgentAvailability.skills,
            AgentAvailability.last_turn,
            AgentAvailability.calendar_key,
        )
        .join(ProjectMember, ProjectMember.user_id == User.id)
        .outerjoin(
            AgentAvailability,
            (AgentAvailability.project_id == ProjectMember.project_id) & (AgentAvailability.user_id == User.id),
        )
        .where(
            ProjectMember.project_id == project_id,
            ProjectMember.role.in_(WORKING_ROLES),
            User.is_active,
            User.role.in_((Role.AGENT, Role.ADMIN)),
        )
        .order_by(User.id)
    ).all()
    loads = open_counts(session, project_id, [row[0] for row in rows])
    hours = _calendars(session, project_id)
    return [
        Candidate(
            user_id=user_id,
            email=email,
            name=name,
            available=True if available is None else available,
            capacity=capacity,
            skills=frozenset(skills or ()),
            last_turn=last_turn or 0,
            load=loads.get(user_id, (0, 0))[0],
            open=loads.get(user_id, (0, 0))[1],
            calendar_key=calendar_key,
            working=hours.get(calendar_key, ROUND_THE_CLOCK).is_open(now),
        )
        for user_id, email, name, available, capacity, skills, last_turn, calendar_key in rows
    ]


def calendar_keys(session: Session, project_id: int) -> list[str]:
    """The working hours an agent may have in the project: the keys of its SLA calendars, in order."""
    return sorted(_calendars(session, project_id))


def _calendars(session: Session, project_id: int) -> dict[str, Calendar]:
    # Imported here: the SLA set-up reads project documents, whose reader imports this module.
    from tickit.services import sla_config

    return sla_config.calendars(session, project_id)


def open_counts(session: Session, project_id: int, user_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per agent: (open tickets not in a status that pauses the SLA, all open tickets) in the project."""
    if not user_ids:
        return {}
    rows = session.exec(
        select(
            Ticket.assignee_id,
            func.sum(case((TicketStatus.pauses_sla, 0), else_=1)),
            func.count(),
        )
        .join(TicketStatus, TicketStatus.id == Ticket.status_id)
        .where(
            Ticket.project_id == project_id,
            Ticket.assignee_id.in_(user_ids),
            TicketStatus.category != StatusCategory.DONE,
        )
        .group_by(Ticket.assignee_id)
    ).all()
    return {user_id: (int(load or 0), int(count)) for user_id, load, count in rows}


def unfit(candidate: Candidate, needed: frozenset[str], *, require_skills: bool) -> str | None:
    """Why the candidate may not take a ticket needing `needed` now (None: they may).

    Each condition is one test here, so another (such as working hours) is one more line.
    """
    if not candidate.available:
        return "away"
    if not candidate.working:
        return "outside working hours"
    if require_skills and not needed <= candidate.skills:
        return f"lacks {', '.join(sorted(needed - candidate.skills))}"
    if candidate.capacity is not None and candidate.open >= candidate.capacity:
        return f"full ({candidate.open} of {candidate.capacity} open)"
    return None


def choose(pool: Pool, needed: frozenset[str]) -> Candidate | None:
    """The candidate the project's strategy picks for a ticket needing `needed`; None when nobody fits."""
    fit = [c for c in pool.candidates if unfit(c, needed, require_skills=pool.rule.require_skills) is None]
    if not fit:
        return None
    if pool.rule.strategy == AssignmentStrategy.LEAST_LOAD:
        return min(fit, key=lambda c: (c.load, c.last_turn, c.user_id))
    return min(fit, key=lambda c: (c.last_turn, c.user_id))


def reason(pool: Pool, chosen: Candidate) -> str:
    """Why `chosen` got the ticket, as the activity entry says it: "least load: 3 open"."""
    if pool.rule.strategy == AssignmentStrategy.LEAST_LOAD:
        return f"least load: {chosen.load} open"
    return "round robin"


def assign_on_filing(
    *, session: Session, ticket_id: int, project_id: int, type_id: int, field_values: Mapping[str, Any], now: datetime
) -> Assignee | None:
    """Give a ticket being filed to the agent the project's rule picks, in the filing's transaction.

    Returns the assignee, or None when the project assigns nothing or nobody fits (the ticket
    then waits for `assign_queue`).
    """
    pool = lock_pool(session, project_id, now)
    if pool is None:
        return None
    chosen = choose(pool, needed_skills(session, type_id, field_values))
    if chosen is None:
        return None
    ticket = session.get(Ticket, ticket_id)
    give(session, pool, ticket, chosen, now=now)
    return Assignee(chosen.user_id, chosen.email, chosen.name)


def give(session: Session, pool: Pool, ticket: Ticket, chosen: Candidate, *, now: datetime) -> None:
    """Assign `ticket` to `chosen` as TickIt, log why, tell them, and count the turn."""
    why = reason(pool, chosen)
    pool.rule.turns += 1
    session.add(pool.rule)
    standing = session.get(AgentAvailability, (pool.rule.project_id, chosen.user_id))
    if standing is None:
        standing = AgentAvailability(project_id=pool.rule.project_id, user_id=chosen.user_id)
    standing.last_turn = pool.rule.turns
    session.add(standing)
    chosen.last_turn, chosen.load, chosen.open = pool.rule.turns, chosen.load + 1, chosen.open + 1
    record_assignment(session, ticket, SYSTEM, chosen.user_id, now=now, reason=why)


def record_assignment(
    session: Session, ticket: Ticket, actor: Actor, assignee_id: int | None, *, now: datetime, reason: str
) -> None:
    """Set the ticket's assignee with its activity entry (saying why) and the new assignee's notification."""
    before, previous_id = _person(session, ticket.assignee_id), ticket.assignee_id
    ticket.assignee_id = assignee_id
    ticket_stamp.touch(ticket, now, internal=True)
    session.add(ticket)
    session.add(
        ActivityEntry(
            ticket_id=ticket.id,
            actor_user_id=None if actor is SYSTEM else actor.id,
            action="assigned",
            before={"assignee": before},
            after={"assignee": _person(session, assignee_id), "reason": reason},
            created_at=now,
        )
    )
    session.flush()
    notifications.stage_assigned(session, ticket=ticket, actor=actor)
    webhook_events.publish_assigned(session, ticket=ticket, previous_assignee_id=previous_id)


def assign_queue(*, session: Session, now: datetime | None = None) -> int:
    """Hand out the open unassigned tickets of every project that assigns automatically; how many were given.

    Run every minute: an agent who came back, or a ticket that closed and freed capacity, takes
    the oldest waiting tickets first. Never gives one to an away or full agent.
    """
    now = now or utcnow()
    project_ids = session.exec(
        select(AssignmentRule.project_id)
        .where(AssignmentRule.strategy != AssignmentStrategy.OFF)
        .order_by(AssignmentRule.project_id)
    ).all()
    given = 0
    for project_id in project_ids:
        given += _assign_project_queue(session, project_id, now)
    return given


def _assign_project_queue(session: Session, project_id: int, now: datetime) -> int:
    waiting = session.exec(
        select(Ticket.id)
        .join(TicketStatus, TicketStatus.id == Ticket.status_id)
        .where(
            Ticket.project_id == project_id,
            Ticket.assignee_id.is_(None),
            TicketStatus.category != StatusCategory.DONE,
        )
        .order_by(Ticket.created_at, Ticket.id)
        .limit(QUEUE_BATCH)
    ).all()
    if not waiting:
        return 0
    pool = lock_pool(session, project_id, now)
    if pool is None:
        return 0
    if not any(c.available for c in pool.candidates):
        return 0
    given = 0
    for ticket_id in waiting:
        # Someone may have taken it meanwhile (or be changing it now: then it waits a minute more).
        ticket = session.exec(
            select(Ticket)
            .where(Ticket.id == ticket_id, Ticket.assignee_id.is_(None))
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        ).first()
        if ticket is None:
            continue
        chosen = choose(pool, needed_skills(session, ticket.type_id, ticket.fields))
        if chosen is None:
            continue
        give(session, pool, ticket, chosen, now=now)
        given += 1
    return given


def _person(session: Session, user_id: int | None) -> dict[str, Any] | None:
    if user_id is None:
        return None
    user = session.get(User, user_id)
    return {"id": user_id, "name": user.name if user else "a former user"}
