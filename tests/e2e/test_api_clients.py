"""An admin gives an app a token for a project's integration API, watches it being used, and revokes it."""

from __future__ import annotations

import itertools
import re

import httpx
from playwright.sync_api import expect

from tests.e2e.conftest import at_path, error_at

PAGE = "/admin/projects/HH/api-clients"
_key = itertools.count(1)


def _file_bug(base: str, token: str) -> httpx.Response:
    """What the integrating app does: file a Bug into HH (the software-feedback template's; severity is required)."""
    return httpx.post(
        f"{base}/integrations/v1/tickets",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"shop-order-{next(_key)}"},
        json={"type": "bug", "title": "Checkout button does nothing", "fields": {"severity": "major"}},
        timeout=15,
    )


def _cells(row) -> dict:
    """The row's cells by column: Token, Created, Last used, Requests, Status (the name is the row header)."""
    cells = row.get_by_role("cell")
    return {column: cells.nth(i) for i, column in enumerate(("Token", "Created", "Last used", "Requests", "Status"))}


def test_admin_creates_a_client_whose_token_works_until_it_is_revoked(page_as, app_server):
    admin = page_as("admin")
    admin.context.grant_permissions(["clipboard-read", "clipboard-write"])
    admin.goto("/admin/projects")
    admin.get_by_role("link", name="API clients of Help Hub").click()

    expect(admin).to_have_url(at_path(PAGE))
    expect(admin.get_by_role("heading", name="API clients of Help Hub")).to_be_visible()
    expect(admin.get_by_role("heading", name="No API clients yet")).to_be_visible()
    expect(admin.get_by_role("link", name="Read the API docs")).to_have_attribute("href", "/integrations/v1/docs")
    expect(admin.get_by_text(f"curl -X POST {app_server.url}/integrations/v1/tickets")).to_be_visible()

    admin.get_by_role("button", name="New API client").click()
    dialog = admin.get_by_role("dialog", name="New API client")
    dialog.get_by_role("button", name="Create client").click()
    expect(error_at(dialog, "Name")).to_contain_text("Give the client a name")
    dialog.get_by_label("Name").fill("Shop")
    dialog.get_by_role("button", name="Create client").click()

    expect(dialog).to_be_hidden()
    shown = admin.get_by_role("region", name="New API token of Shop")
    expect(shown).to_contain_text("It will not be shown again")
    # Written into the page by a script that comes with the event, not through the state.
    expect(shown.get_by_label("New API token")).to_have_text(re.compile(r"^tk_"))
    token = shown.get_by_label("New API token").inner_text().strip()
    assert token.startswith("tk_") and len(token) > 40, token
    shown.get_by_role("button", name="Copy token").click()
    expect(admin.get_by_text("Token copied")).to_be_visible()
    assert admin.evaluate("navigator.clipboard.readText()") == token

    row = admin.get_by_role("row").filter(has_text="Shop")
    cells = _cells(row)
    expect(cells["Token"]).to_have_text(token[:9] + "…")
    expect(cells["Last used"]).to_have_text("never")
    expect(cells["Requests"]).to_have_text("0")
    expect(cells["Status"]).to_have_text("Active")

    # A second active client of the same name is refused at the field, keeping what was typed.
    admin.get_by_role("button", name="New API client").click()
    dialog.get_by_label("Name").fill("Shop")
    dialog.get_by_role("button", name="Create client").click()
    expect(error_at(dialog, "Name")).to_contain_text("already has an active client named")
    expect(dialog.get_by_label("Name")).to_have_value("Shop")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()

    created = _file_bug(app_server.url, token)
    assert created.status_code == 201, created.text
    assert created.json()["number"].startswith("HH-")

    # The token is shown once: whatever reaches the browser after a reload no longer holds it.
    received: list[str] = []
    admin.on("websocket", lambda ws: ws.on("framereceived", lambda frame: received.append(str(frame))))
    admin.reload()
    expect(cells["Requests"]).to_have_text("1")
    expect(cells["Last used"]).to_have_text(re.compile(r"just now|min ago"))
    expect(shown).to_have_count(0)
    assert received, "no websocket messages seen after the reload"
    assert token not in admin.content()
    assert not [frame for frame in received if token in frame]

    row.get_by_role("button", name="Revoke Shop").click()
    confirm = admin.get_by_role("alertdialog", name="Revoke Shop?")
    expect(confirm).to_contain_text("stops working at once")
    confirm.get_by_role("button", name="Revoke client").click()

    expect(admin.get_by_text("Shop revoked: its token no longer works.")).to_be_visible()
    expect(cells["Status"]).to_have_text(re.compile(r"^Revoked \d{1,2} \w{3} \d{4}$"))
    expect(row.get_by_role("button", name="Revoke Shop")).to_have_count(0)
    refused = _file_bug(app_server.url, token)
    assert refused.status_code == 401, refused.text

    admin.reload()
    expect(cells["Status"]).to_contain_text("Revoked")
    expect(cells["Requests"]).to_have_text("1")
    assert token not in admin.content()


def test_a_revoke_cancelled_in_its_confirmation_leaves_the_client_working(page_as, app_server):
    admin = page_as("admin")
    admin.goto(PAGE)
    admin.get_by_role("button", name="New API client").click()
    dialog = admin.get_by_role("dialog", name="New API client")
    dialog.get_by_label("Name").fill("Warehouse")
    dialog.get_by_role("button", name="Create client").click()
    token = admin.get_by_role("region", name="New API token of Warehouse").get_by_label("New API token").inner_text()
    row = admin.get_by_role("row").filter(has_text="Warehouse")

    row.get_by_role("button", name="Revoke Warehouse").click()
    confirm = admin.get_by_role("alertdialog", name="Revoke Warehouse?")
    expect(confirm).to_contain_text("This cannot be undone")
    confirm.get_by_role("button", name="Cancel").click()

    expect(confirm).to_be_hidden()
    admin.reload()
    expect(_cells(row)["Status"]).to_have_text("Active")
    assert _file_bug(app_server.url, token.strip()).status_code == 201


def test_done_puts_the_shown_token_away(page_as):
    admin = page_as("admin")
    admin.goto(PAGE)
    admin.get_by_role("button", name="New API client").click()
    dialog = admin.get_by_role("dialog", name="New API client")
    dialog.get_by_label("Name").fill("Nightly import")
    dialog.get_by_role("button", name="Create client").click()
    shown = admin.get_by_role("region", name="New API token of Nightly import")
    token = shown.get_by_label("New API token").inner_text().strip()
    assert token.startswith("tk_")

    shown.get_by_role("button", name="Done").click()

    expect(shown).to_have_count(0)
    expect(admin.get_by_role("row").filter(has_text="Nightly import")).to_contain_text("Active")
    assert token not in admin.content()


def test_an_agent_gets_the_not_allowed_page(page_as):
    agent = page_as("agent")
    agent.goto(PAGE)

    expect(agent.get_by_role("heading", name="You don't have access to this page")).to_be_visible()
    expect(agent.get_by_role("heading", name="API clients of Help Hub")).to_have_count(0)
    expect(agent.get_by_role("button", name="New API client")).to_have_count(0)
