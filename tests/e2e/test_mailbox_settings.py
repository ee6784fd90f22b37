"""Setting up a mailbox on the project's mail page: add it with IMAP, check the connection, edit, disable."""

from __future__ import annotations

import re
import shutil
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SHOTS, screenshots, sign_in
from tests.imap_server import DovecotServer, available

PASSWORD = "potoroo-burrow-imap"
LOGGED_IN = "Connection check: Logged in to {host} as potoroo; INBOX holds 0 messages."

pytestmark = pytest.mark.skipif(not available(), reason="Dovecot is not installed (scripts/test installs it)")


@pytest.fixture
def imap(app_server):
    server = DovecotServer({"potoroo": PASSWORD})
    server.start()
    # The app trusts this file's certificates for IMAP (TICKIT_IMAP_CA_FILE in the test server's settings).
    shutil.copy(server.certificate, app_server.data_dir / "imap-ca.pem")
    yield server
    server.stop()


def post_mail(app_server, mailbox: str, secret: str) -> None:
    """Post a mail to the mailbox's HTTP endpoint as a relay would, with the secret the page showed."""
    raw = (
        b"From: Potoroo Keeper <keeper@qk.example.org>\r\nTo: burrow@qk.example.com\r\n"
        b"Subject: Potoroo feeder jammed\r\nMessage-ID: <feeder-1@qk.example.org>\r\n\r\nIt is stuck again.\r\n"
    )
    request = urllib.request.Request(
        f"{app_server.url.rstrip('/')}/inbound/email/{mailbox}",
        data=raw,
        headers={"Content-Type": "message/rfc822", "Authorization": f"Bearer {secret}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        assert answer.status == 200, answer.read()


def checked(page):
    """What the last connection check said, in the mailbox's card."""
    return page.get_by_role("status").filter(has_text="potoroo")


def test_an_admin_adds_an_imap_mailbox_checks_it_edits_it_and_disables_it(new_page, app_server, imap):
    app_server.tickit("project", "create", "--key=QK", "--name=Potoroo Desk", "--template=it-helpdesk")
    page = new_page()
    sign_in(page, app_server.admin)
    page.goto("/admin/projects/QK/mail")
    expect(page.get_by_role("heading", name="No mailboxes yet")).to_be_visible()
    screenshots(page, "mail-empty")

    page.get_by_role("button", name="Add mailbox").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Key", exact=True).fill("qk-desk")
    dialog.get_by_label("Address", exact=True).fill("burrow@qk.example.com")
    dialog.get_by_role("switch", name="Fetch mail over IMAP").click()
    dialog.get_by_role("switch", name="TLS").click()
    expect(dialog.get_by_label("Port", exact=True)).to_have_value("143")
    dialog.get_by_role("switch", name="TLS").click()
    expect(dialog.get_by_label("Port", exact=True)).to_have_value("993")
    dialog.get_by_label("IMAP server", exact=True).fill(imap.host)
    dialog.get_by_label("Port", exact=True).fill(str(imap.port))
    dialog.get_by_label("User name", exact=True).fill("potoroo")
    dialog.get_by_label("Password", exact=True).fill("not-the-potoroo-password")
    dialog.get_by_label("Move processed mail to", exact=True).fill("INBOX")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/mail-add-dialog.png")
    dialog.get_by_role("button", name="Add mailbox").click()
    expect(dialog.get_by_text("Move processed mail to another folder than the one read")).to_be_visible()
    dialog.get_by_label("Move processed mail to", exact=True).fill("")
    dialog.get_by_role("button", name="Add mailbox").click()

    expect(page.get_by_role("dialog")).to_have_count(0)
    secret = page.get_by_role("region", name="New HTTP secret").get_by_label("HTTP secret", exact=True)
    expect(secret).to_have_text(re.compile(r"^\S{40,}$"))
    expect(page.get_by_role("heading", name="burrow@qk.example.com")).to_be_visible()
    screenshots(page, "mail-secret")
    post_mail(app_server, "qk-desk", secret.text_content())
    page.get_by_role("button", name="Done").click()
    expect(page.get_by_role("region", name="New HTTP secret")).to_have_count(0)

    check = page.get_by_role("button", name="Check the IMAP connection of burrow@qk.example.com")
    check.click()
    expect(checked(page)).to_contain_text("refused the user name or password of potoroo")
    screenshots(page, "mail-check-failed")

    page.get_by_role("button", name="Edit burrow@qk.example.com").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("IMAP server", exact=True)).to_have_value(imap.host)
    expect(dialog.get_by_label("Password", exact=True)).to_have_value("")
    expect(dialog.get_by_text("The stored password stays unless you type a new one.")).to_be_visible()
    screenshots(page, "mail-edit-dialog")
    dialog.get_by_label("Password", exact=True).fill(PASSWORD)
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    check.click()
    expect(checked(page)).to_have_text(LOGGED_IN.format(host=imap.host))

    # Another edit that leaves the password empty keeps the one just saved.
    page.get_by_role("button", name="Edit burrow@qk.example.com").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Move processed mail to", exact=True).fill("Processed")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_text("moved to Processed")).to_be_visible()
    check.click()
    expect(checked(page)).to_have_text(LOGGED_IN.format(host=imap.host))
    screenshots(page, "mail-checked")

    # The mail posted with the secret is on the page now, and the mailbox it came through stays.
    page.reload()
    expect(page.get_by_text("Potoroo feeder jammed")).to_be_visible()
    page.get_by_role("button", name="Remove burrow@qk.example.com").click()
    kept = page.get_by_role("alertdialog")
    expect(kept).to_contain_text("has received one mail")
    expect(kept).to_contain_text("Disable it instead")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/mail-remove-refused.png")
    kept.get_by_role("button", name="Close").click()

    page.get_by_role("switch", name="Take mail for burrow@qk.example.com").click()
    expect(page.get_by_text("Disabled", exact=True)).to_be_visible()
    expect(page.get_by_text("Not polled; the pipe and the HTTP endpoint answer")).to_be_visible()
    screenshots(page, "mail-disabled")
    page.reload()
    expect(page.get_by_role("switch", name="Take mail for burrow@qk.example.com")).not_to_be_checked()
