"""A client files tickets from the portal; the project's agents see them."""

from __future__ import annotations

import itertools
import re

from playwright.sync_api import expect

from tests.e2e.conftest import at_path, error_at

_titles = itertools.count(1)


def _unique_title(what: str) -> str:
    return f"{what} #{next(_titles)}"


def _file_ticket(page, title: str, description: str) -> None:
    page.goto("/portal/new")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Description").fill(description)
    page.get_by_role("button", name="File ticket").click()


def test_client_files_a_ticket_and_finds_it_in_my_tickets(page_as):
    page = page_as("client")
    title = _unique_title("Export to CSV fails")
    page.goto("/portal/new")

    expect(page.get_by_label("Project")).to_have_text("Help Hub (HH)")
    _file_ticket(page, title, "Clicking Export shows a blank page.")

    expect(page).to_have_url(at_path("/portal"))
    row = page.get_by_role("row").filter(has_text=title)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(re.compile(r"HH-\d+"))
    expect(row).to_contain_text("Help Hub")


def test_ticket_without_a_title_is_refused_and_keeps_the_description(page_as):
    page = page_as("client")
    description = "The invoice total is off by one cent."
    page.goto("/portal/new")
    page.get_by_label("Description").fill(description)

    page.get_by_role("button", name="File ticket").click()

    expect(error_at(page, "Title")).to_have_text("Give the ticket a title.")
    expect(page.get_by_label("Description")).to_have_value(description)
    expect(page).to_have_url(at_path("/portal/new"))


def test_agent_of_the_project_sees_a_ticket_a_client_filed(page_as):
    title = _unique_title("Dark mode hides the save button")
    client = page_as("client")
    _file_ticket(client, title, "Only in Firefox.")
    expect(client).to_have_url(at_path("/portal"))

    agent = page_as("agent")

    row = agent.get_by_role("row").filter(has_text=title)
    expect(row).to_contain_text(re.compile(r"HH-\d+"))
    expect(row).to_contain_text("Clara Client")


def test_client_in_no_project_is_told_there_is_nowhere_to_file_yet(page_as, new_account):
    page = page_as(new_account("client"))

    page.goto("/portal/new")

    expect(page.get_by_role("heading", name="No project to file in yet")).to_be_visible()
    expect(page.get_by_role("button", name="File ticket")).to_have_count(0)
