"""Two people using the same browser tab one after the other."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import at_path, sign_in


def test_the_next_person_in_a_tab_receives_nothing_the_last_one_saw(new_page, accounts, new_account):
    page = new_page()
    sign_in(page, new_account("admin"))
    page.goto("/admin/users")
    page.get_by_role("button", name="New user").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill("Secret Hire")
    dialog.get_by_label("Email").fill("secret.hire@example.com")
    dialog.get_by_role("button", name="Create account").click()
    expect(dialog.get_by_label("Generated password")).not_to_have_text("")
    generated = dialog.get_by_label("Generated password").inner_text()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(at_path("/login"))

    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(str(payload))))
    sign_in(page, accounts["client"])
    page.goto("/admin/users")
    expect(page.get_by_text("You don't have access to this page")).to_be_visible()

    received = "".join(frames)
    assert frames, "no websocket traffic was captured"
    assert generated not in received
    assert "secret.hire@example.com" not in received
    assert accounts["agent"].email not in received
