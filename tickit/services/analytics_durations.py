"""Exact medians and 90th percentiles of the durations the reporting events record.

Nearest-rank: the smallest recorded value that at least that share of values are at or below,
computed in SQL by the same rule on SQLite and PostgreSQL (`percentiles`). They read the events
themselves: durations hardly repeat, so no daily rollup of them would be smaller.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, literal, text, tuple_
from sqlalchemy import select as sa_select
from sqlmodel import Session

from tickit.models import ReportingEvent
from tickit.services.analytics_period import Period, events_in

WORK_MEM = "256MB"  # PostgreSQL's sort memory for the dashboard's transaction (`sort_in_memory`)


def sort_in_memory(session: Session) -> None:
    """Give this transaction enough sort memory for two years of durations (PostgreSQL; SQLite needs none)."""
    # Two years of all projects' durations are about 900,000 values per kind, a 75 MB sort that
    # PostgreSQL's default 4 MB of work memory spills to disk. For this transaction only.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))


def percentiles(session: Session, value, conditions: list, group=None) -> dict:
    """{group: (median, p90, count)} of `value` over the events matching `conditions` (nearest rank).

    PostgreSQL's `percentile_disc` is the nearest-rank rule (the first value whose position in the
    order reaches the fraction) and sorts each group once; SQLite, without it, ranks the values
    with window functions and takes the first rank r with r / n >= p in integer arithmetic.
    """
    if session.get_bind().dialect.name == "postgresql":
        figures = (
            func.percentile_disc(0.5).within_group(value),
            func.percentile_disc(0.9).within_group(value),
            func.count(value),
        )
        if group is None:
            median, p90, n = session.execute(sa_select(*figures).where(*conditions, value.is_not(None))).one()
            return {0: (median, p90, n)} if n else {}
        rows = session.execute(sa_select(group, *figures).where(*conditions, value.is_not(None)).group_by(group)).all()
        return {g: (median, p90, n) for g, median, p90, n in rows}
    group = group if group is not None else literal(0)
    ranked = (
        sa_select(
            group.label("g"),
            value.label("v"),
            func.row_number().over(partition_by=group, order_by=value).label("rn"),
            func.count().over(partition_by=group).label("n"),
        )
        .where(*conditions, value.is_not(None))
        .subquery()
    )
    rows = session.execute(
        sa_select(
            ranked.c.g,
            func.min(case((ranked.c.rn * 100 >= ranked.c.n * 50, ranked.c.v))),
            func.min(case((ranked.c.rn * 100 >= ranked.c.n * 90, ranked.c.v))),
            func.max(ranked.c.n),
        ).group_by(ranked.c.g)
    ).all()
    return {g: (median, p90, n) for g, median, p90, n in rows}


@dataclass(frozen=True)
class Durations:
    """(median, p90, count) of one kind's business seconds over the period, per week and per assignee."""

    total: tuple | None
    weeks: dict
    assignees: dict


def durations(session: Session, ids: list[int], period: Period, kind: str) -> Durations:
    """The three groupings the dashboard shows of one kind's durations (`percentiles`' rule).

    On PostgreSQL one statement reads the events once for all three (GROUPING SETS).
    """
    value, conditions = ReportingEvent.business_seconds, events_in(ids, period, kind)
    week, assignee = ReportingEvent.week, ReportingEvent.assignee_id
    if session.get_bind().dialect.name != "postgresql":
        return Durations(
            total=percentiles(session, value, conditions).get(0),
            weeks=percentiles(session, value, conditions, week),
            assignees=percentiles(session, value, conditions, assignee),
        )
    rows = session.execute(
        sa_select(
            func.grouping(week),
            func.grouping(assignee),
            week,
            assignee,
            func.percentile_disc(0.5).within_group(value),
            func.percentile_disc(0.9).within_group(value),
            func.count(value),
        )
        .where(*conditions, value.is_not(None))
        .group_by(func.grouping_sets(tuple_(), week, assignee))
    ).all()
    total, weeks, assignees = None, {}, {}
    for by_week, by_assignee, w, agent, *figures in rows:
        if not by_week:  # grouping() is 0 for a column the row is grouped by
            weeks[w] = tuple(figures)
        elif not by_assignee:
            assignees[agent] = tuple(figures)
        elif figures[2]:
            total = tuple(figures)
    return Durations(total, weeks, assignees)
