"""A client files tickets from the portal; the project's agents see them."""

from __future__ import annotations

import itertools
import re

from playwright.sync_api import expect

from tests.e2e.conftest import at_path, error_at

_titles = itertools.count(1)


def _unique_title(what: str) -> str:
    return f"{what} #{next(_titles)}"


def _choose(page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option).click()


def _file_ticket(page, title: str, description: str) -> None:
    """File a Bug (the Help Hub's first type), with its required Severity."""
    page.goto("/portal/new")
    page.get_by_label("Title").fill(title)
    _choose(page, "Severity", "Major – a feature is broken")
    page.get_by_label("Description").fill(description)
    page.get_by_role("button", name="File ticket").click()


def test_client_files_a_ticket_lands_on_it_and_finds_it_in_my_tickets(page_as):
    page = page_as("client")
    title = _unique_title("Export to CSV fails")
    page.goto("/portal/new")

    expect(page.get_by_label("Project")).to_have_text("Help Hub (HH)")
    _file_ticket(page, title, "Clicking Export shows a blank page.")

    expect(page).to_have_url(re.compile(r"/portal/tickets/HH-\d+/?$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_text("Clicking Export shows a blank page.")).to_be_visible()

    page.get_by_role("link", name="My tickets").first.click()
    row = page.get_by_role("row").filter(has_text=title)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(re.compile(r"HH-\d+"))
    expect(row).to_contain_text("Help Hub")


def test_the_description_follows_the_title_before_the_types_own_fields(page_as):
    page = page_as("client")
    page.goto("/portal/new")
    expect(page.get_by_label("Severity")).to_be_visible()

    labels = page.locator("form label").all_inner_texts()

    assert labels.index("Title") < labels.index("Description") < labels.index("Severity"), labels


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
    expect(client).to_have_url(re.compile(r"/portal/tickets/HH-\d+/?$"))

    agent = page_as("agent")
    agent.goto("/tickets?view=all")  # it is nobody's yet, so not on the agent's own list

    row = agent.get_by_role("row").filter(has_text=title)
    expect(row).to_contain_text(re.compile(r"HH-\d+"))
    expect(row).to_contain_text("Clara Client")


def test_client_in_no_project_is_told_there_is_nowhere_to_file_yet(page_as, new_account):
    page = page_as(new_account("client"))

    page.goto("/portal/new")

    expect(page.get_by_role("heading", name="No project to file in yet")).to_be_visible()
    expect(page.get_by_role("button", name="File ticket")).to_have_count(0)


def test_the_form_follows_the_chosen_type_and_shows_each_error_at_its_field(page_as, app_server):
    page = page_as("client")
    page.goto("/portal/new")
    expect(page.get_by_label("Type", exact=True)).to_have_text("Bug")
    expect(page.get_by_label("Severity")).to_be_visible()

    _choose(page, "Type", "Feature request")
    expect(page.get_by_label("Severity")).to_have_count(0)
    title = _unique_title("Bulk export")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Description").fill("We export every month.")
    page.get_by_role("button", name="File ticket").click()

    # Both required fields of a feature request are named at their own fields; nothing typed is lost.
    expect(error_at(page, "How much does this matter to you?")).to_have_text(
        "How much does this matter to you? is required."
    )
    expect(error_at(page, "What are you trying to do?")).to_have_text("What are you trying to do? is required.")
    expect(page.get_by_label("Title")).to_have_value(title)
    expect(page.get_by_label("Description")).to_have_value("We export every month.")

    _choose(page, "How much does this matter to you?", "Important")
    page.get_by_label("What are you trying to do?").fill("Send the monthly report to finance.")
    page.get_by_role("button", name="File ticket").click()

    expect(page).to_have_url(re.compile(r"/portal/tickets/HH-\d+/?$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    number = re.search(r"HH-\d+", page.url).group(0)
    _assert_stored_fields(
        app_server, number, {"impact": "important", "use_case": "Send the monthly report to finance."}
    )


def _assert_stored_fields(app_server, number: str, expected: dict) -> None:
    import json
    import subprocess
    import sys

    key, n = number.split("-")
    script = (
        "import json\n"
        "from sqlmodel import select\n"
        "from tickit.db import session_scope\n"
        "from tickit.models import Project, Ticket\n"
        "with session_scope() as s:\n"
        f"    t = s.exec(select(Ticket).join(Project).where(Project.key == {key!r}, Ticket.number == {int(n)})).one()\n"
        "    print(json.dumps(t.fields))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=app_server.env, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == expected
