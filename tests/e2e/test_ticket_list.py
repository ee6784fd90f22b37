"""An agent narrows the ticket list with filters and search, shares the view by its URL, and pages through it."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import _python, at_path

# A made-up word, so other tests' tickets never match the search.
URGENT_PRINTERS = ("Quokka printer jams on duplex", "Quokka printer toner smears", "Quokka printer queue stuck")
OTHERS = (("Quokka printer driver missing", "high"), ("Quokka scanner offline", "urgent"))


def _file_tickets(app_server, client_email: str, agent_email: str, word: str = "Quokka") -> None:
    """The five tickets above; another made-up `word` in their titles keeps one test's apart from another's."""
    wanted = [(title.replace("Quokka", word), "urgent") for title in URGENT_PRINTERS]
    wanted += [(title.replace("Quokka", word), priority) for title, priority in OTHERS]
    _python(
        app_server,
        "from tests.factories import file_ticket\n"
        "from tickit.services import ticket_detail, users\n"
        "from tickit.services.actors import UserPublic\n"
        "with session_scope() as s:\n"
        f"    client = UserPublic.of(users.find_by_email(s, {client_email!r}))\n"
        f"    agent = UserPublic.of(users.find_by_email(s, {agent_email!r}))\n"
        f"    for title, priority in {wanted!r}:\n"
        "        number = file_ticket(s, client, 'HH', title)\n"
        "        ticket_detail.set_priority(session=s, actor=agent, number=number, priority=priority)\n",
    )


def _rows(page, word: str = "Quokka"):
    return page.get_by_role("row").filter(has_text=word)


def _titles(page) -> set[str]:
    return {text.strip() for text in page.get_by_role("rowheader").all_inner_texts() if "Quokka" in text}


def test_agent_filters_searches_shares_the_view_and_pages_through_it(page_as, seed, app_server):
    _file_tickets(app_server, seed.client.email, seed.agent.email)
    page = page_as("agent")
    expect(page).to_have_url(at_path("/tickets"))
    page.goto("/tickets?view=all")  # the list opens on the agent's own open tickets

    page.get_by_label("Priority").click()
    page.get_by_role("option", name="Urgent").click()
    expect(page).to_have_url(re.compile(r"[?&]priority=urgent"))
    page.get_by_label("Search").fill("quokka printer")
    page.get_by_label("Search").press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]q=quokka\+printer"))
    expect(_rows(page)).to_have_count(3)
    for title in URGENT_PRINTERS:
        expect(_rows(page).filter(has_text=title)).to_contain_text("Urgent")
    assert _titles(page) == set(URGENT_PRINTERS)

    # The URL is the view: another signed-in tab opening it sees the same rows and the same filters.
    shared = page.url
    other = page_as("agent")
    other.goto(shared)
    expect(_rows(other)).to_have_count(3)
    assert _titles(other) == set(URGENT_PRINTERS)
    expect(other.get_by_label("Priority")).to_contain_text("Urgent")
    expect(other.get_by_label("Search")).to_have_value("quokka printer")

    # Two rows a page: the next page holds the rest, and the first page comes back.
    other.goto(shared + "&size=2")
    expect(_rows(other)).to_have_count(2)
    first = _titles(other)
    other.get_by_role("button", name="Next page").click()
    expect(other).to_have_url(re.compile(r"[?&]after="))
    expect(_rows(other)).to_have_count(1)
    second = _titles(other)
    assert first | second == set(URGENT_PRINTERS) and not first & second
    expect(other.get_by_role("button", name="Next page")).to_be_disabled()
    other.get_by_role("button", name="First page").click()
    expect(_rows(other)).to_have_count(2)
    assert _titles(other) == first
    expect(other.get_by_role("button", name="First page")).to_be_disabled()

    # Nothing matches: the empty state says which filters are on; Clear brings the whole list back.
    page.get_by_label("Search").fill("quokka walrus")
    page.get_by_label("Search").press("Enter")
    empty = page.get_by_text("Filters on:")
    expect(empty).to_contain_text("quokka walrus")
    expect(empty).to_contain_text("priority urgent")
    page.get_by_role("button", name="Clear", exact=True).click()
    expect(page).to_have_url(at_path("/tickets"))
    expect(_rows(page)).to_have_count(5)


def test_agent_filters_the_list_by_a_named_colleague_and_the_view_keeps_it(page_as, seed, app_server, new_account):
    colleague = new_account("agent", project="HH", name="Walter Wombat")
    titles = ("Wombat burrow map outdated", "Wombat feeding schedule")
    _python(
        app_server,
        "from sqlmodel import select\n"
        "from tests.factories import file_ticket\n"
        "from tickit.models import User\n"
        "from tickit.services import ticket_detail, users\n"
        "from tickit.services.actors import UserPublic\n"
        "with session_scope() as s:\n"
        f"    client = UserPublic.of(users.find_by_email(s, {seed.client.email!r}))\n"
        f"    agent = UserPublic.of(users.find_by_email(s, {seed.agent.email!r}))\n"
        f"    walter = s.exec(select(User).where(User.email == {colleague.email!r})).one()\n"
        f"    theirs = file_ticket(s, client, 'HH', {titles[0]!r})\n"
        f"    file_ticket(s, client, 'HH', {titles[1]!r})\n"
        "    ticket_detail.assign(session=s, actor=agent, number=theirs, assignee_id=walter.id)\n",
    )
    page = page_as("agent")
    page.goto("/tickets?view=all")
    page.get_by_label("Search").fill("wombat")
    page.get_by_label("Search").press("Enter")
    wombats = page.get_by_role("row").filter(has_text="Wombat")
    expect(wombats).to_have_count(2)

    page.get_by_label("Assignee").click()
    expect(page.get_by_role("option", name="Me", exact=True)).to_be_visible()
    expect(page.get_by_role("option", name=seed.agent.name)).to_be_visible()
    page.get_by_role("option", name="Walter Wombat").click()
    expect(wombats).to_have_count(1)
    expect(wombats).to_contain_text(titles[0])
    expect(page).to_have_url(re.compile(r"[?&]assignee=\d+"))
    expect(page.get_by_label("Assignee")).to_contain_text("Walter Wombat")

    # The bookmarked view names the same colleague in its filter.
    other = page_as("agent")
    other.goto(page.url)
    expect(other.get_by_role("row").filter(has_text="Wombat")).to_have_count(1)
    expect(other.get_by_label("Assignee")).to_contain_text("Walter Wombat")


def test_search_runs_as_the_agent_pauses_typing_and_a_number_opens_its_ticket(page_as, seed, app_server):
    _file_tickets(app_server, seed.client.email, seed.agent.email, "Numbat")
    page = page_as("agent")
    page.goto("/tickets?view=all")
    expect(page.get_by_text(re.compile(r"^1–\d+ of [\d,]+\+?$"))).to_be_visible()

    page.get_by_label("Search").press_sequentially("numbat scanner", delay=20)  # no Enter
    expect(_rows(page, "Numbat")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"[?&]q=numbat\+scanner"))
    expect(page.get_by_text("1–1 of 1", exact=True)).to_be_visible()
    number = page.get_by_role("row").filter(has_text="Numbat scanner offline").get_by_role("code").inner_text()

    # Its number, as people type it: the list finds it, and Enter opens it.
    page.get_by_label("Search").fill(number.lower())
    expect(_rows(page, "Numbat")).to_have_count(1)
    expect(page.get_by_text("Enter opens")).to_contain_text(number)
    page.get_by_label("Search").press("Enter")
    expect(page).to_have_url(at_path(f"/tickets/{number}"))
    expect(page.get_by_role("heading", name="Numbat scanner offline")).to_be_visible()


def test_headers_sort_and_back_returns_to_the_list_as_it_was(page_as, seed, app_server):
    _file_tickets(app_server, seed.client.email, seed.agent.email, "Wallaby")
    page = page_as("agent")
    page.goto("/tickets?view=all")
    page.get_by_label("Search").fill("wallaby")
    page.get_by_label("Search").press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]q=wallaby"))
    expect(_rows(page, "Wallaby")).to_have_count(5)

    priority = page.get_by_role("columnheader", name="Priority")
    priority.get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"[?&]sort=priority"))
    expect(priority).to_have_attribute("aria-sort", "descending")
    expect(_rows(page, "Wallaby").first).to_contain_text("Urgent")
    expect(_rows(page, "Wallaby").last).to_contain_text("High")
    priority.get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"[?&]dir=asc"))
    expect(priority).to_have_attribute("aria-sort", "ascending")
    expect(_rows(page, "Wallaby").first).to_contain_text("High")
    sorted_view = page.url

    # Statuses are several choices at once; "All open" is one of them. Each change is a history entry.
    page.get_by_role("button", name="Status", exact=True).click()
    page.get_by_role("checkbox", name="All open").click()
    expect(page).to_have_url(re.compile(r"[?&]category=in_progress%2Ctodo"))
    expect(page.get_by_role("button", name="Status", exact=True)).to_contain_text("All open")
    page.keyboard.press("Escape")
    page.go_back()
    expect(page).to_have_url(sorted_view)
    expect(page.get_by_role("button", name="Status", exact=True)).to_contain_text("Any status")
    expect(_rows(page, "Wallaby").first).to_contain_text("High")

    # The ticket page's way back leads to this very view.
    _rows(page, "Wallaby").first.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/tickets/HH-\d+$"))
    back = page.get_by_role("link", name="Tickets", exact=True).last
    expect(back).to_have_attribute("href", "/tickets?" + sorted_view.partition("?")[2])
    back.click()
    expect(page).to_have_url(sorted_view)
    expect(page.get_by_label("Search")).to_have_value("wallaby")
    expect(priority).to_have_attribute("aria-sort", "ascending")
    expect(_rows(page, "Wallaby")).to_have_count(5)
