"""An agent works the Kanban board: columns with counts, moves that obey the workflow, mouse and keyboard."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from playwright.sync_api import expect

from tests.e2e.conftest import _python, at_path

BOARD = "/tickets/board?project=HH&type=bug"
TITLES = ("Board: export hangs", "Board: avatar is blurry", "Board: tab order is wrong")


def _file_bugs(app_server, client_email: str) -> None:
    _python(
        app_server,
        "from tests.factories import file_ticket\n"
        "from tickit.services import users\n"
        "from tickit.services.actors import UserPublic\n"
        "with session_scope() as s:\n"
        f"    client = UserPublic.of(users.find_by_email(s, {client_email!r}))\n"
        f"    for title in {TITLES!r}:\n"
        "        file_ticket(s, client, 'HH', title, type_key='bug')\n",
    )


def _column(page, name: str):
    return page.get_by_role("region", name=re.compile(rf"^{re.escape(name)} column, \d+ tickets?$"))


def _count(page, name: str) -> int:
    label = _column(page, name).get_attribute("aria-label")
    return int(re.search(r", (\d+) tickets?$", label).group(1))


def _named(name: str, count: int) -> str:
    return f"{name} column, {count} {'ticket' if count == 1 else 'tickets'}"


def _card(scope, title: str):
    return scope.get_by_role("button", name=re.compile(re.escape(title)))


def _lift(page, source, target) -> None:
    """Press the mouse on `source` and move it over `target` in small steps (past dnd-kit's activation distance)."""
    start, end = source.bounding_box(), target.bounding_box()
    assert start and end
    x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 10, y, steps=5)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + 60, steps=15)


def test_agent_moves_cards_on_the_board_with_mouse_and_keyboard(page_as, seed, app_server):
    _file_bugs(app_server, seed.client.email)
    page = page_as("agent")
    page.goto(BOARD)

    for name in ("New", "Triaged", "In progress", "Waiting on reporter", "Fixed", "Won't fix"):
        expect(_column(page, name)).to_be_attached()
    new = _column(page, "New")
    for title in TITLES:
        expect(_card(new, title)).to_be_visible()
    in_new, in_triaged = _count(page, "New"), _count(page, "Triaged")
    assert in_new >= len(TITLES)

    # A legal drop with the mouse: New → Triaged. While the card is lifted, legal columns are highlighted.
    _lift(page, _card(new, TITLES[0]), _column(page, "Triaged"))
    expect(_column(page, "Triaged")).to_have_attribute("data-drop", "legal")
    expect(_column(page, "In progress")).to_have_attribute("data-drop", "illegal")
    page.mouse.up()
    triaged = _column(page, "Triaged")
    expect(_card(triaged, TITLES[0])).to_be_visible()
    expect(page).to_have_url(at_path("/tickets/board"))  # the drop did not open the ticket
    expect(_column(page, "Triaged")).to_have_accessible_name(_named("Triaged", in_triaged + 1))
    page.reload()
    expect(_card(_column(page, "Triaged"), TITLES[0])).to_be_visible()
    expect(_column(page, "New")).to_have_accessible_name(_named("New", in_new - 1))

    # An illegal drop (New → In progress) snaps back, and the message names where it may go.
    _lift(page, _card(_column(page, "New"), TITLES[1]), _column(page, "In progress"))
    page.mouse.up()
    expect(
        page.get_by_text(re.compile(r"cannot move from New to In progress\. It can move to: Triaged, "))
    ).to_be_visible()
    expect(_card(_column(page, "New"), TITLES[1])).to_be_visible()
    expect(_card(_column(page, "In progress"), TITLES[1])).to_have_count(0)

    # The keyboard: Space lifts the focused card, ArrowRight moves it over Triaged, Space drops it.
    # Filtered to that card, so tickets other tests filed cannot put it below Triaged's last card
    # (the keyboard moves to the nearest drop target in the arrow's direction).
    page.goto(f"{BOARD}&{urlencode({'q': TITLES[2]})}")
    announced = page.locator("[id^='DndLiveRegion']")
    _card(_column(page, "New"), TITLES[2]).focus()
    page.keyboard.press("Space")
    expect(announced).to_contain_text("It can move to: Triaged, Waiting on reporter, Won't fix.")
    page.keyboard.press("ArrowRight")
    expect(announced).to_contain_text("is over Triaged column.")
    page.keyboard.press("Space")
    expect(_card(_column(page, "Triaged"), TITLES[2])).to_be_visible()
    page.goto(BOARD)
    expect(_card(_column(page, "Triaged"), TITLES[2])).to_be_visible()
    expect(_column(page, "Triaged")).to_have_accessible_name(_named("Triaged", in_triaged + 2))


def test_filters_live_in_the_address_and_the_last_board_is_remembered(page_as, seed, app_server):
    page = page_as("agent")
    page.goto("/tickets/board?project=HH&type=question")
    expect(page.get_by_label("Board")).to_contain_text("Question")
    expect(_column(page, "Answered")).to_be_attached()

    page.get_by_label("Search").fill("no such ticket anywhere")
    expect(page).to_have_url(re.compile(r"[?&]q=no\+such\+ticket\+anywhere"))
    expect(_column(page, "New")).to_have_accessible_name("New column, 0 tickets")

    page.goto("/tickets/board")
    expect(page.get_by_label("Board")).to_contain_text("Question")
