"""/analytics: the dashboard's figures for a project (or all) and a range, and their export."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

import reflex as rx
from sqlmodel import Session

from tickit import routes
from tickit.models import Role
from tickit.services import analytics, analytics_export, analytics_links, analytics_period
from tickit.services.actors import UserPublic
from tickit.services.sla import span
from tickit.state.session import SessionState

RANGES = [["7", "Last 7 days"], ["30", "Last 30 days"], ["90", "Last 90 days"], ["custom", "Custom range"]]
ALL = "all"
AGENT_SORTS = ("name", "assigned", "resolved", "first_response", "resolution", "satisfaction", "open_now")


@dataclasses.dataclass
class TileView:
    key: str
    label: str
    value: str
    detail: str
    href: str


@dataclasses.dataclass
class AgentView:
    id: int
    name: str
    assigned: int
    resolved: int
    first_response: str
    first_response_seconds: int
    resolution: str
    resolution_seconds: int
    satisfaction: str
    satisfaction_value: float
    open_now: int
    href: str  # their open tickets (the name and the open count link here)
    assigned_href: str  # the tickets behind "assigned"


@dataclasses.dataclass
class Choice:
    project: str  # "" for all
    days: int | None
    start: date | None
    end: date | None


def _duration(seconds: int | None) -> str:
    return "—" if seconds is None else span(timedelta(seconds=seconds))


def _hours(seconds: int | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 1)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _tiles(board: analytics.Dashboard) -> list[TileView]:
    t, period = board.tiles, board.period

    def tile(key: str, label: str, value: str, detail: str = "") -> TileView:
        link = analytics_links.href(routes.TICKETS, analytics_links.figure_query(period, key))
        return TileView(key, label, value, detail, link)

    return [
        tile("open_now", "Open now", f"{t.open_now:,}"),
        tile("created", "Created", f"{t.created:,}"),
        tile("resolved", "Resolved", f"{t.resolved:,}"),
        tile(
            "first_response",
            "First response",
            _duration(t.first_response_median),
            f"median · 90th pct {_duration(t.first_response_p90)}",
        ),
        tile(
            "resolution",
            "Resolution",
            _duration(t.resolution_median),
            f"median · 90th pct {_duration(t.resolution_p90)}",
        ),
        tile("sla", "SLA compliance", _percent(t.sla_compliance), f"{t.sla_met} met · {t.sla_breached} breached"),
        tile("breached_now", "Breached now", f"{t.breached_now:,}"),
        tile("at_risk_now", "At risk now", f"{t.at_risk_now:,}", "due within the hour"),
        tile(
            "satisfaction",
            "Satisfaction",
            _percent(t.satisfaction),
            f"{t.satisfaction_good} good of {t.satisfaction_count}",
        ),
    ]


def _agents(board: analytics.Dashboard) -> list[AgentView]:
    return [
        AgentView(
            id=a.id,
            name=a.name,
            assigned=a.assigned,
            resolved=a.resolved,
            first_response=_duration(a.first_response_median),
            first_response_seconds=a.first_response_median if a.first_response_median is not None else -1,
            resolution=_duration(a.resolution_median),
            resolution_seconds=a.resolution_median if a.resolution_median is not None else -1,
            satisfaction=f"{_percent(a.satisfaction)} of {a.satisfaction_count}" if a.satisfaction_count else "—",
            satisfaction_value=a.satisfaction if a.satisfaction is not None else -1.0,
            open_now=a.open_now,
            href=analytics_links.href(routes.TICKETS, analytics_links.agent_query(board.period, a.id)),
            assigned_href=analytics_links.href(routes.TICKETS, analytics_links.assigned_query(board.period, a.id)),
        )
        for a in board.agents
    ]


def _shares(board: analytics.Dashboard, dimension: str, shares: list[analytics.Share]) -> list[dict[str, Any]]:
    """Chart rows: a slice's name, count, and the list of its tickets (the list cannot filter by source)."""
    return [
        {
            "name": share.label,
            "count": share.count,
            "href": analytics_links.href(
                routes.TICKETS, analytics_links.share_query(board.period, dimension, share.key)
            )
            if dimension != "source"
            else "",
        }
        for share in shares
    ]


def _period(session: Session, actor: UserPublic, choice: Choice) -> analytics_period.Period:
    return analytics_period.period_for(
        session=session, actor=actor, project_key=choice.project, days=choice.days, start=choice.start, end=choice.end
    )


def _board(choice: Choice):
    def dashboard(session: Session, actor: UserPublic) -> analytics.Dashboard:
        return analytics.dashboard(session=session, actor=actor, period=_period(session, actor, choice))

    return dashboard


def _export(choice: Choice, table: str, file_format: str):
    def exported(session: Session, actor: UserPublic) -> tuple[str, bytes]:
        board = analytics.dashboard(session=session, actor=actor, period=_period(session, actor, choice))
        return analytics_export.filename(board, table, file_format), analytics_export.export(board, table, file_format)

    return exported


def _parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


class AnalyticsState(SessionState):
    project: str = ALL
    range_choice: str = "30"
    start: str = ""
    end: str = ""
    range_error: str = ""
    described: str = ""
    projects: list[list[str]] = []
    tiles: list[TileView] = []
    days: list[dict[str, Any]] = []
    weeks: list[dict[str, Any]] = []
    by_type: list[dict[str, Any]] = []
    by_priority: list[dict[str, Any]] = []
    by_source: list[dict[str, Any]] = []
    agents: list[AgentView] = []
    agent_sort: str = "resolved"
    agent_descending: bool = True

    def _choice(self) -> Choice:
        custom = self.range_choice == "custom"
        return Choice(
            project="" if self.project == ALL else self.project,
            days=None if custom else int(self.range_choice),
            start=_parse_day(self.start) if custom else None,
            end=_parse_day(self.end) if custom else None,
        )

    def _show(self, board: analytics.Dashboard) -> None:
        self.described = board.period.describe()
        self.start, self.end = board.period.start.isoformat(), board.period.end.isoformat()
        self.projects = [[ALL, "All projects"], *[[key, name] for key, name in board.projects]]
        self.tiles = _tiles(board)
        self.days = [
            {"day": p.day.strftime("%b %d"), "created": p.created, "resolved": p.resolved, "backlog": p.backlog}
            for p in board.days
        ]
        self.weeks = [
            {
                "week": p.week.strftime("%b %d"),
                "first_response_median": _hours(p.first_response_median),
                "first_response_p90": _hours(p.first_response_p90),
                "resolution_median": _hours(p.resolution_median),
                "resolution_p90": _hours(p.resolution_p90),
                "sla_compliance": p.sla_compliance,
            }
            for p in board.weeks
        ]
        self.by_type = _shares(board, "type", board.by_type)
        self.by_priority = _shares(board, "priority", board.by_priority)
        self.by_source = _shares(board, "source", board.by_source)
        self.agents = _agents(board)
        self._sort_agents()

    @rx.event
    async def load(self):
        outcome = await self.admit_and_read((Role.AGENT, Role.ADMIN), _board(self._choice()))
        if outcome is None:
            return self.refusal()
        if outcome.ok:
            self._show(outcome.value)
        return outcome.event

    async def _reload(self):
        outcome = await self.read(_board(self._choice()))
        if not outcome.ok:
            self.range_error = outcome.errors.get("range", "")
            return None if self.range_error else outcome.event
        self.range_error = ""
        self._show(outcome.value)
        return None

    @rx.event
    async def set_project(self, project: str):
        self.project = project if project in {p[0] for p in self.projects} else ALL
        return await self._reload()

    @rx.event
    async def set_range(self, choice: str):
        self.range_choice = choice if choice in {r[0] for r in RANGES} else "30"
        return await self._reload()

    @rx.event
    async def apply_custom(self, form: dict):
        self.range_choice = "custom"
        self.start, self.end = str(form.get("start", ""))[:10], str(form.get("end", ""))[:10]
        if _parse_day(self.start) is None or _parse_day(self.end) is None:
            self.range_error = "Give both days as dates."
            return None
        return await self._reload()

    @rx.event
    def sort_agents(self, column: str):
        if column not in AGENT_SORTS:
            return
        if column == self.agent_sort:
            self.agent_descending = not self.agent_descending
        else:
            self.agent_sort, self.agent_descending = column, column != "name"
        self._sort_agents()

    def _sort_agents(self) -> None:
        key = {
            "name": lambda a: a.name.lower(),
            "assigned": lambda a: a.assigned,
            "resolved": lambda a: a.resolved,
            "first_response": lambda a: a.first_response_seconds,
            "resolution": lambda a: a.resolution_seconds,
            "satisfaction": lambda a: a.satisfaction_value,
            "open_now": lambda a: a.open_now,
        }[self.agent_sort]
        self.agents = sorted(self.agents, key=key, reverse=self.agent_descending)

    @rx.event
    async def download(self, table: str, file_format: str):
        if table not in analytics_export.TABLES or file_format not in analytics_export.FORMATS:
            return None
        outcome = await self.read(_export(self._choice(), table, file_format))
        if not outcome.ok:
            return outcome.event
        name, data = outcome.value
        return rx.download(data=data, filename=name)
