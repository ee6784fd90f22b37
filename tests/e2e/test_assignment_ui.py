"""Automatic assignment in the browser: the agent's one-click away switch, and the workload page."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import _python, at_path, sign_in


def _routed_project(app_server, key: str) -> str:
    """A new project (IT helpdesk) assigning round-robin."""
    app_server.tickit("project", "create", f"--key={key}", f"--name=Desk {key}", "--template=it-helpdesk")
    app_server.tickit("project", "assignment", key, "--strategy=round-robin")
    return key


def _file(app_server, client_email: str, project: str, title: str) -> None:
    _python(
        app_server,
        "from tests.factories import file_ticket\n"
        "from tickit.services import users\n"
        "from tickit.services.actors import UserPublic\n"
        "with session_scope() as s:\n"
        f"    client = UserPublic.of(users.find_by_email(s, {client_email!r}))\n"
        f"    file_ticket(s, client, {project!r}, {title!r}, type_key='incident',"
        " field_values={'impact': 'team', 'urgency': 'low'})\n",
    )


def _card(page, name: str):
    """The workload card of the agent `name`."""
    heading = page.get_by_role("heading", name=name, exact=True)
    return heading.locator("xpath=ancestor::div[contains(@class, 'rt-Card')][1]")


def test_an_agent_goes_away_in_one_click_and_gets_queued_work_on_return(app_server, new_account, new_page):
    routed_project = _routed_project(app_server, "AS")
    agent = new_account("agent", project=routed_project, name="Avery Away")
    client = new_account("client", project=routed_project)
    page = new_page()
    sign_in(page, agent)

    switch = page.get_by_role("switch", name="Available for new tickets")
    expect(switch).to_be_checked()
    switch.click()
    expect(switch).not_to_be_checked()
    expect(page.get_by_text("Away", exact=True)).to_be_visible()

    _file(app_server, client.email, routed_project, "Printer on fire")  # nobody available: it waits in the queue
    page.goto(f"/tickets/workload?project={routed_project}")
    expect(page.get_by_text("1 open ticket waits in the queue.")).to_be_visible()
    expect(_card(page, "Avery Away").get_by_text("Away", exact=True)).to_be_visible()

    page.get_by_role("switch", name="Available for new tickets").click()
    expect(page.get_by_role("switch", name="Available for new tickets")).to_be_checked()
    # What the worker does every minute, at once (it may have done it already).
    app_server.tickit("project", "assign-queue")

    page.reload()
    card = _card(page, "Avery Away")
    expect(card.get_by_role("link", name="To do: 1")).to_be_visible()
    expect(card.get_by_text("Printer on fire")).to_be_visible()
    card.get_by_role("link", name="To do: 1").click()
    expect(page).to_have_url(re.compile(r"/tickets\?.*assignee=\d+"))
    expect(page.get_by_role("link", name="Printer on fire")).to_be_visible()


def test_an_admin_moves_an_agents_open_tickets_from_the_workload_page(app_server, new_account, page_as):
    routed_project = _routed_project(app_server, "AT")
    new_account("agent", project=routed_project, name="Lee Leaving")
    staying = new_account("agent", project=routed_project, name="Sam Staying")
    client = new_account("client", project=routed_project)
    app_server.tickit("agent", "set", staying.email, f"--project={routed_project}", "--away")
    _file(app_server, client.email, routed_project, "VPN drops hourly")
    app_server.tickit("agent", "set", staying.email, f"--project={routed_project}", "--available")

    page = page_as("admin")
    page.goto(f"/tickets/workload?project={routed_project}")
    expect(page).to_have_url(at_path("/tickets/workload"))
    expect(_card(page, "Lee Leaving").get_by_text("VPN drops hourly")).to_be_visible()

    page.get_by_role("button", name="Move the open tickets of Lee Leaving").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("combobox", name="Move them to").click()
    page.get_by_role("option", name="Sam Staying").click()
    dialog.get_by_role("button", name="Move tickets").click()

    expect(page.get_by_text("of Lee Leaving to Sam Staying.")).to_be_visible()
    expect(_card(page, "Sam Staying").get_by_text("VPN drops hourly")).to_be_visible()
    expect(_card(page, "Lee Leaving").get_by_text("No open tickets")).to_be_visible()
