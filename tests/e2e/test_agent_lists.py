"""The list an agent opens on ("My open tickets", one click from every ticket) and a macro applied in bulk."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import _python, at_path, screenshots


def _seed(app_server, body: str) -> None:
    _python(
        app_server,
        "from tests.factories import file_ticket\n"
        "from tickit.services import canned_replies, ticket_detail, users, workflow\n"
        "from tickit.services.actors import UserPublic\n"
        "with session_scope() as s:\n"
        "    def person(email):\n"
        "        return UserPublic.of(users.find_by_email(s, email))\n" + body,
    )


def _rows(page, word: str):
    return page.get_by_role("row").filter(has_text=word)


def test_an_agent_opens_on_their_own_open_tickets_and_reaches_every_ticket_in_one_click(
    page_as, seed, app_server, new_account
):
    nora = new_account("agent", project="HH", name="Nora Numbat")
    _seed(
        app_server,
        f"    client, nora = person({seed.client.email!r}), person({nora.email!r})\n"
        "    mine = file_ticket(s, client, 'HH', 'Numbat burrow flooded')\n"
        "    done = file_ticket(s, client, 'HH', 'Numbat feeder refilled')\n"
        "    file_ticket(s, client, 'HH', 'Numbat fence down')\n"
        "    for number in (mine, done):\n"
        "        ticket_detail.assign(session=s, actor=nora, number=number, assignee_id=nora.id)\n"
        "    workflow.move(session=s, actor=nora, number=done, to_status='wont_fix')\n",
    )
    page = page_as(nora)
    expect(page).to_have_url(at_path("/tickets"))
    lists = page.get_by_role("navigation", name="Ticket lists")
    expect(lists.get_by_role("link", name="My open tickets")).to_have_attribute("aria-current", "page")
    expect(page.get_by_text("Assigned to you and not done yet.")).to_be_visible()
    expect(_rows(page, "Numbat")).to_have_count(1)
    expect(_rows(page, "Numbat burrow flooded")).to_have_count(1)
    screenshots(page, "list-my-open")

    # The filters build on it: a search keeps "assigned to me, open".
    page.get_by_label("Search").fill("fence")
    page.get_by_label("Search").press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]q=fence"))
    assert "assignee=me" in page.url
    expect(page.get_by_text("No tickets match")).to_be_visible()
    expect(page.get_by_text("Filters on:")).to_contain_text("assignee Me")

    # Every ticket is one click away, at an address of its own.
    lists.get_by_role("link", name="All tickets").click()
    expect(page).to_have_url(re.compile(r"/tickets\?view=all$"))
    expect(lists.get_by_role("link", name="All tickets")).to_have_attribute("aria-current", "page")
    expect(_rows(page, "Numbat")).to_have_count(3)

    # The list's shortcut leads back to the agent's own open tickets.
    page.get_by_role("heading", name="Tickets", exact=True).click()  # out of any field
    page.keyboard.press("g")
    page.keyboard.press("l")
    expect(lists.get_by_role("link", name="My open tickets")).to_have_attribute("aria-current", "page")
    expect(_rows(page, "Numbat")).to_have_count(1)


def test_an_agent_applies_a_macro_to_the_selection_and_reads_which_tickets_refused_it(page_as, seed, app_server):
    _seed(
        app_server,
        f"    client, agent = person({seed.client.email!r}), person({seed.agent.email!r})\n"
        "    numbers = [file_ticket(s, client, 'HH', title) for title in\n"
        "               ('Quoll printer jam', 'Quoll badge reader dead', 'Quoll VPN drops')]\n"
        "    for number in numbers[:2]:  # the third stays New, from where In progress is no move\n"
        "        workflow.move(session=s, actor=agent, number=number, to_status='triaged')\n"
        "    canned_replies.save_reply(session=s, actor=agent, project_key='HH', draft=canned_replies.ReplyDraft(\n"
        "        title='Quoll: start work', body_html='<p>Hi {{ requester.first_name }}, we are on it.</p>',\n"
        "        set_status='in_progress', add_tags=('quoll-watch',)))\n",
    )
    page = page_as("agent")
    page.goto("/tickets?q=quoll&sort=number&dir=asc")
    rows = _rows(page, "Quoll")
    expect(rows).to_have_count(3)
    page.get_by_role("checkbox", name="Select all on this page").click()
    bar = page.get_by_role("toolbar", name="Bulk actions")
    bar.get_by_role("button", name="Macro").click()
    choice = page.get_by_role("menuitem", name="Quoll: start work")
    expect(choice).to_contain_text("Your macro: status → In progress, tags +quoll-watch")
    screenshots(page, "list-bulk-macro-menu")
    choice.click()

    summary = page.get_by_label("Bulk action summary")
    expect(summary).to_contain_text("Applied “Quoll: start work” to 2 tickets. 1 did not apply:")
    expect(summary).to_contain_text(re.compile(r"HH-\d+ cannot move from New to In progress"))
    for i in range(2):
        expect(rows.nth(i)).to_contain_text("In progress")
        expect(rows.nth(i)).to_contain_text("quoll-watch")
    expect(rows.nth(2)).to_contain_text("New")
    expect(rows.nth(2)).not_to_contain_text("quoll-watch")
    screenshots(page, "list-bulk-macro-summary")


def test_a_macros_tags_are_kept_on_the_canned_replies_page(page_as):
    page = page_as("agent")
    page.goto("/tickets/replies")
    page.get_by_role("button", name="New reply").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Title").fill("Numbat VIP")
    body = dialog.get_by_role("textbox", name="Reply")
    body.click()
    body.press_sequentially("Hi {{ requester.first_name }}, you are in good hands.")
    dialog.get_by_label("Add tags").fill("VIP, numbat care")
    dialog.get_by_label("Remove tags").fill("vip")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_role("alert")).to_contain_text("A macro cannot both add and remove “vip”.")
    screenshots(page, "replies-form")
    dialog.get_by_label("Remove tags").fill("waiting")
    dialog.get_by_role("button", name="Save").click()
    card = page.get_by_role("group", name="Numbat VIP")
    expect(card).to_contain_text("Your macro: tags +numbat-care +vip −waiting")
    screenshots(page, "replies")
