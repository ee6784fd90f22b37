"""An agent works one ticket on its page: legal moves, assignee, priority, fields, threaded comments, notes."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import _python

TITLE = "Ticket page: upload spinner never stops"


def _file_bug(app_server, client_email: str, title: str = TITLE) -> None:
    _python(
        app_server,
        "from tests.factories import file_ticket\n"
        "from tickit.services import users\n"
        "from tickit.services.actors import UserPublic\n"
        "with session_scope() as s:\n"
        f"    client = UserPublic.of(users.find_by_email(s, {client_email!r}))\n"
        f"    file_ticket(s, client, 'HH', {title!r}, type_key='bug')\n",
    )


def _open_ticket(page, title: str = TITLE) -> None:
    page.goto("/tickets?view=all")
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()


def _comment(page, author: str, *, internal: bool = False):
    prefix = "Internal note by" if internal else "Comment by"
    return page.get_by_role("article", name=f"{prefix} {author}")


def test_agent_works_a_ticket_and_its_threaded_comments(page_as, seed, app_server):
    _file_bug(app_server, seed.client.email)
    page = page_as("agent")
    _open_ticket(page)
    details = page.get_by_role("complementary", name="Ticket details")
    activity = page.get_by_role("list", name="Activity")

    # Only the legal moves from New are offered; taking one updates the status and the log.
    expect(details.get_by_role("button", name="Move to Triaged")).to_be_visible()
    expect(details.get_by_role("button", name="Move to In progress")).to_have_count(0)
    details.get_by_role("button", name="Move to Triaged").click()
    expect(details.get_by_role("button", name="Move to In progress")).to_be_visible()
    expect(activity).to_contain_text("moved it from New to Triaged")

    details.get_by_role("button", name="Assign to me").click()
    expect(details.get_by_label("Assignee")).to_contain_text(seed.agent.name)
    expect(activity).to_contain_text(f"assigned it to {seed.agent.name}")

    details.get_by_label("Priority").click()
    page.get_by_role("option", name="Urgent").click()
    expect(details.get_by_label("Priority")).to_contain_text("Urgent")
    expect(activity).to_contain_text("changed priority from normal to urgent")

    # A custom field is edited in place through the shared validator.
    version = details.get_by_label("App version", exact=True)
    version.fill("x" * 501)
    version.blur()
    expect(details.get_by_role("alert")).to_be_visible()
    version.fill("4.2.1")
    version.blur()
    expect(details.get_by_role("alert")).to_have_count(0)
    expect(activity).to_contain_text("changed App version")

    # A comment with bold text, written with the toolbar, survives a reload as bold.
    editor = page.get_by_role("textbox", name="New comment")
    editor.click()
    page.get_by_role("button", name="Bold").click()
    page.keyboard.type("Reproduced")
    page.get_by_role("button", name="Bold").click()
    page.keyboard.type(" on staging.")
    page.get_by_role("button", name="Post", exact=True).click()
    mine = _comment(page, seed.agent.name).first
    expect(mine.locator("strong")).to_have_text("Reproduced")
    expect(editor).to_have_text("")
    page.reload()
    mine = _comment(page, seed.agent.name).first
    expect(mine.locator("strong")).to_have_text("Reproduced")

    # A reply is shown under its comment.
    mine.get_by_role("button", name="Reply").click()
    page.get_by_role("textbox", name="Reply").click()
    page.keyboard.type("Fixed in 4.2.2, please retest.")
    page.get_by_role("button", name="Reply", exact=True).last.click()
    reply = page.locator("[data-reply='true']").filter(has_text="Fixed in 4.2.2")
    expect(reply).to_be_visible()
    articles = page.get_by_role("article")
    texts = articles.all_inner_texts()
    assert [i for i, t in enumerate(texts) if "Reproduced" in t][0] < [
        i for i, t in enumerate(texts) if "Fixed in 4.2.2" in t
    ][0]

    # An internal note stands apart with its badge.
    editor.click()
    page.keyboard.type("Customer is on the legacy plan.")
    page.get_by_text("Internal note", exact=True).click()
    page.get_by_role("button", name="Post note").click()
    note = _comment(page, seed.agent.name, internal=True)
    expect(note).to_contain_text("Customer is on the legacy plan.")
    expect(note.get_by_text("Internal note", exact=True)).to_be_visible()
    expect(activity).to_contain_text("added an internal note")
    expect(activity.locator("li").first).to_contain_text(re.compile("added an internal note"))


LIVE_TITLE = "Ticket page: live while a colleague works it"
MENTION_TITLE = "Ticket page: who knows the billing code?"


def test_an_open_ticket_page_shows_what_someone_else_changes_without_a_reload(
    new_page, page_as, seed, app_server, new_account
):
    colleague = new_account("agent", project="HH", name="Colin Colleague")
    _file_bug(app_server, seed.client.email, LIVE_TITLE)
    watching = page_as("agent")
    _open_ticket(watching, LIVE_TITLE)
    number = watching.url.rstrip("/").split("/")[-1]
    details = watching.get_by_role("complementary", name="Ticket details")
    expect(details.get_by_role("button", name="Move to Triaged")).to_be_visible()

    # A colleague, in another browser, moves the ticket, takes it and comments.
    working = page_as(colleague)
    working.goto(f"/tickets/{number}")
    working.get_by_role("complementary", name="Ticket details").get_by_role("button", name="Move to Triaged").click()
    working.get_by_role("complementary", name="Ticket details").get_by_role("button", name="Assign to me").click()
    working.get_by_role("textbox", name="New comment").click()
    working.keyboard.type("Looking into it now.")
    working.get_by_role("button", name="Post", exact=True).click()
    expect(working.get_by_role("article", name="Comment by Colin Colleague")).to_be_visible()

    # The first page, never reloaded, shows all of it within a few seconds.
    live = {"timeout": 6_000}
    expect(details.get_by_role("button", name="Move to In progress")).to_be_visible(**live)
    expect(details.get_by_label("Assignee")).to_contain_text("Colin Colleague", **live)
    expect(watching.get_by_role("article", name="Comment by Colin Colleague")).to_contain_text(
        "Looking into it now.", **live
    )
    expect(watching.get_by_role("list", name="Activity")).to_contain_text("assigned it to Colin Colleague", **live)
    assert watching.evaluate("performance.getEntriesByType('navigation').length") == 1


def test_an_agent_mentions_a_colleague_from_the_at_popup(page_as, seed, app_server, new_account):
    colleague = new_account("agent", project="HH", name="Mona Mentioned")
    _file_bug(app_server, seed.client.email, MENTION_TITLE)
    page = page_as("agent")
    _open_ticket(page, MENTION_TITLE)

    page.get_by_role("textbox", name="New comment").click()
    page.keyboard.type("Over to you, @Mon")
    people = page.get_by_role("listbox", name="People to mention")
    expect(people.get_by_role("option")).to_have_count(1)
    people.get_by_role("option", name="@Mona Mentioned").click()
    expect(people).to_have_count(0)
    page.keyboard.type("can you check the billing code?")
    page.get_by_role("button", name="Post", exact=True).click()

    comment = page.get_by_role("article", name=f"Comment by {seed.agent.name}").filter(has_text="billing code")
    mention = comment.locator("span.mention[data-type='mention']")
    expect(mention).to_have_text("@Mona Mentioned")
    page.reload()
    comment = page.get_by_role("article", name=f"Comment by {seed.agent.name}").filter(has_text="billing code")
    mention = comment.locator("span.mention[data-type='mention']")
    expect(mention).to_have_text("@Mona Mentioned")
    # Stored with the comment: the mentioned agent's id, as the notification service reads it.
    _python(
        app_server,
        "from sqlmodel import select\n"
        "from tickit.models import Comment, User\n"
        "with session_scope() as s:\n"
        f"    mona = s.exec(select(User).where(User.email == {colleague.email!r})).one()\n"
        "    comment = s.exec(select(Comment).where(Comment.body_text.contains('billing code'))).one()\n"
        "    assert comment.mentions == [mona.id], comment.mentions\n"
        "    assert f'data-id=\"{mona.id}\"' in comment.body_html, comment.body_html\n",
    )


def test_a_multi_select_field_is_edited_in_place_one_option_at_a_time(page_as, seed, app_server):
    title = "Ticket page: which browsers break?"
    app_server.tickit("project", "create", "--key=MS", "--name=Multi Shop", "--template=software-feedback")
    app_server.tickit("project", "member", "add", "--role=agent", "MS", seed.agent.email)
    _python(
        app_server,
        "from tests.factories import file_ticket\n"
        "from tickit.services import users, workflow_admin\n"
        "from tickit.services.actors import SYSTEM, UserPublic\n"
        "with session_scope() as s:\n"
        "    bug = workflow_admin.type_detail(session=s, actor=SYSTEM, project_key='MS', type_key='bug')\n"
        "    workflow_admin.add_field(session=s, actor=SYSTEM, project_key='MS', type_key='bug',\n"
        "        expected_version=bug.version, key='browsers', label='Browsers', field_type='multi_select',\n"
        "        options=['Firefox', 'Chrome', 'Safari'])\n"
        "with session_scope() as s:\n"
        f"    agent = UserPublic.of(users.find_by_email(s, {seed.agent.email!r}))\n"
        f"    file_ticket(s, agent, 'MS', {title!r}, type_key='bug')\n",
    )
    page = page_as("agent")
    _open_ticket(page, title)
    browsers = page.get_by_role("group", name="Browsers")
    browsers.get_by_label("Firefox").click()
    expect(browsers.get_by_label("Firefox")).to_be_checked()
    browsers.get_by_label("Safari").click()
    expect(browsers.get_by_label("Safari")).to_be_checked()
    activity = page.get_by_role("list", name="Activity")
    expect(activity.locator("li").first).to_contain_text("changed Browsers from Firefox to Firefox, Safari")
    browsers.get_by_label("Firefox").click()
    expect(activity.locator("li").first).to_contain_text("changed Browsers from Firefox, Safari to Safari")
    page.reload()
    browsers = page.get_by_role("group", name="Browsers")
    expect(browsers.get_by_label("Safari")).to_be_checked()
    expect(browsers.get_by_label("Firefox")).not_to_be_checked()
    expect(browsers.get_by_label("Chrome")).not_to_be_checked()


def test_agent_edits_the_title_and_the_description_in_the_rich_text_editor(page_as, seed, app_server):
    title = "Ticket page: edit me"
    _file_bug(app_server, seed.client.email, title)
    page = page_as("agent")
    _open_ticket(page, title)

    page.get_by_role("button", name="Edit ticket").click()
    dialog = page.get_by_role("dialog", name="Edit ticket")
    dialog.get_by_label("Title").fill("Ticket page: edited title")
    editor = dialog.get_by_role("textbox", name="Description")
    editor.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    page.get_by_role("button", name="Bold").click()
    page.keyboard.type("Only on Safari")
    dialog.get_by_role("button", name="Save").click()

    expect(dialog).to_have_count(0)
    expect(page.get_by_role("heading", name="Ticket page: edited title")).to_be_visible()
    expect(page.locator("main strong", has_text="Only on Safari")).to_be_visible()
    activity = page.get_by_role("list", name="Activity")
    expect(activity).to_contain_text("renamed it from “Ticket page: edit me” to “Ticket page: edited title”")
    expect(activity).to_contain_text("edited the description")
