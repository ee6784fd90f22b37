"""Each role lands in its own part of TickIt, sees its own navigation, and is refused the others."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import at_path, sign_in

REFUSAL = "You don't have access to this page"


@pytest.mark.parametrize(
    ("role", "home", "heading", "links", "absent_links"),
    [
        ("admin", "/admin", "Overview", ["Tickets", "New ticket", "Overview", "Users", "Projects"], ["My tickets"]),
        ("agent", "/tickets", "Tickets", ["Tickets", "New ticket"], ["Users", "Projects", "Overview", "My tickets"]),
        ("client", "/portal", "My tickets", ["My tickets", "New ticket"], ["Users", "Projects", "Tickets"]),
    ],
)
def test_each_role_signs_in_to_its_own_home_and_navigation(page_as, role, home, heading, links, absent_links):
    page = page_as(role)

    expect(page).to_have_url(at_path(home))
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    navigation = page.get_by_role("navigation", name="Main")
    for name in links:
        expect(navigation.get_by_role("link", name=name, exact=True)).to_be_visible()
    for name in absent_links:
        expect(navigation.get_by_role("link", name=name, exact=True)).to_have_count(0)


@pytest.mark.parametrize("path", ["/admin", "/admin/users", "/tickets", "/tickets/new"])
def test_client_is_refused_staff_pages_and_shown_no_one_elses_data(page_as, accounts, seed, path):
    page = page_as("client")

    page.goto(path)

    expect(page.get_by_role("heading", name=REFUSAL)).to_be_visible()
    html = page.content()
    for someone_else in (accounts["agent"], accounts["admin"], seed.outsider):
        assert someone_else.email not in html
        assert someone_else.name not in html
    assert seed.outsider_ticket not in html
    expect(page.get_by_role("link", name="Go to your start page")).to_be_visible()


@pytest.mark.parametrize("path", ["/admin/users", "/portal", "/portal/new"])
def test_agent_is_refused_user_administration_and_the_portal(page_as, accounts, seed, path):
    page = page_as("agent")

    page.goto(path)

    expect(page.get_by_role("heading", name=REFUSAL)).to_be_visible()
    html = page.content()
    for someone_else in (accounts["admin"], accounts["client"], seed.outsider):
        assert someone_else.email not in html


def test_admin_is_refused_the_portal(page_as):
    page = page_as("admin")

    page.goto("/portal")

    expect(page.get_by_role("heading", name=REFUSAL)).to_be_visible()
    expect(page.get_by_role("heading", name="My tickets")).to_have_count(0)


def test_agent_sees_the_tickets_of_their_projects_and_no_others(page_as, seed):
    page = page_as("agent")
    page.goto("/tickets?view=all")

    expect(page.get_by_role("row").filter(has_text=seed.client_ticket)).to_contain_text("HH-")
    expect(page.get_by_text(seed.outsider_ticket)).to_have_count(0)


def test_signed_out_visitor_is_sent_to_sign_in_and_then_back(new_page, accounts):
    page = new_page()

    page.goto("/tickets")

    expect(page).to_have_url(at_path("/login"))
    next_path = parse_qs(urlsplit(page.url).query).get("next", [""])[0]
    assert next_path.rstrip("/") == "/tickets"
    sign_in(page, accounts["agent"])
    expect(page).to_have_url(at_path("/tickets"))
    expect(page.get_by_role("heading", name="Tickets", exact=True)).to_be_visible()
