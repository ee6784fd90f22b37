"""An admin sets TickIt up: accounts, roles, deactivation, projects and their members."""

from __future__ import annotations

import email
import email.policy
import itertools
import time
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import Account, at_path, error_at, sign_in

MAIL_WAIT_SECONDS = 30
_n = itertools.count(1)


def _open_new_user_dialog(page):
    page.goto("/admin/users")
    page.get_by_role("button", name="New user").click()
    dialog = page.get_by_role("dialog", name="New user")
    expect(dialog).to_be_visible()
    return dialog


def _choose(page, combobox, option: str) -> None:
    combobox.click()
    page.get_by_role("option", name=option, exact=True).click()


def _mail_to(mail_dir: Path, address: str, *, within: float) -> email.message.EmailMessage | None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if message["To"] == address:
                return message
        time.sleep(0.5)
    return None


def _user_row(page, address: str):
    return page.get_by_role("row").filter(has_text=address)


def test_admin_creates_a_user_who_signs_in_with_the_generated_password_and_gets_a_welcome_mail(
    page_as, new_page, app_server
):
    n = next(_n)
    address, name = f"new.client{n}@example.com", f"Nora Newcomer {n}"
    page = page_as("admin")
    dialog = _open_new_user_dialog(page)

    dialog.get_by_label("Name").fill(name)
    dialog.get_by_label("Email").fill(address)
    _choose(page, dialog.get_by_label("Role"), "client")
    expect(dialog.get_by_label("Password")).to_have_value("")
    dialog.get_by_role("button", name="Create account").click()

    expect(dialog.get_by_text("it is shown only once")).to_be_visible()
    expect(dialog.get_by_label("Generated password")).not_to_have_text("")
    password = dialog.get_by_label("Generated password").inner_text().strip()
    assert len(password) >= 10
    dialog.get_by_role("button", name="Done").click()
    expect(_user_row(page, address)).to_contain_text(name)

    newcomer = new_page()
    newcomer.goto("/login")
    sign_in(newcomer, Account(email=address, password=password, name=name, role="client"))
    expect(newcomer).to_have_url(at_path("/portal"))
    expect(newcomer.get_by_role("heading", name="My tickets")).to_be_visible()

    welcome = _mail_to(app_server.mail_dir, address, within=MAIL_WAIT_SECONDS)
    assert welcome is not None, f"no welcome mail to {address} in {app_server.mail_dir} within {MAIL_WAIT_SECONDS} s"
    assert welcome["Subject"] == "Welcome to TickIt"
    body = welcome.get_body(preferencelist=("plain",)).get_content()
    assert f"{app_server.url}/login" in body
    assert password not in welcome.as_string()


def test_second_user_with_the_same_email_is_refused_at_the_email_field(page_as, new_account):
    existing = new_account("client")
    page = page_as("admin")
    dialog = _open_new_user_dialog(page)

    dialog.get_by_label("Name").fill("Someone Else")
    dialog.get_by_label("Email").fill(existing.email)
    dialog.get_by_role("button", name="Create account").click()

    expect(error_at(dialog, "Email")).to_contain_text("already exists")
    expect(dialog.get_by_label("Generated password")).to_have_count(0)
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    page.reload()
    expect(_user_row(page, existing.email)).to_have_count(1)
    expect(page.get_by_role("row").filter(has_text="Someone Else")).to_have_count(0)


def test_role_changed_in_the_table_survives_a_reload(page_as, new_account):
    person = new_account("client")
    page = page_as("admin")
    page.goto("/admin/users")
    role = page.get_by_role("combobox", name=f"Role of {person.name}")
    expect(role).to_have_text("client")

    _choose(page, role, "agent")

    expect(page.get_by_text("Role changed to agent.")).to_be_visible()
    page.reload()
    expect(page.get_by_role("combobox", name=f"Role of {person.name}")).to_have_text("agent")


def test_deactivating_a_signed_in_user_ends_their_session(page_as, new_account):
    person = new_account("client", project="HH")
    their_page = page_as(person)
    expect(their_page.get_by_role("heading", name="My tickets")).to_be_visible()
    admin = page_as("admin")
    admin.goto("/admin/users")
    row = _user_row(admin, person.email)

    row.get_by_role("button", name="Deactivate").click()
    confirm = admin.get_by_role("alertdialog", name=f"Deactivate {person.name}?")
    expect(confirm).to_contain_text("signed out everywhere at once and can no longer sign in")
    confirm.get_by_role("button", name="Deactivate account").click()

    expect(row).to_contain_text("Deactivated")
    their_page.goto("/portal")
    expect(their_page).to_have_url(at_path("/login"))
    expect(their_page.get_by_role("heading", name="My tickets")).to_have_count(0)


def test_deactivation_waits_for_the_admin_to_confirm_it(page_as, new_account):
    person = new_account("agent")
    admin = page_as("admin")
    admin.goto("/admin/users")
    row = _user_row(admin, person.email)

    row.get_by_role("button", name="Deactivate").click()
    confirm = admin.get_by_role("alertdialog", name=f"Deactivate {person.name}?")
    expect(confirm.get_by_role("button", name="Cancel")).to_be_focused()  # Enter does not deactivate
    admin.keyboard.press("Enter")

    expect(confirm).to_be_hidden()
    admin.reload()
    expect(row).to_contain_text("Active")
    page_as(person)  # still signs in


def test_making_someone_an_admin_is_confirmed_and_other_roles_are_not(page_as, new_account):
    person = new_account("agent")
    page = page_as("admin")
    page.goto("/admin/users")
    role = page.get_by_role("combobox", name=f"Role of {person.name}")

    _choose(page, role, "admin")
    confirm = page.get_by_role("alertdialog", name=f"Make {person.name} an admin?")
    expect(confirm).to_contain_text("will see and change everything")
    confirm.get_by_role("button", name="Cancel").click()
    expect(confirm).to_be_hidden()
    expect(role).to_have_text("agent")

    _choose(page, role, "admin")
    confirm.get_by_role("button", name="Make admin").click()
    expect(page.get_by_text("Role changed to admin.")).to_be_visible()
    page.reload()
    expect(page.get_by_role("combobox", name=f"Role of {person.name}")).to_have_text("admin")


def test_removing_a_member_is_confirmed_first(page_as, new_account):
    agent = new_account("agent", project="OP")
    page = page_as("admin")
    page.goto("/admin/projects")
    _project_card(page, "Operations").get_by_role("button", name="Members").click()
    dialog = page.get_by_role("dialog", name="Members of Operations")

    dialog.get_by_role("button", name=f"Remove {agent.name}").click()
    confirm = page.get_by_role("alertdialog", name=f"Remove {agent.name} from Operations?")
    expect(confirm).to_contain_text("stops working this project")
    confirm.get_by_role("button", name="Remove member").click()

    expect(dialog.get_by_text(agent.email)).to_have_count(0)


def test_admin_creates_a_project_from_a_template(page_as):
    page = page_as("admin")
    page.goto("/admin/projects")
    page.get_by_role("button", name="New project").click()
    dialog = page.get_by_role("dialog", name="New project")

    dialog.get_by_label("Name").fill("Field Service")
    dialog.get_by_label("Key").fill("FS")
    _choose(page, dialog.get_by_label("Template"), "IT helpdesk")
    dialog.get_by_role("button", name="Create project").click()

    expect(dialog).to_be_hidden()
    expect(page.get_by_role("heading", name="Field Service", exact=True)).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="Field Service", exact=True)).to_be_visible()


def test_bad_project_key_is_explained_in_the_dialog(page_as):
    page = page_as("admin")
    page.goto("/admin/projects")
    page.get_by_role("button", name="New project").click()
    dialog = page.get_by_role("dialog", name="New project")

    dialog.get_by_label("Name").fill("Lowercase Key")
    dialog.get_by_label("Key").fill("x")
    dialog.get_by_role("button", name="Create project").click()

    expect(error_at(dialog, "Key")).to_contain_text("must be 2 to 10 letters or digits")
    expect(dialog).to_be_visible()
    expect(page.get_by_role("heading", name="Lowercase Key")).to_have_count(0)


def test_admin_adds_an_agent_to_a_project_through_its_members_dialog(page_as, new_account):
    agent = new_account("agent")
    page = page_as("admin")
    page.goto("/admin/projects")
    _project_card(page, "Operations").get_by_role("button", name="Members").click()
    dialog = page.get_by_role("dialog", name="Members of Operations")

    dialog.get_by_label("Member email").fill(agent.email)
    expect(dialog.get_by_role("combobox", name="Project role")).to_have_text("agent")
    dialog.get_by_role("button", name="Add").click()

    expect(dialog.get_by_role("button", name=f"Remove {agent.name}")).to_be_visible()
    expect(dialog.get_by_text(agent.email)).to_be_visible()
    their_page = page_as(agent)
    expect(their_page.get_by_role("heading", name="Tickets", exact=True)).to_be_visible()
    their_page.goto("/tickets?view=all")  # the project's tickets, not only their own open ones
    expect(their_page.get_by_role("row").filter(has_text="Payroll server unreachable")).to_have_count(1)


def _project_card(page, name: str):
    """The innermost block holding the project's heading: its card's title bar, with the Members button."""
    return page.locator("div").filter(has=page.get_by_role("heading", name=name, exact=True)).last
