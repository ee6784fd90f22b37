"""Every tile, series and agent row of the dashboard against the exact fixture, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from tests.analytics_fixture import NOW, build
from tests.factories import make_project, make_user
from tickit.models import ReportingEvent
from tickit.services import analytics, analytics_period
from tickit.services.actors import SYSTEM
from tickit.services.errors import NotFound, ValidationFailed

HOUR = 3600
NOV = 11


def day(n: int) -> date:
    return date(2026, NOV, n)


@pytest.fixture
def world(session, monkeypatch):
    return build(session, monkeypatch)


def _dashboard(session, actor=SYSTEM, project="HH", days=30):
    period = analytics_period.period_for(session=session, actor=actor, project_key=project, days=days, now=NOW)
    return analytics.dashboard(session=session, actor=actor, period=period, now=NOW)


def test_the_period_is_the_last_days_in_the_projects_zone(session, world):
    period = analytics_period.period_for(session=session, actor=SYSTEM, project_key="hh", days=30, now=NOW)
    assert (period.project_key, period.start, period.end) == ("HH", day(26) - (day(30) - day(1)), day(26))


def test_tiles_match_the_hand_computed_figures(session, world):
    tiles = _dashboard(session).tiles
    assert (tiles.open_now, tiles.created, tiles.resolved) == (3, 5, 3)
    # First responses 1 h, 2 h, 14 h (business): median the 2nd, p90 the 3rd.
    assert (tiles.first_response_median, tiles.first_response_p90) == (2 * HOUR, 14 * HOUR)
    # Resolutions 5 h, 8 h, 10 h.
    assert (tiles.resolution_median, tiles.resolution_p90) == (8 * HOUR, 10 * HOUR)
    # Met: HH-1 both, HH-3 first response and both resolutions; breached: HH-2's first response, once.
    assert (tiles.sla_met, tiles.sla_breached, tiles.sla_compliance) == (5, 1, 83.3)
    assert (tiles.breached_now, tiles.at_risk_now) == (1, 1)
    assert (tiles.satisfaction_good, tiles.satisfaction_count, tiles.satisfaction) == (1, 2, 50.0)


def test_durations_are_recorded_in_business_and_wall_clock_time(session, world):
    rows = session.exec(
        select(ReportingEvent.kind, ReportingEvent.business_seconds, ReportingEvent.calendar_seconds)
        .where(ReportingEvent.kind.in_(["first_response", "resolved"]))
        .order_by(ReportingEvent.at)
    ).all()
    assert [tuple(row) for row in rows] == [
        ("first_response", 1 * HOUR, 1 * HOUR),  # HH-3, Mon 10:00
        ("first_response", 2 * HOUR, 66 * HOUR),  # HH-1 over the weekend
        ("resolved", 10 * HOUR, 90 * HOUR),  # HH-1
        ("first_response", 14 * HOUR, 77 * HOUR),  # HH-2, filed on Saturday
        ("resolved", 5 * HOUR, 75 * HOUR),  # HH-3: paused over the holiday
        ("resolved", 8 * HOUR, 72 * HOUR),  # HH-3 again, from its reopening
    ]


def test_daily_series_count_created_and_resolved_and_read_the_backlog_snapshots(session, world):
    days = {point.day: point for point in _dashboard(session).days}
    assert len(days) == 30
    created = {d: p.created for d, p in days.items() if p.created}
    resolved = {d: p.resolved for d, p in days.items() if p.resolved}
    assert created == {day(13): 1, day(14): 1, day(16): 1, day(24): 1, day(26): 1}
    assert resolved == {day(17): 1, day(19): 1, day(23): 1}
    assert {d: p.backlog for d, p in days.items() if p.backlog is not None} == {day(16): 3, day(19): 1}


def test_weekly_series_give_medians_percentiles_and_compliance(session, world):
    weeks = {point.week: point for point in _dashboard(session).weeks}
    week16, week23 = weeks[day(16)], weeks[day(23)]
    assert (week16.first_response_median, week16.first_response_p90) == (2 * HOUR, 14 * HOUR)
    assert (week16.resolution_median, week16.resolution_p90) == (5 * HOUR, 10 * HOUR)
    assert (week16.sla_met, week16.sla_breached, week16.sla_compliance) == (4, 1, 80.0)
    assert (week23.resolution_median, week23.resolution_p90, week23.sla_compliance) == (8 * HOUR, 8 * HOUR, 100.0)
    assert weeks[day(9)].first_response_median is None and weeks[day(9)].sla_compliance is None


def test_shares_by_type_priority_and_source(session, world):
    board = _dashboard(session)
    assert [(s.key, s.count) for s in board.by_type] == [("question", 4), ("bug", 1)]
    assert [(s.key, s.count) for s in board.by_priority] == [("normal", 4), ("high", 1)]
    assert [(s.key, s.count) for s in board.by_source] == [("web", 4), ("api", 1)]


def test_the_agent_table(session, world):
    rows = {row.name: row for row in _dashboard(session).agents}
    ann, bob = rows["Ann"], rows["Bob"]
    assert (ann.assigned, ann.resolved, ann.open_now) == (2, 1, 1)
    assert (ann.first_response_median, ann.resolution_median) == (2 * HOUR, 10 * HOUR)
    assert (ann.satisfaction_good, ann.satisfaction_count) == (1, 1)
    assert (bob.assigned, bob.resolved, bob.open_now) == (1, 2, 0)
    assert (bob.first_response_median, bob.resolution_median) == (1 * HOUR, 5 * HOUR)
    assert (bob.satisfaction_good, bob.satisfaction_count, bob.satisfaction) == (0, 1, 0.0)


def test_a_short_range_leaves_out_what_happened_before_it(session, world):
    tiles = _dashboard(session, days=7).tiles  # Fri 20 to Thu 26
    assert (tiles.created, tiles.resolved, tiles.sla_met, tiles.sla_breached) == (2, 1, 1, 0)
    assert (tiles.satisfaction_count, tiles.open_now) == (1, 3)


def test_an_agent_sees_only_their_projects_and_all_means_theirs(session, world):
    make_project(session, "QQ")
    outsider = make_user(session, "agent")
    with pytest.raises(NotFound):
        _dashboard(session, actor=outsider)
    assert _dashboard(session, actor=outsider, project=None).tiles.created == 0
    assert [key for key, _ in analytics_period.visible_projects(session=session, actor=SYSTEM)] == ["HH", "QQ"]


def test_a_range_that_makes_no_sense_is_refused(session, world):
    with pytest.raises(ValidationFailed) as refused:
        analytics_period.period_for(session=session, actor=SYSTEM, project_key="HH", start=day(20), end=day(10))
    assert "range" in refused.value.errors
    with pytest.raises(ValidationFailed):
        analytics_period.parse_days("yesterday")
    assert analytics_period.parse_days("4w") == 28
