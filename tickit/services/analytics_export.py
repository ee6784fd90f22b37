"""The dashboard's tables and chart data as CSV and XLSX files that name the filters they were made with."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

import xlsxwriter

from tickit.services.analytics import Dashboard

Row = list[str | int | float | None]


@dataclass(frozen=True)
class Table:
    title: str
    headers: list[str]
    rows: list[Row]


def _hours(seconds: int | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def _tiles(board: Dashboard) -> Table:
    t = board.tiles
    rows: list[Row] = [
        ["Open now", t.open_now],
        ["Created", t.created],
        ["Resolved", t.resolved],
        ["First response, median (hours)", _hours(t.first_response_median)],
        ["First response, 90th percentile (hours)", _hours(t.first_response_p90)],
        ["Resolution, median (hours)", _hours(t.resolution_median)],
        ["Resolution, 90th percentile (hours)", _hours(t.resolution_p90)],
        ["SLA compliance (%)", t.sla_compliance],
        ["SLA targets met", t.sla_met],
        ["SLA targets breached", t.sla_breached],
        ["Breached now", t.breached_now],
        ["At risk now", t.at_risk_now],
        ["Satisfaction (%)", t.satisfaction],
        ["Ratings", t.satisfaction_count],
    ]
    return Table("Figures", ["Figure", "Value"], rows)


def _days(board: Dashboard) -> Table:
    rows: list[Row] = [[p.day.isoformat(), p.created, p.resolved, p.backlog] for p in board.days]
    return Table("Per day", ["Day", "Created", "Resolved", "Open at day's end"], rows)


def _weeks(board: Dashboard) -> Table:
    rows: list[Row] = [
        [
            p.week.isoformat(),
            _hours(p.first_response_median),
            _hours(p.first_response_p90),
            _hours(p.resolution_median),
            _hours(p.resolution_p90),
            p.sla_met,
            p.sla_breached,
            p.sla_compliance,
        ]
        for p in board.weeks
    ]
    headers = [
        "Week from",
        "First response median (h)",
        "First response p90 (h)",
        "Resolution median (h)",
        "Resolution p90 (h)",
        "SLA met",
        "SLA breached",
        "SLA compliance (%)",
    ]
    return Table("Per week", headers, rows)


def _shares(board: Dashboard) -> Table:
    rows: list[Row] = [
        [dimension, share.label, share.count]
        for dimension, shares in (("Type", board.by_type), ("Priority", board.by_priority), ("Source", board.by_source))
        for share in shares
    ]
    return Table("Created by type, priority and source", ["By", "Value", "Created"], rows)


def _agents(board: Dashboard) -> Table:
    rows: list[Row] = [
        [
            a.name,
            a.assigned,
            a.resolved,
            _hours(a.first_response_median),
            _hours(a.resolution_median),
            a.satisfaction,
            a.satisfaction_count,
            a.open_now,
        ]
        for a in board.agents
    ]
    headers = [
        "Agent",
        "Assigned",
        "Resolved",
        "First response median (h)",
        "Resolution median (h)",
        "Satisfaction (%)",
        "Ratings",
        "Open now",
    ]
    return Table("Agents", headers, rows)


TABLES: dict[str, Callable[[Dashboard], Table]] = {
    "figures": _tiles,
    "days": _days,
    "weeks": _weeks,
    "shares": _shares,
    "agents": _agents,
}
FORMATS = ("csv", "xlsx")


def filename(board: Dashboard, table: str, file_format: str) -> str:
    """`analytics-HH-2026-10-28-to-2026-11-26-agents.csv`: the filters in the name too."""
    period = board.period
    return f"analytics-{period.project_key or 'all'}-{period.start}-to-{period.end}-{table}.{file_format}"


def export(board: Dashboard, table: str, file_format: str) -> bytes:
    """One table of the dashboard as a file; its first line names the table and the filters. ValueError if unknown."""
    if table not in TABLES or file_format not in FORMATS:
        raise ValueError(f"no export {table!r} as {file_format!r}")
    data = TABLES[table](board)
    heading = f"{data.title}: {board.period.describe()}"
    return _csv(heading, data) if file_format == "csv" else _xlsx(heading, data)


def _csv(heading: str, data: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([heading])
    writer.writerow(data.headers)
    writer.writerows([["" if value is None else value for value in row] for row in data.rows])
    return out.getvalue().encode("utf-8-sig")  # the BOM makes spreadsheet programs read it as UTF-8


def _xlsx(heading: str, data: Table) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(data.title[:31])
    bold = book.add_format({"bold": True})
    sheet.write(0, 0, heading, bold)
    sheet.write_row(2, 0, data.headers, bold)
    for index, row in enumerate(data.rows):
        sheet.write_row(3 + index, 0, row)
    sheet.set_column(0, len(data.headers) - 1, 18)
    book.close()
    return out.getvalue()
