"""Each figure of the dashboard links to the ticket list of exactly the tickets behind it (the exact fixture)."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from tests.analytics_fixture import NOW, build
from tests.factories import make_user
from tickit.services import analytics, analytics_links, analytics_period, ticket_list
from tickit.services.actors import SYSTEM


@pytest.fixture
def board(session, monkeypatch):
    build(session, monkeypatch)
    period = analytics_period.period_for(session=session, actor=SYSTEM, project_key="HH", days=30, now=NOW)
    return analytics.dashboard(session=session, actor=SYSTEM, period=period, now=NOW)


def listed(session, query: ticket_list.TicketQuery) -> list[str]:
    """The list's tickets for the query, read back from its URL as the ticket page would."""
    query = ticket_list.from_query_params(parse_qs(ticket_list.to_query_string(query)))
    admin = make_user(session, "admin")
    return sorted(row.number for row in ticket_list.list_tickets(session=session, actor=admin, query=query).rows)


def test_the_period_carries_the_projects_zone(board):
    assert board.period.zone == "Europe/Berlin"


def test_created_and_its_shares_list_the_tickets_filed_in_the_projects_days(session, board):
    created = listed(session, analytics_links.figure_query(board.period, "created"))
    assert len(created) == board.tiles.created == 5
    for share in board.by_type:
        assert len(listed(session, analytics_links.share_query(board.period, "type", share.key))) == share.count
    for share in board.by_priority:
        assert len(listed(session, analytics_links.share_query(board.period, "priority", share.key))) == share.count


def test_resolved_lists_the_tickets_resolved_in_the_period_and_still_resolved(session, board):
    # Three resolutions: HH-1, and HH-3 twice (resolved, reopened, resolved again): two tickets.
    assert board.tiles.resolved == 3
    assert listed(session, analytics_links.figure_query(board.period, "resolved")) == ["HH-1", "HH-3"]


def test_an_agents_assigned_lists_the_tickets_filed_in_the_period_assigned_to_them(session, board):
    for row in board.agents:
        assert len(listed(session, analytics_links.assigned_query(board.period, row.id))) == row.assigned
        assert len(listed(session, analytics_links.agent_query(board.period, row.id))) == row.open_now


def test_open_breached_and_at_risk_list_the_tickets_counted_now(session, board, monkeypatch):
    monkeypatch.setattr(ticket_list, "utcnow", lambda: NOW)
    for figure in ("open_now", "breached_now", "at_risk_now"):
        assert len(listed(session, analytics_links.figure_query(board.period, figure))) == getattr(board.tiles, figure)
