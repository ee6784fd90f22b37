"""People run their accounts alone: a forgotten password is reset from a mailed link; an invitee joins."""

from __future__ import annotations

import email
import email.policy
import itertools
import re
import time
from pathlib import Path

import httpx
from playwright.sync_api import expect

from tests.e2e.conftest import Account, add_project_member, at_path, screenshots, sign_in

MAIL_WAIT_SECONDS = 30
NEW_PASSWORD = "lamp orbit velvet crumble"
_n = itertools.count(1)


def _mail(mail_dir: Path, address: str, subject: str) -> email.message.EmailMessage:
    """The mail the app wrote to `address` with `subject`, waiting for the outbox to deliver it."""
    deadline = time.monotonic() + MAIL_WAIT_SECONDS
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if message["To"] == address and message["Subject"] == subject:
                return message
        time.sleep(0.5)
    raise AssertionError(f"no mail {subject!r} to {address} in {mail_dir} within {MAIL_WAIT_SECONDS} s")


def _link(message: email.message.EmailMessage, path: str) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    found = re.search(rf"https?://\S+{re.escape(path)}\S+", text)
    assert found, text
    return found.group(0)


def test_a_forgotten_password_is_reset_from_the_mailed_link_and_every_other_session_ends(
    new_account, new_page, page_as, app_server
):
    account = new_account("agent", project="HH")
    elsewhere = page_as(account)  # signed in on another device
    expect(elsewhere).to_have_url(at_path("/tickets"))

    page = new_page()
    page.goto("/login")
    page.get_by_role("link", name="Forgot password?").click()
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    page.get_by_label("Email").fill(account.email)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("status")).to_contain_text("If an account exists for that address")

    link = _link(_mail(app_server.mail_dir, account.email, "Reset your TickIt password"), "/auth/reset-password/")
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill("password1234")
    page.get_by_label("New password again").fill("password1234")
    page.get_by_role("button", name="Save and sign in").click()
    expect(page.get_by_text("leaked from other sites")).to_be_visible()
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save and sign in").click()
    expect(page).to_have_url(at_path("/tickets"))

    changed = _mail(app_server.mail_dir, account.email, "Your TickIt password was changed")
    assert "signed out" in changed.get_body(preferencelist=("plain",)).get_content()
    elsewhere.goto("/tickets")
    expect(elsewhere).to_have_url(at_path("/login"))
    sign_in(elsewhere, Account(account.email, NEW_PASSWORD, account.name, account.role))
    expect(elsewhere).to_have_url(at_path("/tickets"))

    again = new_page()
    again.goto(link)
    expect(again.get_by_role("heading", name="This link no longer works")).to_be_visible()


def test_an_admin_mails_a_reset_link_from_the_users_page(new_account, page_as, app_server):
    account = new_account("client", name=f"Resettable Rhea {next(_n)}")
    page = page_as("admin")
    page.goto("/admin/users")
    row = page.get_by_role("row").filter(has_text=account.email)
    row.get_by_role("button", name="Send reset link").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Send link").click()
    expect(page.get_by_text(f"A password reset link is on its way to {account.email}")).to_be_visible()
    assert _link(_mail(app_server.mail_dir, account.email, "Reset your TickIt password"), "/auth/reset-password/")


def test_an_invited_agent_chooses_a_name_and_password_and_lands_in_their_tree(page_as, new_page, app_server):
    address = f"invited.agent{next(_n)}@example.com"
    admin = page_as("admin")
    admin.goto("/admin/users")
    admin.get_by_role("button", name="Invite", exact=True).click()
    dialog = admin.get_by_role("dialog", name="Invite someone")
    dialog.get_by_label("Email").fill(address)
    dialog.get_by_label("Role").click()
    admin.get_by_role("option", name="agent", exact=True).click()
    dialog.get_by_role("checkbox", name="Help Hub").click()
    dialog.get_by_role("button", name="Send invitation").click()
    expect(admin.get_by_text(f"Invitation sent to {address}")).to_be_visible()
    pending = admin.get_by_role("row").filter(has_text=address)
    expect(pending).to_contain_text("Help Hub")

    invitation = _mail(app_server.mail_dir, address, f"{app_server.admin.name} invited you to TickIt")
    link = _link(invitation, "/auth/invitation/")
    invitee = new_page()
    invitee.goto(link)
    expect(invitee.get_by_role("heading", name="Join TickIt")).to_be_visible()
    expect(invitee.get_by_text(f"invited {address} as agent in Help Hub")).to_be_visible()
    invitee.get_by_label("Your name").fill("Ines Invited")
    invitee.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    invitee.get_by_label("New password again").fill(NEW_PASSWORD)
    invitee.get_by_role("button", name="Create my account").click()
    expect(invitee).to_have_url(at_path("/tickets"))
    expect(invitee.get_by_text("Ines Invited").first).to_be_visible()

    # After a reload the tab shows its last lists until the page's loads answer, users first: the new
    # person's row comes with the fresh list, and the used invitation then leaves the pending one.
    admin.reload()
    expect(admin.get_by_role("row").filter(has_text="Ines Invited")).to_contain_text(address)
    expect(admin.get_by_role("button", name=f"Revoke the invitation of {address}")).to_have_count(0)


def test_signing_out_another_browser_from_the_profile_ends_its_session(new_account, page_as):
    account = new_account("client", project="HH")
    laptop = page_as(account)
    phone = page_as(account)
    laptop.goto("/profile")
    sessions = laptop.get_by_role("list", name="Your sessions")
    expect(sessions.get_by_role("listitem")).to_have_count(2)
    expect(sessions.get_by_role("listitem").first).to_contain_text("This browser")
    sessions.get_by_role("button", name=re.compile("^Sign out ")).click()
    expect(laptop.get_by_text("That session is signed out.")).to_be_visible()
    expect(sessions.get_by_role("listitem")).to_have_count(1)
    phone.goto("/portal")
    expect(phone).to_have_url(at_path("/login"))
    laptop.goto("/portal")
    expect(laptop).to_have_url(at_path("/portal"))


def test_a_requester_signs_in_with_a_mailed_one_time_link(new_account, new_page, app_server):
    account = new_account("client", project="HH", name=f"Linked Lorikeet {next(_n)}")
    page = new_page()
    page.goto("/login")
    page.get_by_role("link", name="Email me a sign-in link").click()
    expect(page.get_by_role("heading", name="Sign in with a link")).to_be_visible()
    page.get_by_label("Email").fill(account.email)
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.get_by_role("status")).to_contain_text("If that address belongs to a requester's account")
    screenshots(page, "sign-in-link")

    link = _link(_mail(app_server.mail_dir, account.email, "Your TickIt sign-in link"), "/auth/sign-in-link/")
    page.goto(link)
    expect(page.get_by_text(f"As {account.email}.")).to_be_visible()
    screenshots(page, "sign-in-with-link")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(at_path("/portal"))

    again = new_page()
    again.goto(link)
    expect(again.get_by_role("heading", name="This link no longer works")).to_be_visible()


def test_a_client_signs_up_confirms_the_address_and_lands_in_the_portal(page_as, new_page, app_server):
    admin = page_as("admin")
    admin.goto("/admin/projects/HH/intake")
    admin.get_by_label("Clients may create their own account").click()
    expect(admin.get_by_label("Only these email domains")).to_be_visible()
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_text("Intake settings saved.")).to_be_visible()
    screenshots(admin, "intake-sign-up")

    address = f"quokka.signup{next(_n)}@example.com"
    page = new_page()
    page.goto("/login")
    screenshots(page, "login")
    page.get_by_role("link", name="Create an account").click()
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    if page.get_by_label("Project").count():
        page.get_by_label("Project").select_option(label="Help Hub")
    page.get_by_label("Email").fill(address)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("status")).to_contain_text(f"We sent a link to {address}")
    screenshots(page, "sign-up")

    # Not confirmed yet: there is no account to sign in to.
    page.goto("/login")
    page.get_by_label("Email").fill(address)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Email or password is incorrect.")).to_be_visible()

    mail = _mail(app_server.mail_dir, address, "Confirm your address to finish signing up to TickIt")
    link = _link(mail, "/auth/sign-up/")
    page.goto(link)
    expect(page.get_by_role("heading", name="Finish signing up")).to_be_visible()
    expect(page.get_by_text(f"For {address}, in Help Hub.")).to_be_visible()
    screenshots(page, "sign-up-confirm")
    page.get_by_label("Your name").fill("Quentin Dugong")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page).to_have_url(at_path("/portal"))

    admin = page_as("admin")
    admin.goto("/admin/projects/HH/intake")
    expect(admin.get_by_label("Only these email domains")).to_be_visible()
    admin.get_by_label("Clients may create their own account").click()
    expect(admin.get_by_label("Only these email domains")).to_be_hidden()
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_text("Intake settings saved.")).to_be_visible()
    admin.goto("/admin/audit")
    signed_up = admin.get_by_role("row").filter(has_text="user.signed_up").filter(has_text=address)
    expect(signed_up).to_contain_text("Quentin Dugong")
    expect(admin.get_by_role("row").filter(has_text="intake.edited").first).to_contain_text("self signup: true → false")
    screenshots(admin, "audit")


def test_an_invitee_continues_with_the_google_account_of_the_invited_address(page_as, new_page, app_server):
    address = f"google.invitee{next(_n)}@example.com"
    admin = page_as("admin")
    admin.goto("/admin/users")
    admin.get_by_role("button", name="Invite", exact=True).click()
    dialog = admin.get_by_role("dialog", name="Invite someone")
    dialog.get_by_label("Email").fill(address)
    dialog.get_by_role("checkbox", name="Help Hub").click()
    dialog.get_by_role("button", name="Send invitation").click()
    expect(admin.get_by_text(f"Invitation sent to {address}")).to_be_visible()
    link = _link(_mail(app_server.mail_dir, address, f"{app_server.admin.name} invited you to TickIt"), "/invitation/")

    provider = app_server.env["GOOGLE_DISCOVERY_URL"].removesuffix("/.well-known/openid-configuration")
    for subject, google_address in (("g-wombat-other", "someone.else@example.com"), ("g-wombat", address)):
        httpx.put(
            f"{provider}/users/{subject}",
            json={"email": google_address, "email_verified": True, "name": "Wanda Wombat"},
            timeout=10,
        ).raise_for_status()
    invitee = new_page()
    invitee.goto(link)
    screenshots(invitee, "invitation")
    invitee.get_by_role("link", name=f"Continue with Google as {address}").click()
    invitee.locator("input[name=sub]").first.fill("g-wombat-other")
    invitee.get_by_role("button", name="Authorize").click()
    expect(invitee.get_by_role("alert")).to_contain_text("That Google account has another address")

    invitee.get_by_role("link", name=f"Continue with Google as {address}").click()
    invitee.locator("input[name=sub]").first.fill("g-wombat")
    invitee.get_by_role("button", name="Authorize").click()
    expect(invitee).to_have_url(at_path("/portal"))
    expect(invitee.get_by_role("link", name="Your profile")).to_contain_text("Wanda Wombat")


def test_a_project_admin_invites_a_new_project_admin_from_the_members_dialog(
    page_as, new_page, new_account, app_server
):
    lead = new_account("agent", name="Tess Tuatara")
    add_project_member(app_server, "HH", lead.email, "admin")
    address = f"tuatara.newcomer{next(_n)}@example.com"
    page = page_as(lead)
    page.goto("/admin/projects")
    page.get_by_role("button", name="Members of Help Hub").click()
    dialog = page.get_by_role("dialog", name="Members of Help Hub")
    dialog.get_by_label("Member email").fill(address)
    dialog.get_by_role("combobox", name="Project role").click()
    page.get_by_role("option", name="admin").click()
    dialog.get_by_role("button", name="Invite", exact=True).click()
    expect(page.get_by_text(f"Invitation sent to {address}")).to_be_visible()
    expect(dialog.get_by_text(address)).to_be_visible()
    expect(dialog.get_by_role("button", name=f"Revoke the invitation of {address}")).to_be_visible()
    screenshots(page, "members-invited")

    link = _link(_mail(app_server.mail_dir, address, "Tess Tuatara invited you to TickIt"), "/auth/invitation/")
    invitee = new_page()
    invitee.goto(link)
    invitee.get_by_label("Your name").fill("Nell Newcomer")
    invitee.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    invitee.get_by_label("New password again").fill(NEW_PASSWORD)
    invitee.get_by_role("button", name="Create my account").click()
    expect(invitee).to_have_url(at_path("/tickets"))
    # They joined Help Hub as its admin: its settings are theirs.
    invitee.get_by_role("navigation", name="Main").get_by_role("link", name="Project settings").click()
    expect(invitee.get_by_text("Help Hub", exact=True)).to_be_visible()
