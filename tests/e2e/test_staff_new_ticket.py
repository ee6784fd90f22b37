"""Agents file tickets from their own tree, with the same type-aware form."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import at_path
from tests.e2e.test_attachments_ui import _png


def test_agent_files_a_question_from_the_tickets_page(page_as):
    page = page_as("agent")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New ticket").click()
    expect(page).to_have_url(at_path("/tickets/new"))

    page.get_by_label("Type", exact=True).click()
    page.get_by_role("option", name="Question").click()
    page.get_by_label("Title").fill("How do I rotate an API token?")
    page.get_by_label("Topic", exact=True).click()
    page.get_by_role("option", name="Integrations").click()
    page.get_by_role("button", name="File ticket").click()

    expect(page).to_have_url(re.compile(r"/tickets/HH-\d+/?$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("How do I rotate an API token?")
    expect(page.get_by_text("Help Hub · Question")).to_be_visible()


def test_agent_files_a_ticket_with_an_attachment_and_finds_it_on_the_ticket(page_as):
    page = page_as("agent")
    page.goto("/tickets/new")
    page.get_by_label("Type", exact=True).click()
    page.get_by_role("option", name="Question").click()
    page.get_by_label("Title").fill("Echidna dashboard export is cut off")
    page.get_by_label("Topic", exact=True).click()
    page.get_by_role("option", name="Integrations").click()
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Attach files").click()
    chooser.value.set_files([{"name": "echidna-export.png", "mimeType": "image/png", "buffer": _png()}])
    expect(page.get_by_role("list", name="Files to attach").get_by_role("listitem")).to_have_text(
        re.compile("echidna-export.png")
    )

    page.get_by_role("button", name="File ticket").click()

    expect(page).to_have_url(re.compile(r"/tickets/HH-\d+/?$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Echidna dashboard export is cut off")
    files = page.get_by_role("complementary", name="Ticket details").get_by_role("list", name="Attachments")
    expect(files.get_by_role("listitem", name="echidna-export.png")).to_be_visible()


def test_a_client_is_refused_the_staff_form(page_as):
    page = page_as("client")
    page.goto("/tickets/new")
    expect(page.get_by_text("You don't have access to this page")).to_be_visible()
    expect(page.get_by_role("button", name="File ticket")).to_have_count(0)
