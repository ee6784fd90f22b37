"""The analytics dashboard's figures, computed from the reporting events and the backlog snapshots.

Decisions the dashboard, the export and `tickit stats` rely on (what a period is: `analytics_period`):
- Events are counted on the day they happened: created on the day of filing, resolved on the day
  of resolution, and so on.
- Durations are business time where the ticket's SLA policy has a calendar (wall-clock time
  otherwise), as `reporting` recorded them; medians and 90th percentiles are exact
  (`analytics_durations`).
- SLA compliance is met / (met + breached) of the targets whose outcome fell in the period.
- Satisfaction is good / all of the latest answer per resolution given in the period.
- Counts (created, resolved, SLA outcomes, shares) read the daily rollup (`reporting_day_counts`)
  for the days it covers and the events for the rest (`_counts`): the same figures either way.
  Percentiles and satisfaction read the events.
- An agent's "assigned" are the tickets filed in the period (by the project's zone) assigned to
  them now, read from the tickets, as the ticket list shows them.
- "Now" figures (open, breached, at risk) read the tickets as they are: breached is an SLA due
  time passed, at risk one due within the next hour, as the ticket list's SLA filters say.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, false, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from tickit.models import (
    BacklogSnapshot,
    ReportingDayCount,
    ReportingEvent,
    ReportingRollupMark,
    StatusCategory,
    Ticket,
    TicketStatus,
    TicketType,
    User,
    utcnow,
)
from tickit.services import reporting
from tickit.services.actors import Actor
from tickit.services.analytics_durations import Durations, durations, sort_in_memory
from tickit.services.analytics_period import Period, events_in, local_bounds, scope, visible_projects, zones

SOON = timedelta(hours=1)  # "at risk": as the ticket list's `due_soon`
DURATIONS = (reporting.FIRST_RESPONSE, reporting.RESOLVED)  # the kinds whose durations the dashboard measures


@dataclass(frozen=True)
class Tiles:
    open_now: int
    created: int
    resolved: int
    first_response_median: int | None  # seconds
    first_response_p90: int | None
    resolution_median: int | None
    resolution_p90: int | None
    sla_met: int
    sla_breached: int
    sla_compliance: float | None  # percent, one decimal; None when no target concluded
    breached_now: int
    at_risk_now: int
    satisfaction_good: int
    satisfaction_count: int
    satisfaction: float | None  # percent, one decimal


@dataclass(frozen=True)
class DayPoint:
    day: date
    created: int
    resolved: int
    backlog: int | None  # open at the end of the day, from the nightly snapshot (None: not taken)


@dataclass(frozen=True)
class WeekPoint:
    week: date  # its Monday
    first_response_median: int | None
    first_response_p90: int | None
    resolution_median: int | None
    resolution_p90: int | None
    sla_met: int
    sla_breached: int
    sla_compliance: float | None


@dataclass(frozen=True)
class Share:
    key: str  # what the ticket list filters on (a type key, a priority, a source)
    label: str
    count: int


@dataclass(frozen=True)
class AgentRow:
    id: int
    name: str
    assigned: int  # tickets created in the period that are assigned to them now
    resolved: int  # resolutions in the period while assigned to them
    first_response_median: int | None
    resolution_median: int | None
    satisfaction_good: int
    satisfaction_count: int
    satisfaction: float | None
    open_now: int


@dataclass(frozen=True)
class Dashboard:
    period: Period
    tiles: Tiles
    days: list[DayPoint]
    weeks: list[WeekPoint]
    by_type: list[Share]
    by_priority: list[Share]
    by_source: list[Share]
    agents: list[AgentRow]
    projects: list[tuple[str, str]] = field(default_factory=list)  # (key, name) the viewer may pick


def dashboard(*, session: Session, actor: Actor, period: Period, now: datetime | None = None) -> Dashboard:
    """Every figure of the dashboard for `period`: tiles, daily and weekly series, shares and the agent table."""
    now = now or utcnow()
    ids = scope(session, actor, period)
    sort_in_memory(session)
    shared = _per_assignee(session, ids, period, now)
    return Dashboard(
        period=period,
        tiles=tiles(session, ids, period, shared),
        days=_days(session, ids, period),
        weeks=_weeks(session, ids, period, shared.durations),
        by_type=_by_type(session, ids, period),
        by_priority=_by(session, ids, period, "priority"),
        by_source=_by(session, ids, period, "source"),
        agents=_agents(session, ids, period, shared),
        projects=visible_projects(session=session, actor=actor),
    )


def stats(*, session: Session, actor: Actor, period: Period, now: datetime | None = None) -> Tiles:
    """The dashboard's tiles alone (`tickit stats`)."""
    ids = scope(session, actor, period)
    sort_in_memory(session)
    return tiles(session, ids, period, _per_assignee(session, ids, period, now or utcnow()))


# --- the building blocks ------------------------------------------------------------------------


def _rolled_through(session: Session, ids: list[int], period: Period) -> dict[date | None, list[int]]:
    """The projects by the last day of the period their rollup covers (None: no day of it)."""
    marks = dict(
        session.execute(
            sa_select(ReportingRollupMark.project_id, ReportingRollupMark.rolled_through).where(
                ReportingRollupMark.project_id.in_(ids)
            )
        ).all()
    )
    groups: dict[date | None, list[int]] = {}
    for project_id in ids:
        through = marks.get(project_id)
        last = min(through, period.end) if through is not None and through >= period.start else None
        groups.setdefault(last, []).append(project_id)
    return groups


def _counts(session: Session, ids: list[int], period: Period, kinds: tuple[str, ...], *dimensions: str) -> Counter:
    """{(dimension values...): events} of `kinds` in the period: the rollup's days plus the events of the rest.

    `dimensions` are columns both tables have (`kind`, `day`, `week`, and what the rollup keeps
    for a kind: `type_id`, `priority`, `source` of `created`, `assignee_id` of `resolved`).
    """
    rolled, live = [], []
    for last, projects in _rolled_through(session, ids, period).items():
        if last is not None:
            days = ReportingDayCount.day.between(period.start, last)
            rolled.append(and_(ReportingDayCount.project_id.in_(projects), days))
        first_live = period.start if last is None else last + timedelta(days=1)
        if first_live <= period.end:
            days = ReportingEvent.day.between(first_live, period.end)
            live.append(and_(ReportingEvent.project_id.in_(projects), days))
    totals: Counter = Counter()
    if rolled:
        keys = [getattr(ReportingDayCount, name) for name in dimensions]
        for *key, n in session.execute(
            sa_select(*keys, func.sum(ReportingDayCount.events))
            .where(or_(*rolled), ReportingDayCount.kind.in_(kinds))
            .group_by(*keys)
        ).all():
            totals[tuple(key)] += int(n)
    if live:
        keys = [getattr(ReportingEvent, name) for name in dimensions]
        for *key, n in session.execute(
            sa_select(*keys, func.count()).where(or_(*live), ReportingEvent.kind.in_(kinds)).group_by(*keys)
        ).all():
            totals[tuple(key)] += n
    return totals


@dataclass(frozen=True)
class _PerAssignee:
    """What the tiles sum and the agent table shows per assignee (None: nobody): read once for both."""

    open_now: dict  # {assignee: (open, breached, at risk)}
    ratings: dict  # {assignee: (good, rated)}
    durations: dict  # {first_response | resolved: Durations}


def _per_assignee(session: Session, ids: list[int], period: Period, now: datetime) -> _PerAssignee:
    ratings = {
        agent: (good, n)
        for agent, good, n in session.execute(
            sa_select(ReportingEvent.assignee_id, func.count(case((ReportingEvent.rating == "good", 1))), func.count())
            .where(*_latest_ratings(ids, period))
            .group_by(ReportingEvent.assignee_id)
        ).all()
    }
    return _PerAssignee(
        open_now=_open_now(session, ids, now),
        ratings=ratings,
        durations={kind: durations(session, ids, period, kind) for kind in DURATIONS},
    )


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _latest_ratings(ids: list[int], period: Period) -> list:
    """Conditions for the latest answer of each resolution's survey given in the period.

    No later answer for the same ticket and cycle among the period's own: both sides read only
    the period's ratings, whatever the size of the table.
    """
    later = aliased(ReportingEvent)
    return [
        *events_in(ids, period, reporting.RATED),
        ~sa_select(later.id)
        .where(
            later.ticket_id == ReportingEvent.ticket_id,
            later.kind == reporting.RATED,
            later.cycle == ReportingEvent.cycle,
            later.day.between(period.start, period.end),
            later.id > ReportingEvent.id,
        )
        .exists(),
    ]


def _open_now(session: Session, ids: list[int], now: datetime) -> dict[int | None, tuple[int, int, int]]:
    """{assignee (None: nobody): (open, breached, at risk)} of the projects' tickets as they are now."""
    open_statuses = (
        select(TicketStatus.id)
        .join(TicketType, TicketType.id == TicketStatus.type_id)
        .where(TicketType.project_id.in_(ids), TicketStatus.category != StatusCategory.DONE)
    )
    rows = session.execute(
        # Through ix_tickets_status_assignee, which carries the project and the next due time.
        sa_select(
            Ticket.assignee_id,
            func.count(),
            func.count(case((Ticket.sla_next_due_at < now, 1))),
            func.count(case((Ticket.sla_next_due_at.between(now, now + SOON), 1))),
        )
        .where(Ticket.project_id.in_(ids), Ticket.status_id.in_(open_statuses))
        .group_by(Ticket.assignee_id)
    ).all()
    return {assignee: (n, breached, at_risk) for assignee, n, breached, at_risk in rows}


def tiles(session: Session, ids: list[int], period: Period, shared: _PerAssignee) -> Tiles:
    """The tiles of the projects `ids` over `period`: the counts, and the per-assignee figures summed."""
    kinds = (reporting.CREATED, reporting.RESOLVED, reporting.SLA_MET, reporting.SLA_BREACHED)
    counts = {kind: n for (kind,), n in _counts(session, ids, period, kinds, "kind").items()}
    first, resolution = shared.durations[reporting.FIRST_RESPONSE].total, shared.durations[reporting.RESOLVED].total
    good, rated = (sum(figures[n] for figures in shared.ratings.values()) for n in range(2))
    open_count, breached_now, at_risk_now = (sum(figures[n] for figures in shared.open_now.values()) for n in range(3))
    met, breached = counts.get(reporting.SLA_MET, 0), counts.get(reporting.SLA_BREACHED, 0)
    return Tiles(
        open_now=open_count,
        created=counts.get(reporting.CREATED, 0),
        resolved=counts.get(reporting.RESOLVED, 0),
        first_response_median=first[0] if first else None,
        first_response_p90=first[1] if first else None,
        resolution_median=resolution[0] if resolution else None,
        resolution_p90=resolution[1] if resolution else None,
        sla_met=met,
        sla_breached=breached,
        sla_compliance=_percent(met, met + breached),
        breached_now=breached_now,
        at_risk_now=at_risk_now,
        satisfaction_good=good,
        satisfaction_count=rated,
        satisfaction=_percent(good, rated),
    )


def _days(session: Session, ids: list[int], period: Period) -> list[DayPoint]:
    by_day = _counts(session, ids, period, (reporting.CREATED, reporting.RESOLVED), "day", "kind")
    backlog = dict(
        session.execute(
            sa_select(BacklogSnapshot.day, func.sum(BacklogSnapshot.open_count))
            .where(BacklogSnapshot.project_id.in_(ids), BacklogSnapshot.day.between(period.start, period.end))
            .group_by(BacklogSnapshot.day)
        ).all()
    )
    return [
        DayPoint(
            day=day,
            created=by_day.get((day, reporting.CREATED), 0),
            resolved=by_day.get((day, reporting.RESOLVED), 0),
            backlog=int(backlog[day]) if day in backlog else None,
        )
        for day in (period.start + timedelta(days=n) for n in range(period.days))
    ]


def _weeks(session: Session, ids: list[int], period: Period, kinds: dict[str, Durations]) -> list[WeekPoint]:
    first, resolution = kinds[reporting.FIRST_RESPONSE].weeks, kinds[reporting.RESOLVED].weeks
    outcomes = _counts(session, ids, period, (reporting.SLA_MET, reporting.SLA_BREACHED), "week", "kind")
    points = []
    monday = reporting.week_of(period.start)
    while monday <= period.end:
        met, breached = outcomes.get((monday, reporting.SLA_MET), 0), outcomes.get((monday, reporting.SLA_BREACHED), 0)
        f, r = first.get(monday, (None, None, 0)), resolution.get(monday, (None, None, 0))
        points.append(WeekPoint(monday, f[0], f[1], r[0], r[1], met, breached, _percent(met, met + breached)))
        monday += timedelta(days=7)
    return points


def _by_type(session: Session, ids: list[int], period: Period) -> list[Share]:
    counts = _counts(session, ids, period, (reporting.CREATED,), "type_id")
    types = session.execute(
        sa_select(TicketType.id, TicketType.key, TicketType.name).where(TicketType.id.in_([t for (t,) in counts]))
    ).all()
    rows = sorted(((key, name, counts[(type_id,)]) for type_id, key, name in types), key=lambda r: (-r[2], r[1]))
    # Projects share type keys (every template has "bug"): one slice per key, named by its first name.
    merged: dict[str, Share] = {}
    for key, name, count in rows:
        seen = merged.get(key)
        merged[key] = Share(key, seen.label if seen else name, (seen.count if seen else 0) + count)
    return sorted(merged.values(), key=lambda share: (-share.count, share.label))


def _by(session: Session, ids: list[int], period: Period, dimension: str) -> list[Share]:
    counts = _counts(session, ids, period, (reporting.CREATED,), dimension)
    rows = sorted(((key, n) for (key,), n in counts.items()), key=lambda row: (-row[1], row[0]))
    return [Share(key, key.capitalize(), count) for key, count in rows]


def _filed_in(session: Session, ids: list[int], period: Period) -> list:
    """Tickets filed in the period, each project's days in its own zone."""
    spans = []
    for zone, projects in zones(session, ids).items():
        start, end = local_bounds(period, zone)
        spans.append(and_(Ticket.project_id.in_(projects), Ticket.created_at >= start, Ticket.created_at < end))
    return [or_(false(), *spans)]


def _agents(
    session: Session,
    ids: list[int],
    period: Period,
    shared: _PerAssignee,
) -> list[AgentRow]:
    resolved = {
        agent: n
        for (agent,), n in _counts(session, ids, period, (reporting.RESOLVED,), "assignee_id").items()
        if agent is not None
    }
    assigned = dict(
        session.execute(
            sa_select(Ticket.assignee_id, func.count())
            .where(*_filed_in(session, ids, period), Ticket.assignee_id.is_not(None))
            .group_by(Ticket.assignee_id)
        ).all()
    )
    first = shared.durations[reporting.FIRST_RESPONSE].assignees
    resolution = shared.durations[reporting.RESOLVED].assignees
    ratings = shared.ratings
    open_now = {agent: figures[0] for agent, figures in shared.open_now.items() if agent is not None}
    agent_ids = {a for a in (*resolved, *assigned, *first, *resolution, *ratings, *open_now) if a is not None}
    names = dict(session.exec(select(User.id, User.name).where(User.id.in_(agent_ids))).all()) if agent_ids else {}
    rows = []
    for agent in agent_ids:
        good, rated = ratings.get(agent, (0, 0))
        rows.append(
            AgentRow(
                id=agent,
                name=names.get(agent, "—"),
                assigned=assigned.get(agent, 0),
                resolved=resolved.get(agent, 0),
                first_response_median=first.get(agent, (None,))[0],
                resolution_median=resolution.get(agent, (None,))[0],
                satisfaction_good=good,
                satisfaction_count=rated,
                satisfaction=_percent(good, rated),
                open_now=open_now.get(agent, 0),
            )
        )
    return sorted(rows, key=lambda row: (-row.resolved, row.name, row.id))
