"""The compact SLA badge agents see on list rows, board cards and the ticket page.

It speaks of the target due next: time left in business time, amber once its warning time has
passed, red once it is overdue, grey while the resolution clock is paused with nothing else due.
Its `detail` names the policy and both targets, for a hover or the ticket page. Only staff get
badges; the portal never shows SLA internals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from tickit.models import SlaPolicy, Ticket
from tickit.services import sla_config
from tickit.services.business_hours import Calendar, format_duration

OK, WARNED, BREACHED, PAUSED = "ok", "warned", "breached", "paused"
COLORS = {OK: "green", WARNED: "amber", BREACHED: "red", PAUSED: "gray"}


@dataclass(frozen=True)
class SlaBadge:
    state: str  # ok | warned | breached | paused
    text: str  # "3h 20m left", "2h over", "paused, 5h left"
    detail: str  # "Standard: first response 24h, resolution 120h (normal)"

    @property
    def color(self) -> str:
        return COLORS[self.state]


def badges(session: Session, ticket_ids: list[int], now: datetime) -> dict[int, SlaBadge]:
    """The badge of each listed ticket an SLA policy times, keyed by ticket id: two queries for a page."""
    if not ticket_ids:
        return {}
    rows = session.exec(
        select(Ticket, SlaPolicy.project_id)
        .join(SlaPolicy, SlaPolicy.id == Ticket.sla_policy_id)
        .where(Ticket.id.in_(ticket_ids))
    ).all()
    policies = {
        loaded.policy.id: loaded
        for project_id in {project_id for _, project_id in rows}
        for loaded in sla_config.load_policies(session, project_id)
    }
    found = {}
    for ticket, _ in rows:
        loaded = policies.get(ticket.sla_policy_id)
        if loaded is not None and (shown := badge_for(ticket, loaded, now)) is not None:
            found[ticket.id] = shown
    return found


def badge_for(ticket: Ticket, loaded: sla_config.LoadedPolicy, now: datetime) -> SlaBadge | None:
    """The ticket's badge under its policy; None when nothing is left to time (both targets met)."""
    first = loaded.target_minutes(ticket.priority, "first_response")
    resolution = loaded.target_minutes(ticket.priority, "resolution")
    if first is None or resolution is None:
        return None
    detail = (
        f"{loaded.policy.name}: first response {format_duration(first)}, "
        f"resolution {format_duration(resolution)} ({ticket.priority})"
    )
    calendar = loaded.calendar
    candidates = []
    if ticket.first_response_warn_at is not None:
        candidates.append((ticket.first_response_due_at, ticket.first_response_warn_at, "response"))
    if ticket.resolution_warn_at is not None and ticket.resolution_due_at is not None:
        candidates.append((ticket.resolution_due_at, ticket.resolution_warn_at, "resolution"))
    if candidates:
        due, warn_at, what = min(candidates)
        if due <= now:
            return SlaBadge(BREACHED, f"{what} {_short(calendar.elapsed(due, now))} over", detail)
        state = WARNED if warn_at <= now else OK
        return SlaBadge(state, f"{what} in {_short(_left(calendar, now, due))}", detail)
    if ticket.sla_remaining_seconds is not None:
        return SlaBadge(PAUSED, f"paused, {_short(timedelta(seconds=ticket.sla_remaining_seconds))} left", detail)
    return None


def _left(calendar: Calendar, now: datetime, due: datetime) -> timedelta:
    return calendar.elapsed(now, due)


def _short(duration: timedelta) -> str:
    minutes = max(0, int(duration.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m"
