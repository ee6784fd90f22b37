"""The daily rollup gives the dashboard the same figures as the events alone, and never holds a day that changed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import delete, select

from tests.analytics_fixture import NOW, berlin, build
from tests.factories import make_project
from tickit.models import ReportingDayCount, ReportingEvent, ReportingRollupMark, Ticket
from tickit.services import analytics, analytics_period, reporting, reporting_history
from tickit.services.actors import SYSTEM


@pytest.fixture
def world(session, monkeypatch):
    world = build(session, monkeypatch)
    make_project(session, "QQ")  # no events at all: "all projects" mixes a rolled and an empty project
    return world


def _dashboard(session, project, days):
    period = analytics_period.period_for(session=session, actor=SYSTEM, project_key=project, days=days, now=NOW)
    return analytics.dashboard(session=session, actor=SYSTEM, period=period, now=NOW)


def _from_events_alone(session, project, days):
    """The dashboard with the rollup out of the way (no marks: every day is read from the events)."""
    marks = [(m.project_id, m.rolled_through) for m in session.exec(select(ReportingRollupMark))]
    session.exec(delete(ReportingRollupMark))
    board = _dashboard(session, project, days)
    for project_id, through in marks:
        session.add(ReportingRollupMark(project_id=project_id, rolled_through=through))
    session.flush()
    return board


def _mark(session) -> date:
    hh = session.exec(select(Ticket.project_id).limit(1)).one()
    return session.get(ReportingRollupMark, hh).rolled_through


SCOPES = [("HH", 7), ("HH", 30), ("HH", 90), (None, 30), (None, 7)]


def test_the_rollup_covers_each_projects_days_up_to_its_local_yesterday(session, world):
    assert reporting_history.roll_up(session=session, now=NOW) > 0
    assert _mark(session) == date(2026, 11, 25)
    assert reporting_history.roll_up(session=session, now=NOW) == 0  # nothing new to roll
    created = session.exec(
        select(ReportingDayCount.day, ReportingDayCount.events).where(ReportingDayCount.kind == reporting.CREATED)
    ).all()
    # HH-5 was filed today: it is read from the events until tomorrow's rollup.
    assert sorted((day, n) for day, n in created) == [(date(2026, 11, d), 1) for d in (13, 14, 16, 24)]


@pytest.mark.parametrize(("project", "days"), SCOPES)
def test_rolled_up_figures_equal_the_figures_of_the_events(session, world, project, days):
    expected = _dashboard(session, project, days)
    reporting_history.roll_up(session=session, now=NOW)
    assert _dashboard(session, project, days) == expected


def test_a_rollup_through_the_middle_of_the_range_joins_the_events_after_it(session, world):
    expected = _dashboard(session, "HH", 30)
    reporting_history.roll_up(session=session, now=berlin(19, 12))  # through Wednesday 18
    assert _mark(session) == date(2026, 11, 18)
    assert _dashboard(session, "HH", 30) == expected


def test_an_event_written_for_a_rolled_day_moves_the_mark_back_until_it_is_rolled_again(session, world):
    reporting_history.roll_up(session=session, now=NOW)
    hh2 = session.exec(select(Ticket).where(Ticket.number == 2)).one()
    # The sweep, late, records HH-2's resolution breach as of its due time, Tuesday 17 17:00.
    reporting.on_breach(session, hh2, "resolution", 0, berlin(17, 17))
    assert _mark(session) == date(2026, 11, 16)
    board = _dashboard(session, "HH", 30)
    assert board.tiles.sla_breached == 2
    assert board == _from_events_alone(session, "HH", 30)
    assert reporting_history.roll_up(session=session, now=NOW) == 9  # the 17th to the 25th again
    assert _mark(session) == date(2026, 11, 25)
    assert _dashboard(session, "HH", 30) == board


def test_a_backfill_re_rolls_the_days_it_touched(session, world):
    reporting_history.roll_up(session=session, now=NOW)
    hh1 = session.exec(select(Ticket).where(Ticket.number == 1)).one()
    session.exec(delete(ReportingEvent).where(ReportingEvent.ticket_id == hh1.id))
    session.flush()
    assert reporting_history.backfill_batch(session=session) == 1
    assert _mark(session) < hh1.created_at.date()
    reporting_history.roll_up(session=session, now=NOW)
    assert _dashboard(session, "HH", 30) == _from_events_alone(session, "HH", 30)
    assert _mark(session) == date(2026, 11, 25)


def test_the_agent_table_counts_tickets_filed_in_each_projects_own_days(session, world):
    # HH-1 was filed Friday 13 at 16:00 in Berlin: inside a range that starts on the 13th.
    period = analytics_period.Period("HH", date(2026, 11, 13), date(2026, 11, 13))
    board = analytics.dashboard(session=session, actor=SYSTEM, period=period, now=NOW)
    assert [(row.name, row.assigned) for row in board.agents if row.assigned] == [("Ann", 1)]
    start, end = analytics_period.local_bounds(period, "Europe/Berlin")
    assert end - start == timedelta(days=1) and start.hour == 23  # 00:00 in Berlin is 23:00 UTC
