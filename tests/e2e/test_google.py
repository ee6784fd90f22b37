"""Signing in with Google from the sign-in page, through a real (local) OpenID provider."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from tests.e2e.conftest import at_path


def test_continue_with_google_signs_a_new_person_in_as_a_client(new_page, google_provider):
    httpx.put(
        f"{google_provider}/users/g-browser-1",
        json={"email": "grace.google@example.com", "email_verified": True, "name": "Grace Google"},
        timeout=10,
    ).raise_for_status()
    page = new_page()
    page.goto("/login")
    page.get_by_role("link", name="Continue with Google").click()

    # The provider's consent page: sign in as the subject it knows.
    page.locator("input[name=sub]").first.fill("g-browser-1")
    page.get_by_role("button", name="Authorize").click()

    expect(page).to_have_url(at_path("/portal"))
    expect(page.get_by_role("heading", name="My tickets")).to_be_visible()
    expect(page.get_by_role("link", name="Your profile")).to_contain_text("Grace Google")
