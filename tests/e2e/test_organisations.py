"""Customer organisations: an admin sets one up; its manager follows a colleague's request; staff filter by it."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, Account, _file_ticket_directly, add_project_member, at_path, sign_in

ORGANISATION = "Galah Holdings"
DOMAIN = "galah-holdings.com"
TITLE = "Galah badge reader rejects every card"


def _create_client(app_server, email: str, name: str) -> Account:
    account = Account(email=email, password=PASSWORD, name=name, role="client")
    app_server.tickit("user", "create", f"--email={email}", f"--name={name}", "--role=client", f"--password={PASSWORD}")
    add_project_member(app_server, "HH", email, "client")
    return account


def _save_organisation(page, *, name: str, domains: str = "", managers: str = "") -> None:
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill(name)
    dialog.get_by_label("Email domains").fill(domains)
    dialog.get_by_label("Managers").fill(managers)
    dialog.get_by_role("button", name="Save organisation").click()
    expect(dialog).to_have_count(0)


def test_a_manager_follows_a_colleagues_request_and_staff_filter_by_organisation(page_as, new_page, app_server):
    admin = page_as("admin")
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Organisations").click()
    expect(admin.get_by_role("heading", name="Organisations", exact=True)).to_be_visible()
    admin.get_by_role("button", name="New organisation").click()
    _save_organisation(admin, name=ORGANISATION, domains=DOMAIN)
    expect(admin.get_by_role("heading", name=ORGANISATION)).to_be_visible()

    # Both join by their address's domain as their accounts are created.
    reporter = _create_client(app_server, f"rita@{DOMAIN}", "Rita Galah")
    manager = _create_client(app_server, f"max@{DOMAIN}", "Max Galah")
    _file_ticket_directly(app_server, reporter.email, "HH", TITLE)

    admin.reload()
    admin.get_by_role("button", name=f"Edit {ORGANISATION}").click()
    _save_organisation(admin, name=ORGANISATION, domains=DOMAIN, managers=manager.email)
    expect(admin.get_by_text(manager.email)).to_be_visible()
    expect(admin.get_by_text("2 members")).to_be_visible()

    page = new_page()
    sign_in(page, manager)
    expect(page).to_have_url(at_path("/portal"))
    expect(page.get_by_text("No tickets yet")).to_be_visible()
    page.get_by_role("tab", name="My organisation's requests").click()
    row = page.get_by_role("row").filter(has_text=TITLE)
    expect(row).to_contain_text("Rita Galah")
    row.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()

    # The reporter's organisation does not share: she reads her own requests only, with no switch.
    colleague = new_page()
    sign_in(colleague, reporter)
    expect(colleague.get_by_role("link", name=TITLE).first).to_be_visible()
    expect(colleague.get_by_role("tab", name="My organisation's requests")).to_have_count(0)

    agent = page_as("agent")
    agent.goto("/tickets?view=all")
    agent.get_by_role("combobox", name="Organisation").click()
    agent.get_by_role("option", name=ORGANISATION).click()
    expect(agent).to_have_url(at_path("/tickets"))
    expect(agent.get_by_role("row")).to_have_count(2)  # the header and the one Galah ticket
    agent.get_by_role("link", name=TITLE).first.click()
    expect(agent.get_by_role("heading", name=TITLE)).to_be_visible()
    details = agent.get_by_text("Organisation", exact=True).locator("xpath=..")
    expect(details).to_contain_text(ORGANISATION)
