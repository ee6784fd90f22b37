"""Reporting events: the facts reports read, written in the transaction of the change that makes them.

Decisions reports rely on:
- A project reports in the time zone of its first business-hours calendar (UTC without one); an
  event's `day` and `week` are taken in that zone when it is written.
- Durations run from the start of the ticket's resolution cycle (its filing, or its last reopen;
  first response always from filing) to the event, as wall-clock seconds and as business seconds
  on the calendar of the SLA policy that times the ticket (the wall clock when none does). The
  business figure leaves out the time the SLA clock was paused, as the SLA itself does.
- Each SLA target of a cycle gets one outcome: met when it was reached by its due time; breached
  when the sweep saw its due time pass, or when it was reached late and the sweep had not.
- A rating is counted as the latest answer for its resolution cycle.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, update
from sqlmodel import Session, select

from tickit.models import SlaCalendar, StatusCategory, Ticket, TicketStatus, utcnow
from tickit.models.reporting import ReportingEvent, ReportingRollupMark
from tickit.services import sla, sla_config
from tickit.services.business_hours import ROUND_THE_CLOCK, Calendar

CREATED, FIRST_RESPONSE, RESOLVED, REOPENED, CLOSED = "created", "first_response", "resolved", "reopened", "closed"
SLA_MET, SLA_BREACHED, RATED = "sla_met", "sla_breached", "rated"


def reporting_zone(session: Session, project_id: int) -> ZoneInfo:
    """The project's reporting time zone: its first calendar's, UTC when it has none."""
    zone = session.exec(
        select(SlaCalendar.timezone).where(SlaCalendar.project_id == project_id).order_by(SlaCalendar.id).limit(1)
    ).first()
    return ZoneInfo(zone or "UTC")


def local_day(at: datetime, zone: ZoneInfo) -> date:
    return at.astimezone(zone).date()


def week_of(day: date) -> date:
    """The Monday of `day`'s week: the key of weekly series."""
    return day - timedelta(days=day.weekday())


def _record(
    session: Session, ticket: Ticket, kind: str, at: datetime, *, cycle: int = 0, zone: ZoneInfo | None = None, **extra
) -> None:
    zone = zone or reporting_zone(session, ticket.project_id)
    day = local_day(at, zone)
    session.connection().execute(
        insert(ReportingEvent),
        {
            "ticket_id": ticket.id,
            "project_id": ticket.project_id,
            "kind": kind,
            "at": at,
            "day": day,
            "week": week_of(day),
            "cycle": cycle,
            "type_id": ticket.type_id,
            "priority": ticket.priority,
            "source": ticket.source,
            "assignee_id": ticket.assignee_id,
            "target": extra.get("target", ""),
            "rating": extra.get("rating", ""),
            "business_seconds": extra.get("business_seconds"),
            "calendar_seconds": extra.get("calendar_seconds"),
        },
    )
    if day < local_day(utcnow(), zone):
        unroll(session, ticket.project_id, day)


def unroll(session: Session, project_id: int, day: date) -> None:
    """Take `day` and the days after it out of the project's rollup: an event was written for a day it covered.

    One statement in the writer's transaction; the rollup holds the mark's row lock while it reads
    the events, so a late event is either in its counts or moves the mark back after it.
    """
    session.connection().execute(
        update(ReportingRollupMark)
        .where(ReportingRollupMark.project_id == project_id, ReportingRollupMark.rolled_through >= day)
        .values(rolled_through=day - timedelta(days=1))
    )


def ticket_calendar(session: Session, ticket: Ticket) -> Calendar:
    """The calendar of the SLA policy that times the ticket; round the clock when none does."""
    if ticket.sla_policy_id is None:
        return ROUND_THE_CLOCK
    policy = next(
        (p for p in sla_config.load_policies(session, ticket.project_id) if p.policy.id == ticket.sla_policy_id), None
    )
    return policy.calendar if policy else ROUND_THE_CLOCK


def _cycle(session: Session, ticket_id: int) -> tuple[int, datetime | None]:
    """The ticket's resolution cycle (how often it was reopened) and when the current one began (None: at filing)."""
    count, last = session.exec(
        select(func.count(), func.max(ReportingEvent.at)).where(
            ReportingEvent.ticket_id == ticket_id, ReportingEvent.kind == REOPENED
        )
    ).one()
    return count, last


def on_created(session: Session, ticket_id: int) -> None:
    """Record a ticket just filed (`tickets.file_ticket`, after assignment and the SLA clock)."""
    ticket = session.get(Ticket, ticket_id)
    _record(session, ticket, CREATED, ticket.created_at)


def on_first_response(session: Session, ticket: Ticket, now: datetime) -> None:
    """Record the first public reply from staff and the first-response target's outcome."""
    zone = reporting_zone(session, ticket.project_id)
    calendar = ticket_calendar(session, ticket)
    durations = _durations(calendar, ticket.created_at, now)
    _record(session, ticket, FIRST_RESPONSE, now, zone=zone, **durations)
    _sla_outcome(session, ticket, sla.FIRST_RESPONSE, 0, ticket.first_response_due_at, now, zone, durations)


def on_status_change(
    session: Session, ticket: Ticket, current: TicketStatus, target: TicketStatus, now: datetime
) -> None:
    """Record what a move means for reports: resolved, reopened, closed (and the resolution target's outcome).

    Called after the move's activity entry was flushed and the SLA clock re-timed for it.
    """
    was_done, is_done = current.category == StatusCategory.DONE, target.category == StatusCategory.DONE
    if not (was_done or is_done):
        return
    zone = reporting_zone(session, ticket.project_id)
    cycle, started = _cycle(session, ticket.id)
    if is_done and not was_done:
        timing = _timing_then(session, ticket, now)
        paused = timing.paused if timing else timedelta(0)
        durations = _durations(ticket_calendar(session, ticket), started or ticket.created_at, now, paused)
        _record(session, ticket, RESOLVED, now, cycle=cycle, zone=zone, **durations)
        due = timing.resolution_due_at if timing else None
        _sla_outcome(session, ticket, sla.RESOLUTION, cycle, due, now, zone, durations)
    if was_done and not is_done:
        _record(session, ticket, REOPENED, now, cycle=cycle + 1, zone=zone)
    # As `workflow.apply_status_change` keeps `closed_at`: a move between closing statuses closes nothing anew.
    if is_done and target.closes and not (was_done and current.closes):
        _record(session, ticket, CLOSED, now, cycle=cycle, zone=zone)


def _timing_then(session: Session, ticket: Ticket, now: datetime) -> sla.Timing | None:
    """The SLA timing of the ticket as it stood at `now` (this cycle's pauses and due time); None without a policy."""
    if ticket.sla_policy_id is None:
        return None
    policies = sla_config.load_policies(session, ticket.project_id)
    policy = next((p for p in policies if p.policy.id == ticket.sla_policy_id), None)
    return sla.compute(session, ticket, policy, now, until_now=True) if policy else None


def on_rated(session: Session, ticket: Ticket, rating: str, now: datetime) -> None:
    """Record a satisfaction answer (a changed answer is recorded again; reports count the latest)."""
    cycle, _ = _cycle(session, ticket.id)
    _record(session, ticket, RATED, now, cycle=cycle, rating=rating)


def on_breach(session: Session, ticket: Ticket, target: str, cycle: int, due_at: datetime) -> None:
    """Record an SLA target the sweep saw pass its due time, as of that due time."""
    _record(session, ticket, SLA_BREACHED, due_at, cycle=cycle, target=target)


def _durations(calendar: Calendar, start: datetime, end: datetime, paused: timedelta = timedelta(0)) -> dict:
    business = calendar.elapsed(start, end) - paused
    return {
        "business_seconds": max(0, int(business.total_seconds())),
        "calendar_seconds": max(0, int((end - start).total_seconds())),
    }


def _sla_outcome(
    session: Session,
    ticket: Ticket,
    target: str,
    cycle: int,
    due: datetime | None,
    now: datetime,
    zone: ZoneInfo,
    durations: dict,
) -> None:
    if due is None:
        return
    if now <= due:
        _record(session, ticket, SLA_MET, now, cycle=cycle, zone=zone, target=target, **durations)
        return
    swept = session.exec(
        select(ReportingEvent.id).where(
            ReportingEvent.ticket_id == ticket.id,
            ReportingEvent.kind == SLA_BREACHED,
            ReportingEvent.target == target,
            ReportingEvent.cycle == cycle,
        )
    ).first()
    if swept is None:
        _record(session, ticket, SLA_BREACHED, due, cycle=cycle, zone=zone, target=target, **durations)
