"""A breached ticket shows its red SLA badge wherever agents look: the list, the board and its page."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from playwright.sync_api import expect

from tests.e2e.conftest import _python

TITLE = "Platypus: checkout times out"


def _file_breached(app_server, client_email: str) -> None:
    """File a bug and move its filing three days back, as if nobody had answered since."""
    _python(
        app_server,
        "from datetime import timedelta\n"
        "from sqlmodel import select\n"
        "from tests.factories import file_ticket\n"
        "from tickit.models import ActivityEntry, Ticket, utcnow\n"
        "from tickit.services import sla, users\n"
        "from tickit.services.actors import UserPublic\n"
        "with session_scope() as s:\n"
        f"    client = UserPublic.of(users.find_by_email(s, {client_email!r}))\n"
        f"    file_ticket(s, client, 'HH', {TITLE!r}, type_key='bug')\n"
        f"    ticket = s.exec(select(Ticket).where(Ticket.title == {TITLE!r})).one()\n"
        "    back = utcnow() - timedelta(days=3)\n"
        "    ticket.created_at = back\n"
        "    for entry in s.exec(select(ActivityEntry).where(ActivityEntry.ticket_id == ticket.id)).all():\n"
        "        entry.created_at = back\n"
        "    s.flush()\n"
        "    sla.recompute(s, ticket, utcnow())\n",
    )


def test_a_breached_ticket_shows_a_red_badge_on_the_list_the_board_and_its_page(page_as, seed, app_server):
    _file_breached(app_server, seed.client.email)
    page = page_as("agent")

    page.goto("/tickets?" + urlencode({"q": "Platypus", "sla": "breached"}))
    row = page.get_by_role("row").filter(has_text=TITLE)
    badge = row.get_by_label("SLA: response 2d 0h over")
    expect(badge).to_be_visible()
    expect(badge).to_have_attribute("data-accent-color", "red")

    page.goto("/tickets/board?" + urlencode({"project": "HH", "type": "bug", "q": "Platypus"}))
    card_badge = page.get_by_label("SLA: response 2d 0h over")
    expect(card_badge).to_be_visible()
    assert "--red-a3" in (card_badge.get_attribute("style") or "")

    row_link = "/tickets?" + urlencode({"q": "Platypus"})
    page.goto(row_link)
    page.get_by_role("row").filter(has_text=TITLE).get_by_role("link", name=TITLE).click()
    panel = page.get_by_role("complementary", name="Ticket details")
    ticket_badge = panel.get_by_label("SLA: response 2d 0h over")
    expect(ticket_badge).to_be_visible()
    expect(ticket_badge).to_have_attribute("data-accent-color", "red")
    expect(panel).to_contain_text("Standard: first response 24h, resolution 120h (normal)")
    # A missed time reads as past, a pending one as ahead (two days are left of its 120 hours).
    expect(panel).to_contain_text(re.compile(r"Response due\s*2 d ago"))
    expect(panel).to_contain_text(re.compile(r"Resolution due\s*in [12] d"))
