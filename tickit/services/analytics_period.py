"""What an analytics report covers: a project (or all the viewer may see) and a range of local days.

A period is a range of whole days in the reporting time zone (`reporting.reporting_zone`) of the
project shown; "all projects" counts each project's events by its own days and takes "today" in
UTC. Agents report on their projects, admins on all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from tickit.models import MemberRole, Project, ReportingEvent, SlaCalendar, utcnow
from tickit.services import reporting
from tickit.services.actors import SYSTEM, Actor, require_staff
from tickit.services.errors import NotFound, ValidationFailed
from tickit.services.projects import project_ids_for

MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Period:
    """What a report covers: one project (or all the viewer may see) and a range of local days, both inclusive."""

    project_key: str | None
    start: date
    end: date
    # The time zone of the days when every project in scope reports in the same one (None: they differ).
    zone: str | None = "UTC"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def describe(self) -> str:
        return f"{self.project_key or 'all projects'}, {self.start.isoformat()} to {self.end.isoformat()}"


def period_for(
    *,
    session: Session,
    actor: Actor,
    project_key: str | None,
    days: int | None = 30,
    start: date | None = None,
    end: date | None = None,
    now: datetime | None = None,
) -> Period:
    """The last `days` days up to today (in the project's zone), or the custom range `start`..`end`.

    ValidationFailed names `range` for a range that ends before it starts or is longer than three years.
    """
    project_key = (project_key or "").strip().upper() or None
    ids = [_project_id(session, actor, project_key)] if project_key else _visible_ids(session, actor)
    names = list(zones(session, ids)) or ["UTC"]
    if start is None or end is None:
        if days is None or not 1 <= days <= MAX_DAYS:
            raise ValidationFailed({"range": f"Choose between 1 and {MAX_DAYS} days."})
        end = reporting.local_day(now or utcnow(), ZoneInfo(names[0]) if project_key else UTC)
        start = end - timedelta(days=days - 1)
    if end < start:
        raise ValidationFailed({"range": "The range ends before it starts."})
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationFailed({"range": f"Choose at most {MAX_DAYS} days."})
    return Period(project_key=project_key, start=start, end=end, zone=names[0] if len(names) == 1 else None)


def parse_days(text: str) -> int:
    """`30d` (or `30`, `4w`) as a number of days; ValidationFailed naming `since` otherwise."""
    text = text.strip().lower()
    unit = 7 if text.endswith("w") else 1
    number = text.rstrip("dw")
    if not number.isdigit() or not 1 <= int(number) * unit <= MAX_DAYS:
        raise ValidationFailed(
            {"since": f"Say how far back as days or weeks (like 30d or 4w, at most {MAX_DAYS} days); got {text!r}."}
        )
    return int(number) * unit


def visible_projects(*, session: Session, actor: Actor) -> list[tuple[str, str]]:
    """The projects the viewer may report on (agents: theirs; admins: all), as (key, name) by name."""
    ids = _visible_ids(session, actor)
    rows = session.exec(select(Project.key, Project.name).where(Project.id.in_(ids)).order_by(Project.name, Project.id))
    return [(key, name) for key, name in rows]


def scope(session: Session, actor: Actor, period: Period) -> list[int]:
    """The ids of the projects `period` covers that `actor` may report on; NotFound for a project they may not."""
    if period.project_key:
        return [_project_id(session, actor, period.project_key)]
    return _visible_ids(session, actor)


def events_in(ids: list[int], period: Period, *kinds: str) -> list:
    """Conditions for the reporting events of `kinds` in the projects `ids` on the period's days."""
    return [
        ReportingEvent.project_id.in_(ids),
        ReportingEvent.kind.in_(kinds) if len(kinds) > 1 else ReportingEvent.kind == kinds[0],
        ReportingEvent.day.between(period.start, period.end),
    ]


def zones(session: Session, ids: list[int]) -> dict[str, list[int]]:
    """The projects `ids` by reporting time zone (`reporting.reporting_zone`, read for all at once)."""
    first: dict[int, str] = {}
    for project_id, zone in session.execute(
        sa_select(SlaCalendar.project_id, SlaCalendar.timezone)
        .where(SlaCalendar.project_id.in_(ids))
        .order_by(SlaCalendar.id)
    ).all():
        first.setdefault(project_id, zone)
    grouped: dict[str, list[int]] = {}
    for project_id in ids:
        grouped.setdefault(first.get(project_id) or "UTC", []).append(project_id)
    return grouped


def local_bounds(period: Period, zone: str) -> tuple[datetime, datetime]:
    """The instants the period's first day starts and the day after its last starts, in `zone`."""
    tz = ZoneInfo(zone)
    return (
        datetime.combine(period.start, time.min, tz).astimezone(UTC),
        datetime.combine(period.end + timedelta(days=1), time.min, tz).astimezone(UTC),
    )


def _visible_ids(session: Session, actor: Actor) -> list[int]:
    if actor is SYSTEM:
        return list(session.exec(select(Project.id)).all())
    require_staff(actor)
    return project_ids_for(session, actor, MemberRole.AGENT)


def _project_id(session: Session, actor: Actor, key: str) -> int:
    project_id = session.exec(select(Project.id).where(Project.key == key)).first()
    if project_id is None or project_id not in _visible_ids(session, actor):
        raise NotFound(f"No project {key} to report on.")
    return project_id
