"""`tickit stats` gives the service's figures for the exact fixture; `tickit analytics backfill` rebuilds the events."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, func
from sqlmodel import Session, select

from tests.analytics_fixture import NOW, build
from tests.cli.test_project_cli import _forget_settings_and_engine, run
from tickit.models import ReportingEvent
from tickit.services import analytics, analytics_period

HOUR = 3600


@pytest.fixture
def fixture_database(engine, monkeypatch):
    """The exact fixture committed to this backend's test database, and DATABASE_URL pointing at it."""
    with Session(engine, expire_on_commit=False) as session:
        build(session, monkeypatch)
        session.commit()
    monkeypatch.setattr(analytics, "utcnow", lambda: NOW)  # "now" figures
    monkeypatch.setattr(analytics_period, "utcnow", lambda: NOW)  # the period's last day
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    _forget_settings_and_engine()
    yield engine
    _forget_settings_and_engine()


def test_stats_json_gives_the_dashboards_figures(fixture_database, capsys):
    code, out, _ = run(capsys, "stats", "--project", "HH", "--since", "30d", "--json")
    assert code == 0
    figures = json.loads(out)
    assert (figures["project"], figures["from"], figures["to"]) == ("HH", "2026-10-28", "2026-11-26")
    assert {key: figures[key] for key in ("open_now", "created", "resolved", "breached_now", "at_risk_now")} == {
        "open_now": 3,
        "created": 5,
        "resolved": 3,
        "breached_now": 1,
        "at_risk_now": 1,
    }
    assert (figures["first_response_median"], figures["first_response_p90"]) == (2 * HOUR, 14 * HOUR)
    assert (figures["resolution_median"], figures["resolution_p90"]) == (8 * HOUR, 10 * HOUR)
    assert (figures["sla_compliance"], figures["satisfaction"], figures["satisfaction_count"]) == (83.3, 50.0, 2)


def test_stats_as_text_and_a_bad_since(fixture_database, capsys):
    code, out, _ = run(capsys, "stats", "--since", "1w")
    assert code == 0
    assert out.startswith("Figures for all projects, 2026-11-20 to 2026-11-26")
    assert "First response (median)      —" in out and "Satisfaction                 0.0% of 1 rated" in out
    code, _, err = run(capsys, "stats", "--since", "soon")
    assert code == 2 and "30d" in err


def test_backfill_records_the_same_figures_for_tickets_filed_before_analytics(fixture_database, capsys):
    with Session(fixture_database) as session:
        session.exec(delete(ReportingEvent))
        session.commit()
    code, out, _ = run(capsys, "analytics", "backfill")
    assert code == 0 and out.startswith("5 tickets backfilled, ") and out.strip().endswith(" days rolled up")
    assert run(capsys, "analytics", "backfill")[1].startswith("0 tickets backfilled, ")
    figures = json.loads(run(capsys, "stats", "--project", "HH", "--json")[1])
    assert (figures["created"], figures["resolved"], figures["sla_met"], figures["sla_breached"]) == (5, 3, 5, 1)
    assert (figures["resolution_median"], figures["resolution_p90"]) == (8 * HOUR, 10 * HOUR)
    assert (figures["satisfaction_good"], figures["satisfaction_count"]) == (1, 2)
    with Session(fixture_database) as session:
        assert (
            session.exec(select(func.count()).select_from(ReportingEvent)).one() == 5 + 3 + 3 + 1 + 6 + 2
        )  # one answer per survey: its last
