"""The project's SLA page: its set-up as the `sla:` YAML section, checked, previewed and saved.

The page edits the same text `tickit project export` writes, so the two never disagree, and a
mistake gets the same line-numbered message an import would. Saving re-times every open ticket.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from tickit.models import Priority, StatusCategory, Ticket, TicketStatus, TicketType
from tickit.services import audit, sla, sla_config
from tickit.services.access import project_to_configure
from tickit.services.actors import Actor
from tickit.services.business_hours import ROUND_THE_CLOCK, format_duration
from tickit.services.errors import ValidationFailed
from tickit.services.templates.documents import TemplateError
from tickit.services.templates.export import dump_sla_section
from tickit.services.templates.sla_section import SlaSpec, parse_sla_section

_PRIORITY_ORDER = (Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.LOW)


@dataclass(frozen=True)
class PreviewLine:
    """For one policy and priority: its targets, and when a ticket filed now would be due."""

    policy: str
    priority: str
    targets: str  # "1h / 8h"
    first_response_due: str  # "Mon 16 Nov 12:00 (Europe/Berlin)"
    resolution_due: str


@dataclass(frozen=True)
class SlaSettings:
    project_name: str
    text: str  # the `sla:` section
    preview: tuple[PreviewLine, ...]
    retimed: int = 0  # open tickets re-timed by a save


def sla_settings(*, session: Session, actor: Actor, project_key: str, now: datetime) -> SlaSettings:
    """The project's SLA set-up as the page shows it (admins and its project admins)."""
    project = project_to_configure(session, actor, project_key)
    spec = sla_config.load_spec(session, project.id)
    return SlaSettings(project.name, dump_sla_section(spec), preview_lines(spec or SlaSpec(), now))


def preview(*, session: Session, actor: Actor, project_key: str, text: str, now: datetime) -> list[PreviewLine]:
    """When tickets filed `now` would be due under the set-up `text` (ValidationFailed `text` when it is malformed)."""
    project = project_to_configure(session, actor, project_key)
    return preview_lines(_parsed(session, project.id, text), now)


def save(*, session: Session, actor: Actor, project_key: str, text: str, now: datetime) -> SlaSettings:
    """Make `text` the project's SLA set-up and re-time its open tickets; the caller commits."""
    project = project_to_configure(session, actor, project_key)
    spec = _parsed(session, project.id, text)
    before = dump_sla_section(sla_config.load_spec(session, project.id))
    try:
        sla_config.replace_config(session, project, spec)
    except ValidationFailed as exc:
        raise ValidationFailed({"text": "; ".join(exc.errors.values())}) from None
    retimed = recompute_project(session, project.id, now)
    after = dump_sla_section(spec)
    audit.record(
        session,
        actor=actor,
        action=audit.SLA_EDITED,
        target=project.key,
        before={"sla": before},
        after={"sla": after, "open_tickets_retimed": retimed},
    )
    return SlaSettings(project.name, after, preview_lines(spec, now), retimed)


def recompute_project(session: Session, project_id: int, now: datetime) -> int:
    """Re-time every ticket of the project that is not done (the policies changed); returns how many."""
    open_tickets = session.exec(
        select(Ticket)
        .join(TicketStatus, TicketStatus.id == Ticket.status_id)
        .where(Ticket.project_id == project_id, TicketStatus.category != StatusCategory.DONE)
    ).all()
    for ticket in open_tickets:
        sla.recompute(session, ticket, now)
    session.flush()
    return len(open_tickets)


def preview_lines(spec: SlaSpec, now: datetime) -> tuple[PreviewLine, ...]:
    calendars = {c.key: c for c in spec.calendars}
    lines = []
    for policy in spec.policies:
        calendar_spec = calendars.get(policy.calendar) if policy.calendar else None
        calendar = calendar_spec.calendar() if calendar_spec else ROUND_THE_CLOCK
        zone = ZoneInfo(calendar_spec.timezone) if calendar_spec else ZoneInfo("UTC")
        for priority in _PRIORITY_ORDER:
            target = policy.targets.get(priority)
            if target is None:
                continue
            first = calendar.add(now, timedelta(minutes=target.first_response))
            resolution = calendar.add(now, timedelta(minutes=target.resolution))
            lines.append(
                PreviewLine(
                    policy=policy.name,
                    priority=priority.value,
                    targets=f"{format_duration(target.first_response)} / {format_duration(target.resolution)}",
                    first_response_due=_shown(first, zone),
                    resolution_due=_shown(resolution, zone),
                )
            )
    return tuple(lines)


def _shown(moment: datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%a %-d %b %H:%M} ({zone.key})"


def _parsed(session: Session, project_id: int, text: str) -> SlaSpec:
    try:
        return parse_sla_section(text, "SLA", _type_keys(session, project_id))
    except TemplateError as exc:
        raise ValidationFailed({"text": str(exc)}) from None


def _type_keys(session: Session, project_id: int) -> list[str]:
    return list(session.exec(select(TicketType.key).where(TicketType.project_id == project_id)).all())
