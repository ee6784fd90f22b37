"""Agent tools on the ticket page: a macro from the editor's `/` menu, links shown both ways, and a merge."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import _python


def _file(app_server, client_email: str, title: str) -> None:
    _python(
        app_server,
        "from tests.factories import file_ticket\n"
        "from tickit.services import users\n"
        "from tickit.services.actors import UserPublic\n"
        "with session_scope() as s:\n"
        f"    client = UserPublic.of(users.find_by_email(s, {client_email!r}))\n"
        f"    file_ticket(s, client, 'HH', {title!r}, type_key='bug')\n",
    )


def _open(page, title: str) -> str:
    """Open the ticket by its title from the list; its number."""
    page.goto("/tickets?q=" + title.split(":")[0])
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    return re.search(r"/tickets/([A-Z0-9]+-\d+)", page.url).group(1)


def test_an_agent_applies_a_macro_from_the_editors_slash_menu(page_as, seed, app_server):
    _file(app_server, seed.client.email, "Koala: sync stalls overnight")
    _python(
        app_server,
        "from tickit.services import canned_replies, users\n"
        "from tickit.services.actors import UserPublic\n"
        "with session_scope() as s:\n"
        f"    agent = UserPublic.of(users.find_by_email(s, {seed.agent.email!r}))\n"
        "    canned_replies.save_reply(session=s, actor=agent, project_key='HH', draft=canned_replies.ReplyDraft(\n"
        "        title='Koala triage',\n"
        "        body_html='<p>Hi {{ requester.first_name }}, we are on {{ ticket.number }}.</p>',\n"
        "        set_status='triaged', set_priority='high'))\n",
    )
    page = page_as("agent")
    number = _open(page, "Koala: sync stalls overnight")
    editor = page.get_by_role("textbox", name="New comment")
    editor.click()
    editor.press_sequentially("/Koala")
    menu = page.get_by_role("listbox", name="Canned replies and macros")
    expect(menu).to_contain_text("Your macro: status → Triaged, priority → high")
    menu.get_by_role("option", name=re.compile("Koala triage")).click()

    first_name = seed.client.name.split()[0]
    expect(editor).to_contain_text(f"Hi {first_name}, we are on {number}.")
    expect(page.get_by_text("Koala triage", exact=True)).to_be_visible()
    editor.press("End")
    editor.press_sequentially(" More soon.")
    page.get_by_role("button", name="Apply macro").click()

    expect(page.get_by_role("article", name=f"Comment by {seed.agent.name}")).to_contain_text(
        f"Hi {first_name}, we are on {number}. More soon."
    )
    details = page.get_by_role("complementary", name="Ticket details")
    expect(details.get_by_label("Priority")).to_contain_text("High")
    activity = page.get_by_role("list", name="Activity")
    expect(activity).to_contain_text("moved it from New to Triaged")
    expect(activity).to_contain_text("changed priority from normal to high")
    expect(page.get_by_role("button", name="Apply macro")).to_have_count(0)


def test_an_agent_links_two_tickets_and_merges_one_into_the_other(page_as, seed, app_server):
    _file(app_server, seed.client.email, "Pademelon: login loops")
    _file(app_server, seed.client.email, "Pademelon: cannot sign in")
    page = page_as("agent")
    first = _open(page, "Pademelon: login loops")
    second = _open(page, "Pademelon: cannot sign in")
    details = page.get_by_role("complementary", name="Ticket details")

    details.get_by_label("Link kind").click()
    page.get_by_role("option", name="blocks").click()
    details.get_by_label("Ticket to link").fill(second)
    details.get_by_role("button", name="Link", exact=True).click()
    expect(details.get_by_role("alert")).to_contain_text("cannot be linked to itself")
    details.get_by_label("Ticket to link").fill(first)
    details.get_by_role("button", name="Link", exact=True).click()
    expect(details.get_by_role("link", name=re.compile(f"{first} Pademelon: login loops"))).to_be_visible()
    expect(page.get_by_role("list", name="Activity")).to_contain_text(f"linked it: blocks {first}")

    details.get_by_role("link", name=re.compile(f"{first} Pademelon: login loops")).click()
    expect(page.get_by_role("heading", name="Pademelon: login loops")).to_be_visible()
    expect(details).to_contain_text("blocked by")

    page.goto(f"/tickets/{second}")
    expect(page.get_by_role("heading", name="Pademelon: cannot sign in")).to_be_visible()
    details.get_by_label("Merge into ticket").fill(first)
    details.get_by_role("button", name="Merge…").click()
    dialog = page.get_by_role("alertdialog", name=f"Merge {second} into {first}?")
    dialog.get_by_role("button", name="Merge").click()

    expect(page).to_have_url(re.compile(f"/tickets/{first}$"))
    expect(page.get_by_role("heading", name="Pademelon: login loops")).to_be_visible()
    expect(page.get_by_role("list", name="Activity")).to_contain_text(f"merged {second} into it")

    # The merged ticket's page forwards to the one it was merged into.
    page.goto(f"/tickets/{second}")
    expect(page).to_have_url(re.compile(f"/tickets/{first}$"))
    expect(page.get_by_role("heading", name="Pademelon: login loops")).to_be_visible()


def test_an_agent_keeps_a_macro_on_the_canned_replies_page(page_as):
    page = page_as("agent")
    page.goto("/tickets/replies")
    expect(page.get_by_role("heading", name="Canned replies", exact=True)).to_be_visible()
    page.get_by_role("button", name="New reply").click()
    dialog = page.get_by_role("dialog", name="New reply")
    dialog.get_by_label("Title").fill("Wombat escalation")
    body = dialog.get_by_role("textbox", name="Reply")
    body.click()
    body.press_sequentially("Hi {{ requester.frist_name }}")
    dialog.get_by_label("Priority").click()
    page.get_by_role("option", name="Urgent").click()
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_role("alert")).to_contain_text("frist_name")

    body.press("Control+a")
    body.press_sequentially("Hi {{ requester.first_name }}, this is now urgent.")
    dialog.get_by_role("button", name="Save").click()
    card = page.get_by_role("group", name="Wombat escalation")
    expect(card).to_contain_text("Your macro: priority → urgent")
    expect(page.get_by_role("dialog")).to_have_count(0)
