"""The project's mail page: mailboxes, what became of each received mail, and "process again"."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import REPO_ROOT, SHOTS, TICKIT, at_path, screenshots, sign_in

FIXTURES = Path(__file__).parent.parent / "fixtures" / "mail"


def pipe(app_server, mailbox: str, raw: bytes) -> str:
    done = subprocess.run(
        [str(TICKIT), "mail", "receive", "--mailbox", mailbox],
        input=raw,
        cwd=REPO_ROOT,
        env=app_server.env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.decode()


def test_an_admin_sees_each_mailbox_and_processes_a_refused_mail_again(new_page, app_server, new_account):
    app_server.tickit("project", "create", "--key=ML", "--name=Mail Desk", "--template=it-helpdesk")
    app_server.tickit("mailbox", "add", "--project=ML", "--key=ml-desk", "--address=desk@ml.example.com")
    sender = new_account("client", project="ML", name="Dingo Sender")
    pipe(app_server, "ml-desk", (FIXTURES / "html_script.eml").read_bytes())
    app_server.tickit("user", "deactivate", sender.email)
    refused = (FIXTURES / "no_message_id.eml").read_bytes()
    refused = refused.replace(b"Alan Turing <alan@example.org>", f"Dingo <{sender.email}>".encode())
    refused = refused.replace(b"No id on this one", b"Dingo printer jammed")
    assert "refused" in pipe(app_server, "ml-desk", refused)
    app_server.tickit("user", "activate", sender.email)

    page = new_page()
    sign_in(page, app_server.admin)
    page.goto("/admin/projects")
    page.get_by_role("link", name="Mail of Mail Desk").click()
    expect(page).to_have_url(at_path("/admin/projects/ML/mail"))
    expect(page.get_by_role("heading", name="desk@ml.example.com")).to_be_visible()
    expect(page.get_by_text("POST " + app_server.url.rstrip("/") + "/inbound/email/ml-desk")).to_be_visible()
    expect(page.get_by_text("tickit mail receive --mailbox ml-desk")).to_be_visible()
    expect(page.get_by_text("New ticket ML-1.")).to_be_visible()
    expect(page.get_by_text("is a deactivated account; its mail is not taken")).to_be_visible()
    screenshots(page, "mail")

    page.get_by_role("button", name="Process again: Dingo printer jammed").click()

    expect(page.get_by_text("New ticket ML-2.", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Process again: Dingo printer jammed")).to_have_count(0)
    page.get_by_role("link", name="ML-2").click()
    expect(page).to_have_url(at_path("/tickets/ML-2"))
    expect(page.get_by_role("heading", name="Dingo printer jammed")).to_be_visible()
    original = page.get_by_role("complementary", name="Ticket details").get_by_role("link", name="Show original")
    expect(original).to_have_attribute("href", re.compile(r"^/inbound/original/[0-9]+$"))
    if SHOTS:
        page.emulate_media(color_scheme="light")
        page.screenshot(path=f"{SHOTS}/ticket-by-mail.png", full_page=True)
