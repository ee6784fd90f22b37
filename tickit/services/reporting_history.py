"""Reporting data that is not written with a change: the nightly backlog snapshot and the one-off backfill."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, delete, exists, func, insert, literal
from sqlmodel import Session, select

from tickit.models import (
    ActivityEntry,
    BacklogSnapshot,
    Project,
    ReportingDayCount,
    ReportingEvent,
    ReportingRollupMark,
    SatisfactionRating,
    StatusCategory,
    Ticket,
    TicketStatus,
    utcnow,
)
from tickit.services import reporting

BACKFILL_BATCH = 500


def snapshot_backlog(*, session: Session, now: datetime | None = None) -> int:
    """Count each project's open tickets per status category and assignee, as of the end of its local yesterday.

    Runs every hour: a project gets its snapshot on the first run after midnight in its reporting
    time zone, once (tickets that changed since midnight count as they are now). Returns how
    many projects got one; the caller commits.
    """
    now = now or utcnow()
    taken = 0
    for project_id in session.exec(select(Project.id).where(Project.archived_at.is_(None)).order_by(Project.id)):
        day = reporting.local_day(now, reporting.reporting_zone(session, project_id)) - timedelta(days=1)
        done = session.exec(
            select(BacklogSnapshot.id).where(BacklogSnapshot.project_id == project_id, BacklogSnapshot.day == day)
        ).first()
        if done is not None:
            continue
        rows = session.exec(
            select(TicketStatus.category, Ticket.assignee_id, func.count())
            .join(TicketStatus, TicketStatus.id == Ticket.status_id)
            .where(Ticket.project_id == project_id, TicketStatus.category != StatusCategory.DONE)
            .group_by(TicketStatus.category, Ticket.assignee_id)
        ).all()
        values = [
            {
                "project_id": project_id,
                "day": day,
                "category": category,
                "assignee_id": assignee_id,
                "assignee_key": assignee_id or 0,
                "open_count": count,
            }
            for category, assignee_id, count in rows
        ]
        # A project with nothing open still gets its day, so "no snapshot" always means "not taken".
        values = values or [
            {
                "project_id": project_id,
                "day": day,
                "category": StatusCategory.TODO,
                "assignee_id": None,
                "assignee_key": 0,
                "open_count": 0,
            }
        ]
        session.connection().execute(insert(BacklogSnapshot), values)
        taken += 1
    return taken


ROLLED_UP = (reporting.CREATED, reporting.RESOLVED, reporting.SLA_MET, reporting.SLA_BREACHED)


def roll_up(*, session: Session, now: datetime | None = None) -> int:
    """Count each project's events of its complete days not yet rolled up into `reporting_day_counts`.

    Runs with the hourly snapshot: a project's days up to its local yesterday are rolled once,
    and again from wherever `reporting.unroll` moved the mark back (a late SLA breach, a
    backfill). Returns how many days were rolled; the caller commits.
    """
    now = now or utcnow()
    rolled = 0
    for project_id in session.exec(select(Project.id).order_by(Project.id)):
        through = reporting.local_day(now, reporting.reporting_zone(session, project_id)) - timedelta(days=1)
        # The row lock makes a writer that moves the mark back wait until these counts are committed.
        mark = session.exec(
            select(ReportingRollupMark).where(ReportingRollupMark.project_id == project_id).with_for_update()
        ).first()
        if mark is None:
            first = session.exec(
                select(func.min(ReportingEvent.day)).where(ReportingEvent.project_id == project_id)
            ).one()
            mark = ReportingRollupMark(project_id=project_id, rolled_through=(first or through) - timedelta(days=1))
            session.add(mark)
            session.flush()
        if mark.rolled_through >= through:
            continue
        start = mark.rolled_through + timedelta(days=1)
        session.connection().execute(
            delete(ReportingDayCount).where(ReportingDayCount.project_id == project_id, ReportingDayCount.day >= start)
        )
        counts = _day_counts(project_id, start, through)
        session.connection().execute(insert(ReportingDayCount).from_select(_ROLLUP_COLUMNS, counts))
        mark.rolled_through = through
        session.add(mark)
        session.flush()
        rolled += (through - start).days + 1
    return rolled


_ROLLUP_COLUMNS = ("project_id", "day", "week", "kind", "type_id", "priority", "source", "assignee_id", "events")


def _day_counts(project_id: int, start, end):
    """The rollup rows of a project's days `start`..`end`: each kind by the dimensions the dashboard counts it by."""
    event = ReportingEvent
    created, resolved = event.kind == reporting.CREATED, event.kind == reporting.RESOLVED
    dimensions = (
        select(
            event.project_id,
            event.day,
            event.week,
            event.kind,
            case((created, event.type_id)).label("type_id"),
            case((created, event.priority), else_=literal("")).label("priority"),
            case((created, event.source), else_=literal("")).label("source"),
            case((resolved, event.assignee_id)).label("assignee_id"),
        )
        .where(event.project_id == project_id, event.kind.in_(ROLLED_UP), event.day.between(start, end))
        .subquery()
    )
    keys = [dimensions.c[name] for name in _ROLLUP_COLUMNS[:-1]]
    return select(*keys, func.count()).group_by(*keys)


def backfill_batch(*, session: Session, limit: int = BACKFILL_BATCH) -> int:
    """Record the history of up to `limit` tickets that have no reporting events yet; returns how many.

    Replays each ticket's filing, first response, status changes and ratings in time order through
    the same rules the live writes use. What the history does not keep is taken from the ticket as
    it is now: its type, priority and assignee on every event, and the SLA policy that times it.
    """
    tickets = session.exec(
        select(Ticket)
        .where(~exists().where(ReportingEvent.ticket_id == Ticket.id, ReportingEvent.kind == reporting.CREATED))
        .order_by(Ticket.id)
        .limit(limit)
    ).all()
    for ticket in tickets:
        _replay(session, ticket)
    session.flush()
    return len(tickets)


def _replay(session: Session, ticket: Ticket) -> None:
    reporting.on_created(session, ticket.id)
    statuses = {
        row.key: row for row in session.exec(select(TicketStatus).where(TicketStatus.type_id == ticket.type_id))
    }
    moves = session.exec(
        select(ActivityEntry.before, ActivityEntry.after, ActivityEntry.created_at)
        .where(ActivityEntry.ticket_id == ticket.id, ActivityEntry.action == "status_changed")
        .order_by(ActivityEntry.created_at, ActivityEntry.id)
    ).all()
    ratings = session.exec(
        select(SatisfactionRating.rating, SatisfactionRating.rated_at).where(
            SatisfactionRating.ticket_id == ticket.id, SatisfactionRating.rated_at.is_not(None)
        )
    ).all()
    timeline: list[tuple[datetime, int, tuple]] = [(at, 1, ("move", before, after)) for before, after, at in moves]
    timeline += [(at, 2, ("rated", rating)) for rating, at in ratings]
    if ticket.first_responded_at is not None:
        timeline.append((ticket.first_responded_at, 0, ("first_response",)))
    for at, _, what in sorted(timeline, key=lambda item: (item[0], item[1])):
        if what[0] == "first_response":
            reporting.on_first_response(session, ticket, at)
        elif what[0] == "rated":
            reporting.on_rated(session, ticket, what[1], at)
        else:
            current, target = statuses.get(what[1].get("status", "")), statuses.get(what[2].get("status", ""))
            if current is None or target is None:
                continue  # a status removed since: its moves can no longer be told apart
            reporting.on_status_change(session, ticket, current, target, at)
