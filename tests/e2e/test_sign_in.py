"""Signing in and out through the real form, and the session cookie it leaves."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import at_path, sign_in


def _submit_sign_in(page, email: str, password: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    # The form posts over HTTP and comes back as a fresh /login page.
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def test_wrong_password_is_refused_and_keeps_the_email(new_page, accounts):
    page = new_page()
    page.goto("/login")
    _submit_sign_in(page, accounts["agent"].email, "not the password")

    expect(page.get_by_role("alert")).to_have_text("Email or password is incorrect.")
    expect(page.get_by_label("Email")).to_have_value(accounts["agent"].email)
    assert "/login" in page.url


def test_unknown_email_gets_the_same_message_as_a_wrong_password(new_page):
    page = new_page()
    page.goto("/login")
    _submit_sign_in(page, "nobody.here@tickit.test", "whatever it is")

    expect(page.get_by_role("alert")).to_have_text("Email or password is incorrect.")


def test_session_cookie_is_http_only_and_same_site_lax(page_as):
    page = page_as("client")

    cookies = {c["name"]: c for c in page.context.cookies()}
    assert "tickit_session" in cookies, f"no session cookie among {sorted(cookies)}"
    session = cookies["tickit_session"]
    assert session["httpOnly"] is True
    assert session["sameSite"] == "Lax"
    assert page.evaluate("document.cookie").find("tickit_session") == -1


def test_sign_out_ends_the_session(page_as):
    page = page_as("agent")
    expect(page.get_by_role("heading", name="Tickets", exact=True)).to_be_visible()

    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(at_path("/login"))
    expect(page.get_by_text("You have been signed out.")).to_be_visible()
    page.goto("/tickets")
    expect(page).to_have_url(at_path("/login"))
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_role("heading", name="Tickets", exact=True)).to_have_count(0)


def test_deactivated_user_cannot_sign_in(new_page, new_account, app_server):
    account = new_account("client")
    app_server.tickit("user", "deactivate", account.email)
    page = new_page()
    page.goto("/login")

    _submit_sign_in(page, account.email, account.password)

    expect(page.get_by_role("alert")).to_contain_text("This account has been deactivated")
    assert "/login" in page.url


def test_a_held_back_attempt_is_told_how_long_to_wait(new_page):
    # Reached after too many failures from this address (tests/security/test_sign_in_throttling.py);
    # the delays themselves are seconds, too short to meet reliably from a browser.
    page = new_page()
    page.goto("/login?error=rate&retry=30")

    expect(page.get_by_role("alert")).to_have_text("Too many failed sign-in attempts; try again in 30 seconds.")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_the_right_password_signs_in(new_page, accounts):
    page = new_page()
    page.goto("/login")
    sign_in(page, accounts["client"])

    expect(page.get_by_role("heading", name="My tickets")).to_be_visible()
