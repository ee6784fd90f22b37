"""The analytics dashboard draws its charts, and a tile opens the ticket list behind its figure."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import _file_ticket_directly, _python, at_path, screenshots

TITLE = "Numbat: the export stalls"


def _assign_to(app_server, email: str, title: str = TITLE) -> None:
    _python(
        app_server,
        "from sqlmodel import select\n"
        "from tickit.models import Ticket\n"
        "from tickit.services import ticket_detail, users\n"
        "from tickit.services.actors import UserPublic\n"
        "with session_scope() as s:\n"
        f"    agent = UserPublic.of(users.find_by_email(s, {email!r}))\n"
        f"    ticket = s.exec(select(Ticket).where(Ticket.title == {title!r})).one()\n"
        "    ticket_detail.assign(session=s, actor=agent, number=f'HH-{ticket.number}', assignee_id=agent.id)\n",
    )


def test_the_dashboard_draws_its_charts_and_a_tile_opens_the_matching_list(page_as, seed, app_server):
    _file_ticket_directly(app_server, seed.client.email, "HH", TITLE)
    _assign_to(app_server, seed.agent.email)
    page = page_as("agent")
    page.get_by_role("link", name="Analytics").first.click()
    expect(page).to_have_url(at_path("/analytics"))
    expect(page.get_by_role("heading", name="Analytics")).to_be_visible()
    page.get_by_label("Project").click()
    page.get_by_role("option", name="Help Hub").click()
    expect(page.get_by_text("HH, ", exact=False).first).to_be_visible()
    # The daily chart, the two weekly ones and the three shares, each drawn by recharts.
    expect(page.locator(".recharts-wrapper")).to_have_count(6)
    expect(page.get_by_role("heading", name="Created and resolved per day")).to_be_visible()
    agents = page.get_by_role("table")
    expect(agents.get_by_role("rowheader", name=seed.agent.name)).to_be_visible()
    agents.get_by_role("button", name="Open now").click()
    expect(agents.get_by_role("columnheader", name="Open now").locator("svg")).to_have_count(1)  # its sort arrow
    screenshots(page, "analytics")

    page.get_by_role("link", name="Open now").click()
    expect(page).to_have_url(at_path("/tickets"))
    assert "project=HH" in page.url and "category=in_progress%2Ctodo" in page.url
    expect(page.get_by_role("row").filter(has_text=TITLE)).to_be_visible()


def test_an_agents_assigned_count_opens_the_tickets_filed_in_the_range_assigned_to_them(page_as, seed, app_server):
    title = "Kookaburra: the report is empty"
    _file_ticket_directly(app_server, seed.client.email, "HH", title)
    _assign_to(app_server, seed.agent.email, title)
    page = page_as("agent")
    page.get_by_role("link", name="Analytics").first.click()
    expect(page.get_by_role("heading", name="Analytics")).to_be_visible()
    page.get_by_label("Project").click()
    page.get_by_role("option", name="Help Hub").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=seed.agent.name))
    row.get_by_role("link").nth(1).click()  # the name, then "assigned"
    expect(page).to_have_url(at_path("/tickets"))
    assert "assignee=" in page.url and "from=" in page.url and "to=" in page.url
    expect(page.get_by_role("link", name=title)).to_be_visible()
    expect(page.get_by_label("Created from")).not_to_have_value("")
    screenshots(page, "tickets-from-analytics")
    # The Resolved tile lists by resolution days: a chip shows that filter and removes it.
    page.go_back()
    page.get_by_role("link", name="Resolved").first.click()
    expect(page).to_have_url(at_path("/tickets"))
    assert "resolved_from=" in page.url and "resolved_to=" in page.url
    expect(page.get_by_text("Resolved 20", exact=False)).to_be_visible()
    screenshots(page, "tickets-resolved")
    page.get_by_role("button", name="Remove the resolved filter").click()
    expect(page.get_by_text("Resolved 20", exact=False)).to_have_count(0)
    assert "resolved_from=" not in page.url
