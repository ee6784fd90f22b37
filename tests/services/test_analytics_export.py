"""Each dashboard table downloads as CSV and XLSX, naming the table, project and range it was made with."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from tests.analytics_fixture import NOW, build
from tickit.services import analytics, analytics_export, analytics_period
from tickit.services.actors import SYSTEM


@pytest.fixture
def board(session, monkeypatch):
    build(session, monkeypatch)
    period = analytics_period.period_for(session=session, actor=SYSTEM, project_key="HH", days=30, now=NOW)
    return analytics.dashboard(session=session, actor=SYSTEM, period=period, now=NOW)


def test_the_agents_csv_names_its_filters_and_holds_the_table(board):
    data = analytics_export.export(board, "agents", "csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Agents: HH, 2026-10-28 to 2026-11-26"]
    assert rows[1][:3] == ["Agent", "Assigned", "Resolved"]
    assert sorted(row[:4] for row in rows[2:]) == [["Ann", "2", "1", "2.0"], ["Bob", "1", "2", "1.0"]]
    assert analytics_export.filename(board, "agents", "csv") == "analytics-HH-2026-10-28-to-2026-11-26-agents.csv"


def test_the_daily_xlsx_is_a_workbook_with_the_heading_and_every_day(board):
    data = analytics_export.export(board, "days", "xlsx")
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "Per day: HH, 2026-10-28 to 2026-11-26" in strings and "Open at day's end" in strings
    assert sheet.count("<row ") == 2 + 30  # the heading, the header row and thirty days


def test_an_unknown_table_or_format_is_refused(board):
    with pytest.raises(ValueError):
        analytics_export.export(board, "secrets", "csv")
    with pytest.raises(ValueError):
        analytics_export.export(board, "days", "pdf")
