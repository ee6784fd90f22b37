"""Agents work faster: bulk actions on the list, tags on a ticket, and the keyboard from list to reply."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import _python, at_path


def _file(app_server, seed, *titles: str) -> None:
    _python(
        app_server,
        "from tests.factories import file_ticket\n"
        "from tickit.services import users\n"
        "from tickit.services.actors import UserPublic\n"
        "with session_scope() as s:\n"
        f"    client = UserPublic.of(users.find_by_email(s, {seed.client.email!r}))\n"
        f"    for title in {list(titles)!r}:\n"
        "        file_ticket(s, client, 'HH', title)\n",
    )


def _rows(page, word: str):
    return page.get_by_role("row").filter(has_text=word)


def test_agent_assigns_three_tickets_at_once_with_a_click_and_a_shift_click(page_as, seed, app_server):
    _file(app_server, seed, "Pangolin login fails", "Pangolin export slow", "Pangolin avatar blurry")
    page = page_as("agent")
    page.goto("/tickets?q=pangolin&sort=number&dir=asc")
    expect(_rows(page, "Pangolin")).to_have_count(3)

    rows = _rows(page, "Pangolin")
    rows.nth(0).get_by_role("checkbox").click()
    rows.nth(2).get_by_role("checkbox").click(modifiers=["Shift"])
    bar = page.get_by_role("toolbar", name="Bulk actions")
    expect(bar).to_contain_text("3 selected")

    bar.get_by_role("button", name="Assign").click()
    page.get_by_role("menuitem", name="Me", exact=True).click()
    summary = page.get_by_label("Bulk action summary")
    expect(summary).to_contain_text("Assigned 3 tickets.")
    for i in range(3):
        expect(rows.nth(i)).to_contain_text(seed.agent.name)
    expect(bar).to_have_count(0)  # the selection is done with

    # Assigning them again changes nothing, and says so instead of logging three more entries.
    page.get_by_role("checkbox", name="Select all on this page").click()
    page.get_by_role("toolbar", name="Bulk actions").get_by_role("button", name="Assign").click()
    page.get_by_role("menuitem", name="Me", exact=True).click()
    expect(summary).to_contain_text("Assigned 0 tickets. 3 already were so.")


def test_a_bulk_status_move_applies_where_legal_and_reports_the_rest(page_as, seed, app_server):
    _file(app_server, seed, "Aardvark crash on start", "Aardvark typo in footer")
    page = page_as("agent")
    page.goto("/tickets?q=aardvark&sort=number&dir=asc")
    expect(_rows(page, "Aardvark")).to_have_count(2)
    page.get_by_role("checkbox", name="Select all on this page").click()
    page.get_by_role("toolbar", name="Bulk actions").get_by_role("button", name="Status").click()
    page.get_by_role("menuitem", name="In progress").click()  # New → In progress is not a move
    summary = page.get_by_label("Bulk action summary")
    expect(summary).to_contain_text("Moved 0 tickets. 2 did not apply:")
    expect(summary).to_contain_text(re.compile(r"cannot move from New to In progress"))


def test_agent_tags_a_ticket_with_autocomplete_and_filters_the_list_by_the_tag(page_as, seed, app_server):
    _file(app_server, seed, "Echidna billing mismatch", "Echidna refund late")
    page = page_as("agent")
    page.goto("/tickets?q=echidna&sort=number&dir=asc")
    expect(_rows(page, "Echidna")).to_have_count(2)
    _rows(page, "Echidna billing").get_by_role("link", name="Echidna billing mismatch").click()
    expect(page.get_by_role("heading", name="Echidna billing mismatch")).to_be_visible()
    tag_input = page.get_by_label("Add a tag")
    tag_input.fill("Echidna Billing")
    tag_input.press("Enter")
    expect(page.get_by_role("button", name="Remove tag echidna-billing")).to_be_visible()
    expect(page.get_by_label("Ticket details")).to_contain_text("echidna-billing")
    expect(page.get_by_text("tagged it echidna-billing")).to_be_visible()

    # The second ticket is offered the project's tag as it is typed.
    page.goto("/tickets?q=echidna&sort=number&dir=asc")
    expect(_rows(page, "Echidna")).to_have_count(2)
    _rows(page, "Echidna refund").get_by_role("link", name="Echidna refund late").click()
    expect(page.get_by_role("heading", name="Echidna refund late")).to_be_visible()
    expect(page.get_by_role("button", name="Remove tag echidna-billing")).to_have_count(0)
    expect(page.get_by_label("Ticket details")).to_contain_text(seed.client.name)  # the page has loaded
    page.get_by_label("Add a tag").click()
    page.get_by_label("Add a tag").press_sequentially("echid", delay=50)
    expect(page.get_by_label("Add a tag")).to_have_value("echid")
    expect(page.locator("#ticket-tag-suggestions option[value='echidna-billing']")).to_have_count(1)

    page.goto("/tickets?q=echidna")
    page.get_by_label("Tag", exact=True).fill("echidna-billing")
    page.get_by_label("Tag", exact=True).press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]tag=echidna-billing"))
    expect(_rows(page, "Echidna")).to_have_count(1)
    expect(_rows(page, "Echidna")).to_contain_text("Echidna billing mismatch")


def test_a_saved_views_count_in_the_sidebar_changes_live(page_as, seed, app_server):
    _file(app_server, seed, "Bandicoot burrow report")
    page = page_as("agent")
    page.goto("/tickets?q=bandicoot")
    expect(_rows(page, "Bandicoot")).to_have_count(1)
    page.get_by_role("button", name="Save view").click()
    dialog = page.get_by_role("dialog", name="Save this view")
    dialog.get_by_label("Name").fill("Bandicoot watch")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_have_count(0)
    views = page.get_by_role("navigation", name="Views")
    expect(views.get_by_role("link", name="Bandicoot watch, 1 tickets")).to_be_visible()
    expect(views.get_by_role("link", name=re.compile(r"^Unassigned, \d+ tickets$"))).to_be_visible()

    # Another ticket that matches: the count follows within a tick, without a reload.
    _file(app_server, seed, "Bandicoot second burrow")
    expect(views.get_by_role("link", name="Bandicoot watch, 2 tickets")).to_be_visible(timeout=15_000)
    views.get_by_role("link", name="Bandicoot watch, 2 tickets").click()
    expect(page).to_have_url(re.compile(r"[?&]q=bandicoot"))
    expect(_rows(page, "Bandicoot")).to_have_count(2)


def test_keyboard_takes_an_agent_from_the_list_to_a_posted_reply_without_the_mouse(page_as, seed, app_server):
    _file(app_server, seed, "Dingo keyboard flow")
    page = page_as("agent")
    page.goto("/tickets?view=all")
    expect(page.get_by_label("Search")).to_be_visible()
    page.keyboard.press("/")
    expect(page.get_by_label("Search")).to_be_focused()
    page.keyboard.type("dingo")
    page.keyboard.press("Escape")
    page.get_by_label("Search").blur()  # stands for Tab-ing out of the field
    expect(_rows(page, "Dingo keyboard flow")).to_have_count(1)

    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_have_count(0)

    page.keyboard.press("j")
    page.keyboard.press("o")
    expect(page).to_have_url(re.compile(r"/tickets/HH-\d+/?$"))
    expect(page.get_by_role("heading", name="Dingo keyboard flow")).to_be_visible()

    page.keyboard.press("r")
    editor = page.get_by_role("textbox", name="New comment")
    expect(editor).to_be_focused()
    page.keyboard.type("jr: looking at it now")  # shortcut letters typed into the editor stay text
    page.keyboard.press("Control+Enter")
    expect(page.get_by_role("article").filter(has_text="jr: looking at it now")).to_be_visible()
    expect(editor).to_have_text("")

    page.keyboard.press("g")
    page.keyboard.press("l")
    expect(page).to_have_url(at_path("/tickets"))
