"""A project admin configures their own project from their sidebar, and is refused anything else."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import add_project_member, at_path

REFUSAL = "You don't have access to this page"


def test_a_project_admin_configures_their_project_and_nothing_else(page_as, new_account, app_server):
    account = new_account("agent", name="Numbat Projectadmin")
    add_project_member(app_server, "HH", account.email, "admin")
    page = page_as(account)
    expect(page).to_have_url(at_path("/tickets"))

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Project settings").click()
    expect(page.get_by_role("heading", name="Projects", exact=True)).to_be_visible()
    expect(page.get_by_text("Help Hub", exact=True)).to_be_visible()
    expect(page.get_by_text("Operations", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="New project")).to_have_count(0)

    page.goto("/admin/projects/HH/sla")
    expect(page.get_by_role("heading", name="SLA of Help Hub")).to_be_visible()

    for elsewhere in ("/admin/projects/OP/sla", "/admin/projects/OP", "/admin/users", "/admin/audit"):
        page.goto(elsewhere)
        expect(page.get_by_role("heading", name=REFUSAL)).to_be_visible()
        expect(page.get_by_text("Operations")).to_have_count(0)


def test_an_agent_has_no_project_settings(page_as):
    page = page_as("agent")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Tickets", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Project settings")).to_have_count(0)
    page.goto("/admin/projects/HH/sla")
    expect(page.get_by_role("heading", name=REFUSAL)).to_be_visible()
