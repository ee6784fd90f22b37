"""A user changes their own name and password on /profile."""

from __future__ import annotations

from dataclasses import replace

from playwright.sync_api import expect

from tests.e2e.conftest import at_path, error_at, sign_in


def test_password_change_signs_out_other_devices_and_the_new_password_works(new_account, page_as, new_page):
    account = new_account("agent")
    other_device = page_as(account)
    page = page_as(account)
    page.get_by_role("link", name="Your profile").click()
    expect(page).to_have_url(at_path("/profile"))

    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password", exact=True).fill("a brand new secret")
    page.get_by_label("New password again").fill("a brand new secret")
    page.get_by_role("button", name="Change password").click()
    expect(error_at(page, "Current password")).to_have_text("That is not your current password.")

    page.get_by_label("Current password").fill(account.password)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Password changed.")).to_be_visible()

    other_device.goto("/tickets")
    expect(other_device).to_have_url(at_path("/login"))

    fresh = new_page()
    sign_in(fresh, replace(account, password="a brand new secret"))
    expect(fresh).to_have_url(at_path("/tickets"))


def test_renaming_shows_the_new_name_in_the_sidebar(new_account, page_as):
    page = page_as(new_account("client", name="Old Name"))
    page.goto("/profile")
    page.get_by_label("Name").fill("New Name")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("link", name="Your profile")).to_contain_text("New Name")
    page.reload()
    expect(page.get_by_label("Name")).to_have_value("New Name")
