"""Which ticket list stands behind each figure of the dashboard, as the list's own query."""

from __future__ import annotations

from tickit.models import StatusCategory
from tickit.services.analytics_period import Period
from tickit.services.ticket_list import TicketQuery, to_query_string

OPEN = (StatusCategory.TODO, StatusCategory.IN_PROGRESS)


def _base(period: Period) -> dict:
    return {"project_keys": (period.project_key,) if period.project_key else ()}


def _zone(period: Period) -> str:
    # The list takes its days in one zone: exact unless "all projects" spans several (then UTC's days).
    return "" if period.zone in (None, "UTC") else period.zone


def _created_in(period: Period) -> dict:
    return {**_base(period), "created_from": period.start, "created_to": period.end, "zone": _zone(period)}


def _resolved_in(period: Period) -> dict:
    return {**_base(period), "resolved_from": period.start, "resolved_to": period.end, "zone": _zone(period)}


def figure_query(period: Period, figure: str) -> TicketQuery:
    """The list behind a tile: open, breached and at-risk tickets now, or those created or resolved in the period.

    "Resolved" lists the tickets whose resolution falls in the period and that stayed resolved:
    the tile counts resolutions, so a ticket resolved twice counts twice there and once here.
    """
    if figure == "open_now":
        return TicketQuery(**_base(period), status_categories=OPEN)
    if figure == "breached_now":
        return TicketQuery(**_base(period), sla="breached", sort="due", direction="asc")
    if figure == "at_risk_now":
        return TicketQuery(**_base(period), sla="due_soon", sort="due", direction="asc")
    if figure == "resolved":
        return TicketQuery(**_resolved_in(period))
    return TicketQuery(**_created_in(period), sort="created")


def share_query(period: Period, dimension: str, key: str) -> TicketQuery:
    """The tickets created in the period of one type (`type`) or priority (any other dimension)."""
    if dimension == "type":
        return TicketQuery(**_created_in(period), type_keys=(key,), sort="created")
    return TicketQuery(**_created_in(period), priorities=(key,), sort="created")


def agent_query(period: Period, agent_id: int) -> TicketQuery:
    """An agent's tickets, open first."""
    return TicketQuery(**_base(period), assignee=agent_id, status_categories=OPEN)


def assigned_query(period: Period, agent_id: int) -> TicketQuery:
    """The tickets behind an agent's "assigned": created in the period and assigned to them now."""
    return TicketQuery(**_created_in(period), assignee=agent_id, sort="created")


def href(path: str, query: TicketQuery) -> str:
    params = to_query_string(query)
    return f"{path}?{params}" if params else path
