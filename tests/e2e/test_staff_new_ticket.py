"""Agents file tickets from their own tree, with the same type-aware form."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import at_path


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


def test_a_client_is_refused_the_staff_form(page_as):
    page = page_as("client")
    page.goto("/tickets/new")
    expect(page.get_by_text("You don't have access to this page")).to_be_visible()
    expect(page.get_by_role("button", name="File ticket")).to_have_count(0)
