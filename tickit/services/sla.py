"""The SLA clock: which policy times a ticket, and when its targets are due.

Decisions the rest of the app relies on:
- The first policy of the project (in order) whose conditions match the ticket's type and
  priority applies; it times both targets of the ticket's priority on its calendar. No policy,
  or no target for the priority: nothing is due.
- First response is met by the first public comment from someone who works the ticket
  (`comments.add_comment` sets `first_responded_at`); an internal note, a status change or an
  automatic mail never counts. Statuses never pause it.
- Resolution is met by reaching a done-category status. While the ticket sits in a status whose
  "pauses SLA" is on, the resolution clock stops; leaving it resumes the clock with the paused
  business time added. Reopening (leaving done) starts a new resolution cycle from that moment.
- Due times are computed from the ticket's activity history (its filing and status changes),
  never from "last updated": a change of priority, type or policy re-times it from the start,
  so paused time is never lost. The statuses' current "pauses SLA" flags apply to the whole history.
- The results live on the ticket row (due and warning times, pause, cycle), so lists, the sweep
  and the API read columns, and `sla_next_check_at` (indexed) is the earliest pending warning or
  due time that has not fired yet (`sla_events` holds what has).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from tickit.models import ActivityEntry, SlaEvent, StatusCategory, Ticket, TicketStatus, TicketType, utcnow
from tickit.services import sla_config
from tickit.services.access import can_work, ticket_for
from tickit.services.actors import SYSTEM, Actor
from tickit.services.business_hours import Calendar, format_duration
from tickit.services.errors import NotFound
from tickit.services.sla_config import LoadedPolicy

FIRST_RESPONSE, RESOLUTION = "first_response", "resolution"
WARNING, BREACH = "warning", "breach"
_CLOCK_ACTIONS = ("created", "status_changed")


@dataclass(frozen=True)
class Timing:
    """A ticket's SLA as computed from its history: what the ticket row stores, and how it got there."""

    policy: LoadedPolicy | None
    cycle: int = 0
    first_response_due_at: datetime | None = None
    first_response_warn_at: datetime | None = None
    first_response_met_at: datetime | None = None
    resolution_due_at: datetime | None = None
    resolution_warn_at: datetime | None = None
    resolution_met_at: datetime | None = None
    paused_at: datetime | None = None
    remaining: timedelta | None = None  # while paused with the target still ahead: business time left
    paused: timedelta = timedelta(0)  # business time paused in this cycle (until now)
    history: tuple[str, ...] = ()  # the events the computation used, in words


def recompute(session: Session, ticket: Ticket, now: datetime, *, new: bool = False) -> Timing:
    """Re-time `ticket` from its history under the policy that matches it now, and store the result on it.

    The caller has flushed the change that prompted this (its activity entry included) and commits.
    `new`: the ticket was just filed, so nothing of it has fired yet.
    """
    policies = sla_config.load_policies(session, ticket.project_id)
    type_key = session.get(TicketType, ticket.type_id).key if policies else ""
    policy = next((p for p in policies if p.matches(type_key, ticket.priority)), None)
    timing = compute(session, ticket, policy, now)
    store(session, ticket, timing, fired=set() if new else None)
    return timing


def compute(
    session: Session, ticket: Ticket, policy: LoadedPolicy | None, now: datetime, *, until_now: bool = False
) -> Timing:
    """The ticket's timing under `policy` (None: no SLA), from its filing and status changes.

    `until_now`: from the changes up to `now` only, as the timing stood then (reports replaying history).
    """
    if policy is None:
        return Timing(policy=None)
    statuses = {
        key: (category == StatusCategory.DONE, pauses)
        for key, category, pauses in session.exec(
            select(TicketStatus.key, TicketStatus.category, TicketStatus.pauses_sla).where(
                TicketStatus.type_id == ticket.type_id
            )
        ).all()
    }
    entries = session.exec(
        select(ActivityEntry.action, ActivityEntry.before, ActivityEntry.after, ActivityEntry.created_at)
        .where(
            ActivityEntry.ticket_id == ticket.id,
            ActivityEntry.action.in_(_CLOCK_ACTIONS),
            *([ActivityEntry.created_at <= now] if until_now else []),
        )
        .order_by(ActivityEntry.created_at, ActivityEntry.id)
    ).all()
    return timing_from_history(
        policy=policy,
        priority=ticket.priority,
        filed_at=ticket.created_at,
        first_responded_at=ticket.first_responded_at,
        statuses=statuses,
        entries=[(action, before, after, at) for action, before, after, at in entries],
        now=now,
    )


def timing_from_history(
    *,
    policy: LoadedPolicy,
    priority: str,
    filed_at: datetime,
    first_responded_at: datetime | None,
    statuses: dict[str, tuple[bool, bool]],
    entries: list[tuple[str, dict[str, Any], dict[str, Any], datetime]],
    now: datetime,
) -> Timing:
    """The pure computation: `statuses` maps a status key to (is done, pauses); `entries` are the filing and moves."""
    calendar = policy.calendar
    history = [f"{_when(filed_at)} filed with priority {priority}, under policy {policy.policy.name!r}"]
    cycle, cycle_start = 0, filed_at
    pauses: list[tuple[datetime, datetime]] = []
    paused_since: datetime | None = None
    resolved_at: datetime | None = None

    def done(key: str) -> bool:
        return statuses.get(key, (False, False))[0]

    def pausing(key: str) -> bool:
        return statuses.get(key, (False, False))[1]

    for action, before, after, at in entries:
        new = after.get("status", "")
        if action == "created":
            if pausing(new):
                paused_since = at
                history.append(f"{_when(at)} filed in {new}, which pauses the clock")
            continue
        old = before.get("status", "")
        if done(new) and not done(old):
            if paused_since is not None:
                pauses.append((paused_since, at))
                paused_since = None
            resolved_at = at
            history.append(f"{_when(at)} moved to {new}: resolved")
        elif done(old) and not done(new):
            cycle, cycle_start, pauses, resolved_at = cycle + 1, at, [], None
            paused_since = at if pausing(new) else None
            history.append(f"{_when(at)} reopened to {new}: resolution cycle {cycle + 1} starts")
        elif resolved_at is None and pausing(new) and paused_since is None:
            paused_since = at
            history.append(f"{_when(at)} moved to {new}: clock paused")
        elif resolved_at is None and not pausing(new) and paused_since is not None:
            pauses.append((paused_since, at))
            history.append(
                f"{_when(at)} moved to {new}: clock resumed after {span(calendar.elapsed(paused_since, at))}"
            )
            paused_since = None
    if first_responded_at is not None:
        history.append(f"{_when(first_responded_at)} first public reply from staff")

    first_minutes = policy.target_minutes(priority, FIRST_RESPONSE)
    resolution_minutes = policy.target_minutes(priority, RESOLUTION)
    if first_minutes is None or resolution_minutes is None:
        history.append(f"the policy has no targets for priority {priority}")
        return Timing(policy=policy, cycle=cycle, history=tuple(history))
    warn = policy.policy.warn_percent / 100
    first_target, resolution_target = timedelta(minutes=first_minutes), timedelta(minutes=resolution_minutes)
    first_due = calendar.add(filed_at, first_target)
    first_warn = calendar.add(filed_at, first_target * warn)
    resolution_due, remaining = _due(calendar, cycle_start, resolution_target, pauses, paused_since)
    resolution_warn, _ = _due(calendar, cycle_start, resolution_target * warn, pauses, paused_since)
    paused = sum((calendar.elapsed(start, end) for start, end in pauses), timedelta(0))
    if paused_since is not None:
        paused += calendar.elapsed(paused_since, now)
    return Timing(
        policy=policy,
        cycle=cycle,
        first_response_due_at=first_due,
        first_response_warn_at=first_warn,
        first_response_met_at=first_responded_at,
        resolution_due_at=resolution_due,
        resolution_warn_at=resolution_warn,
        resolution_met_at=resolved_at,
        paused_at=paused_since,
        remaining=remaining,
        paused=paused,
        history=tuple(history),
    )


def _due(
    calendar: Calendar,
    start: datetime,
    target: timedelta,
    pauses: list[tuple[datetime, datetime]],
    paused_since: datetime | None,
) -> tuple[datetime | None, timedelta | None]:
    """When `target` of running business time is used up from `start`, skipping the pauses.

    (due, None) when it is known; (None, time left) while paused with part of the target left.
    """
    at, remaining = start, target
    for pause_start, pause_end in [*pauses, *([(paused_since, None)] if paused_since else [])]:
        candidate = calendar.add(at, remaining)
        if candidate <= pause_start:
            return candidate, None
        remaining -= calendar.elapsed(at, pause_start)
        if pause_end is None:
            return None, remaining
        at = pause_end
    return calendar.add(at, remaining), None


def store(session: Session, ticket: Ticket, timing: Timing, fired: set[tuple[int, str, str]] | None = None) -> None:
    """Write `timing` onto the ticket row and schedule its next check; the caller flushes and commits."""
    ticket.sla_policy_id = timing.policy.policy.id if timing.policy else None
    ticket.sla_cycle = timing.cycle
    ticket.first_response_due_at = timing.first_response_due_at
    ticket.resolution_due_at = timing.resolution_due_at
    first_open = timing.first_response_due_at is not None and timing.first_response_met_at is None
    resolution_open = timing.resolution_met_at is None
    ticket.first_response_warn_at = timing.first_response_warn_at if first_open else None
    ticket.resolution_warn_at = timing.resolution_warn_at if resolution_open else None
    ticket.sla_paused_at = timing.paused_at
    ticket.sla_remaining_seconds = int(timing.remaining.total_seconds()) if timing.remaining is not None else None
    pending_dues = [
        due
        for due, still_open in (
            (timing.first_response_due_at, first_open),
            (timing.resolution_due_at, resolution_open),
        )
        if due is not None and still_open
    ]
    ticket.sla_next_due_at = min(pending_dues, default=None)
    if fired is None:
        fired = fired_events(session, ticket.id) if pending_events(ticket) else set()
    ticket.sla_next_check_at = next_check(ticket, fired)
    session.add(ticket)


def fired_events(session: Session, ticket_id: int) -> set[tuple[int, str, str]]:
    """The (cycle, target, kind) of the ticket's warnings and breaches that have fired."""
    return set(
        session.exec(
            select(SlaEvent.cycle, SlaEvent.target, SlaEvent.kind).where(SlaEvent.ticket_id == ticket_id)
        ).all()
    )


def pending_events(ticket: Ticket) -> list[tuple[datetime, int, str, str]]:
    """The ticket's warning and due instants not yet met, as (at, cycle, target, kind), earliest first."""
    events = []
    if ticket.first_response_warn_at is not None:  # None once met
        events.append((ticket.first_response_warn_at, 0, FIRST_RESPONSE, WARNING))
        events.append((ticket.first_response_due_at, 0, FIRST_RESPONSE, BREACH))
    if ticket.resolution_warn_at is not None:
        events.append((ticket.resolution_warn_at, ticket.sla_cycle, RESOLUTION, WARNING))
        if ticket.resolution_due_at is not None:
            events.append((ticket.resolution_due_at, ticket.sla_cycle, RESOLUTION, BREACH))
    return sorted(events)


def next_check(ticket: Ticket, fired: set[tuple[int, str, str]]) -> datetime | None:
    """The earliest pending instant whose event has not fired."""
    return next((at for at, *key in pending_events(ticket) if tuple(key) not in fired), None)


@dataclass(frozen=True)
class SlaStatus:
    """A ticket's SLA as integrators and badges read it."""

    policy: str
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    first_response_breached: bool
    resolution_breached: bool
    paused: bool


def start_clock(session: Session, *, ticket_id: int, now: datetime) -> SlaStatus | None:
    """Time a ticket just filed (`tickets.file_ticket`); None when no policy applies to it."""
    ticket = session.get(Ticket, ticket_id)
    timing = recompute(session, ticket, now, new=True)
    session.flush()
    return status_of(ticket, timing.policy.policy.name if timing.policy else None, now)


def on_change(session: Session, ticket: Ticket, now: datetime) -> None:
    """Re-time a ticket after its first response; one the SLA does not time is left alone.

    Changes that can make a policy match (priority, type, the project's policies) call `recompute`.
    """
    if ticket.sla_policy_id is not None:
        recompute(session, ticket, now)


def on_status_change(
    session: Session, ticket: Ticket, current: TicketStatus, target: TicketStatus, now: datetime
) -> None:
    """Re-time a ticket after a move that starts or ends a pause, resolves it or reopens it.

    Any other move leaves every due time as it was, and costs the board's drop no statement.
    """
    done = StatusCategory.DONE
    if current.pauses_sla != target.pauses_sla or (current.category == done) != (target.category == done):
        on_change(session, ticket, now)


def status_of(ticket: Ticket, policy_name: str | None, now: datetime) -> SlaStatus | None:
    """The ticket's SLA status from its stored timing (None when no policy applies)."""
    if policy_name is None:
        return None
    first_due, resolution_due = ticket.first_response_due_at, ticket.resolution_due_at
    # A resolution warn time is kept exactly while the resolution target is still open.
    resolution_met = ticket.resolution_warn_at is None and ticket.sla_paused_at is None
    return SlaStatus(
        policy=policy_name,
        first_response_due_at=first_due,
        resolution_due_at=resolution_due,
        first_response_breached=_late(first_due, ticket.first_responded_at, now),
        resolution_breached=_late(resolution_due, (ticket.resolved_at or now) if resolution_met else None, now),
        paused=ticket.sla_paused_at is not None,
    )


def _late(due: datetime | None, met_at: datetime | None, now: datetime) -> bool:
    return due is not None and due < (met_at or now)


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def span(duration: timedelta) -> str:
    minutes = int(duration.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m"


@dataclass(frozen=True)
class Explanation:
    """How a ticket's SLA was computed, for `tickit sla explain` and the ticket page's detail."""

    number: str
    priority: str
    policy: str | None
    calendar: str
    first_response_target: str
    resolution_target: str
    timing: Timing


def explain(*, session: Session, actor: Actor, number: str) -> Explanation:
    """Re-run the computation for ticket `number` (without storing it) and say what it used."""
    ticket = ticket_for(session, actor, number)
    if actor is not SYSTEM and not can_work(session, actor, ticket.project_id):
        raise NotFound(f"No ticket {number}.")
    policies = sla_config.load_policies(session, ticket.project_id)
    type_key = session.get(TicketType, ticket.type_id).key
    policy = next((p for p in policies if p.matches(type_key, ticket.priority)), None)
    timing = compute(session, ticket, policy, utcnow())
    first = policy.target_minutes(ticket.priority, FIRST_RESPONSE) if policy else None
    resolution = policy.target_minutes(ticket.priority, RESOLUTION) if policy else None
    return Explanation(
        number=number.upper(),
        priority=ticket.priority,
        policy=policy.policy.name if policy else None,
        calendar=(policy.calendar_key or "round the clock") if policy else "",
        first_response_target=format_duration(first) if first else "none",
        resolution_target=format_duration(resolution) if resolution else "none",
        timing=timing,
    )
