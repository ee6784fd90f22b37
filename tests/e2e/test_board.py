"""An agent works the Kanban board: columns with counts, moves that obey the workflow, mouse and keyboard."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from playwright.sync_api import expect

from tests.e2e.conftest import _python, at_path, dnd_listening
from tickit.services.board import CARD_STEP, CARD_WINDOW

BOARD = "/tickets/board?project=HH&type=bug"
TITLES = ("Board: export hangs", "Board: avatar is blurry", "Board: tab order is wrong")
FIELDS = {"severity": "major", "platform": "iOS"}
THIS_TESTS_CARDS = f"{BOARD}&{urlencode({'q': 'Board: '})}"


def _file(app_server, client_email: str, titles, type_key: str = "bug", field_values: dict | None = None) -> None:
    _python(
        app_server,
        "from tests.factories import file_ticket\n"
        "from tickit.services import users\n"
        "from tickit.services.actors import UserPublic\n"
        "with session_scope() as s:\n"
        f"    client = UserPublic.of(users.find_by_email(s, {client_email!r}))\n"
        f"    for title in {tuple(titles)!r}:\n"
        f"        file_ticket(s, client, 'HH', title, type_key={type_key!r}, field_values={field_values!r})\n",
    )


def _as_agent(app_server, agent_email: str, body: str) -> None:
    """Run `body` with `agent` (that agent's UserPublic) and `number_of(title)`, in one transaction."""
    _python(
        app_server,
        "from sqlmodel import select\n"
        "from tickit.models import Ticket\n"
        "from tickit.services import users\n"
        "from tickit.services.access import format_ticket_number\n"
        "from tickit.services.actors import UserPublic\n"
        "with session_scope() as s:\n"
        f"    agent = UserPublic.of(users.find_by_email(s, {agent_email!r}))\n"
        "    def number_of(title):\n"
        "        return format_ticket_number('HH', s.exec(select(Ticket.number).where(Ticket.title == title)).one())\n"
        + "".join(f"    {line}\n" for line in body.splitlines()),
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
    _file(app_server, seed.client.email, TITLES, field_values=FIELDS)
    page = page_as("agent")
    # Only this test's cards: other tests' tickets would push them below the fold, out of the mouse's reach.
    page.goto(THIS_TESTS_CARDS)

    columns = page.locator("section[data-column]")
    expect(columns).to_have_count(6)
    names = [label.split(" column,")[0] for label in columns.evaluate_all("(all) => all.map((c) => c.ariaLabel)")]
    assert names == ["New", "Triaged", "In progress", "Waiting on reporter", "Fixed", "Won't fix"]
    new = _column(page, "New")
    for title in TITLES:
        expect(_card(new, title)).to_be_visible()
    # A card: number, priority, age, title, up to two custom-field values named by their field, assignee.
    expect(_card(new, TITLES[0])).to_contain_text(re.compile(r"^HH-\d+Normal(just now|\d+ min ago)"))
    expect(_card(new, TITLES[0])).to_contain_text(
        f"{TITLES[0]}Severity: Major – a feature is brokenPlatform: iOSUnassigned"
    )
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
    dnd_listening(page)
    page.keyboard.press("ArrowRight")
    expect(announced).to_contain_text("is over Triaged column.")
    page.keyboard.press("Space")
    expect(_card(_column(page, "Triaged"), TITLES[2])).to_be_visible()
    page.goto(THIS_TESTS_CARDS)
    expect(_card(_column(page, "Triaged"), TITLES[2])).to_be_visible()
    expect(_column(page, "Triaged")).to_have_accessible_name(_named("Triaged", in_triaged + 2))


def test_filters_live_in_the_address(page_as, seed, app_server):
    page = page_as("agent")
    page.goto("/tickets/board?project=HH&type=question")
    expect(page.get_by_label("Board")).to_contain_text("Question")
    expect(_column(page, "Answered")).to_be_attached()

    page.get_by_label("Search").fill("no such ticket anywhere")
    expect(page).to_have_url(re.compile(r"[?&]q=no\+such\+ticket\+anywhere"))
    expect(_column(page, "New")).to_have_accessible_name("New column, 0 tickets")
    page.reload()
    expect(page.get_by_label("Search")).to_have_value("no such ticket anywhere")
    expect(_column(page, "New")).to_have_accessible_name("New column, 0 tickets")


def test_the_board_a_user_chose_opens_in_any_browser_they_sign_in_to(page_as, new_account):
    agent = new_account("agent", project="HH")
    page = page_as(agent)
    page.goto("/tickets/board")
    page.get_by_role("combobox", name="Board").click()
    page.get_by_role("option", name="Help Hub · Question").click()
    expect(page).to_have_url(re.compile(r"[?&]type=question"))
    expect(_column(page, "Answered")).to_be_attached()

    elsewhere = page_as(agent)  # a fresh browser context: nothing kept in the browser
    elsewhere.goto("/tickets/board")
    expect(elsewhere.get_by_role("combobox", name="Board")).to_contain_text("Question")
    expect(_column(elsewhere, "Answered")).to_be_attached()
    expect(elsewhere).to_have_url(re.compile(r"[?&]project=HH&type=question"))


def test_filters_by_assignee_and_priority(page_as, seed, app_server):
    mine, theirs = "Filters: export to PDF drops images", "Filters: export to PDF is slow"
    _file(app_server, seed.client.email, (mine, theirs))
    _as_agent(
        app_server,
        seed.agent.email,
        "from tickit.services import ticket_detail\n"
        "ticket_detail.assign(session=s, actor=agent, number=number_of(" + repr(mine) + "), assignee_id=agent.id)\n"
        "ticket_detail.set_priority(session=s, actor=agent, number=number_of(" + repr(mine) + "), priority='urgent')\n",
    )
    page = page_as("agent")
    page.goto(f"{BOARD}&{urlencode({'q': 'Filters: export to PDF'})}")
    new = _column(page, "New")
    expect(_card(new, mine)).to_contain_text("Agnes Agent")
    expect(_card(new, theirs)).to_be_visible()

    def choose(label: str, option: str) -> None:
        page.get_by_role("combobox", name=label).click()
        page.get_by_role("option", name=option, exact=True).click()

    choose("Priority", "Urgent")
    expect(page).to_have_url(re.compile(r"[?&]priority=urgent"))
    expect(_card(new, mine)).to_be_visible()
    expect(_card(new, theirs)).to_have_count(0)
    choose("Priority", "Any priority")
    choose("Assignee", "Mine")
    expect(_card(new, theirs)).to_have_count(0)
    expect(_card(new, mine)).to_be_visible()
    choose("Assignee", "Unassigned")
    expect(_card(new, mine)).to_have_count(0)
    expect(_card(new, theirs)).to_be_visible()
    choose("Assignee", "Agnes Agent")
    expect(_card(new, theirs)).to_have_count(0)
    expect(_card(new, mine)).to_be_visible()


def test_a_change_made_elsewhere_shows_on_an_open_board_within_five_seconds(page_as, seed, app_server):
    title = "Live: crash when the upload is cancelled"
    _file(app_server, seed.client.email, (title,))
    page = page_as("agent")
    page.goto(f"{BOARD}&{urlencode({'q': title})}")
    expect(_card(_column(page, "New"), title)).to_contain_text("Unassigned")

    _as_agent(
        app_server,
        seed.agent.email,
        "from tickit.services import board, ticket_detail\n"
        f"board.move_card(session=s, actor=agent, number=number_of({title!r}), to_status='triaged')\n"
        f"ticket_detail.assign(session=s, actor=agent, number=number_of({title!r}), assignee_id=agent.id)\n",
    )
    card = _card(_column(page, "Triaged"), title)
    expect(card).to_contain_text("Agnes Agent", timeout=5_000)
    expect(_card(_column(page, "New"), title)).to_have_count(0)


def test_a_long_column_shows_its_first_cards_and_more_on_request(page_as, seed, app_server):
    prefix = "Long column:"
    titles = [f"{prefix} idea {n}" for n in range(1, CARD_WINDOW + 4)]
    _file(app_server, seed.client.email, titles, type_key="feature_request")
    page = page_as("agent")
    page.goto(f"/tickets/board?project=HH&type=feature_request&{urlencode({'q': prefix})}")
    new = _column(page, "New")
    expect(new).to_have_accessible_name(_named("New", len(titles)))
    expect(new.locator("a[data-ticket]")).to_have_count(CARD_WINDOW)
    more = new.get_by_role("button", name=f"Show {min(CARD_STEP, 3)} more (3 not shown)")
    more.click()
    expect(new.locator("a[data-ticket]")).to_have_count(len(titles))
    expect(more).to_have_count(0)
    expect(_card(new, titles[-1])).to_be_visible()


def test_an_order_dragged_within_a_column_survives_a_reload(page_as, seed, app_server):
    first, second = "Order: first filed", "Order: second filed"
    _file(app_server, seed.client.email, (first, second))
    page = page_as("agent")
    page.goto(f"{BOARD}&{urlencode({'q': 'Order: '})}")
    cards = _column(page, "New").locator("a[data-ticket]")
    expect(cards).to_have_count(2)
    expect(cards.first).to_contain_text(first)

    announced = page.locator("[id^='DndLiveRegion']")
    _card(_column(page, "New"), second).focus()
    page.keyboard.press("Space")
    expect(announced).to_contain_text("Picked up HH-")
    dnd_listening(page)
    page.keyboard.press("ArrowUp")
    expect(announced).to_contain_text("is over New column.")
    page.keyboard.press("Space")
    expect(cards.first).to_contain_text(second)
    page.reload()
    expect(cards).to_have_count(2)
    expect(cards.first).to_contain_text(second)
    expect(cards.last).to_contain_text(first)


def _move_right_by_keyboard(page, column: str, title: str, over: str) -> None:
    """Lift the card with Space, move it one column to the right, drop it with Space."""
    announced = page.locator("[id^='DndLiveRegion']")
    _card(_column(page, column), title).focus()
    page.keyboard.press("Space")
    expect(announced).to_contain_text("Picked up HH-")
    dnd_listening(page)
    page.keyboard.press("ArrowRight")
    expect(announced).to_contain_text(f"is over {over} column.")
    page.keyboard.press("Space")


def test_a_drop_offers_undo_which_moves_the_card_back_through_the_workflow(page_as, seed, app_server):
    title = "Undo: the card goes back where it was"
    _file(app_server, seed.client.email, (title,))
    _as_agent(
        app_server,
        seed.agent.email,
        f"from tickit.services import board\nboard.move_card(session=s, actor=agent, number=number_of({title!r}), "
        "to_status='triaged')\n",
    )
    page = page_as("agent")
    page.goto(f"{BOARD}&{urlencode({'q': title})}")

    _move_right_by_keyboard(page, "Triaged", title, "In progress")
    toast = page.locator("[data-sonner-toast]").filter(has_text="moved to In progress.")
    expect(_card(_column(page, "In progress"), title)).to_be_visible()
    toast.get_by_role("button", name="Undo").click()

    expect(page.get_by_text(re.compile(r"HH-\d+ is back in Triaged\."))).to_be_visible()
    expect(_card(_column(page, "Triaged"), title)).to_be_visible()
    expect(_card(_column(page, "In progress"), title)).to_have_count(0)
    page.reload()
    expect(_card(_column(page, "Triaged"), title)).to_be_visible()
    # The undo is a move like any other: the ticket's history shows both.
    _card(_column(page, "Triaged"), title).click()
    expect(page.get_by_text("moved it from Triaged to In progress")).to_be_visible()
    expect(page.get_by_text("moved it from In progress to Triaged")).to_be_visible()


def test_an_undo_the_workflow_does_not_allow_says_why_and_leaves_the_card(page_as, seed, app_server):
    title = "Undo: no way back from Triaged to New"
    _file(app_server, seed.client.email, (title,))
    page = page_as("agent")
    page.goto(f"{BOARD}&{urlencode({'q': title})}")

    _move_right_by_keyboard(page, "New", title, "Triaged")
    page.locator("[data-sonner-toast]").filter(has_text="moved to Triaged.").get_by_role("button", name="Undo").click()

    expect(page.get_by_text(re.compile(r"Cannot undo: HH-\d+ cannot move from Triaged to New\."))).to_be_visible()
    expect(_card(_column(page, "Triaged"), title)).to_be_visible()


def test_done_columns_start_collapsed_and_any_column_collapses_and_opens(page_as, seed, app_server):
    title = "Collapse: chips name their field"
    _file(app_server, seed.client.email, (title,), field_values=FIELDS)
    page = page_as("agent")
    page.goto(f"{BOARD}&{urlencode({'q': title})}")

    # Bug has six columns: its two done columns start as narrow strips, still showing their counts.
    for done in ("Fixed", "Won't fix"):
        expect(_column(page, done)).to_have_attribute("data-collapsed", "true")
        expect(page.get_by_role("button", name=f"Expand {done}")).to_have_attribute("aria-expanded", "false")
    expect(_column(page, "New")).to_have_attribute("data-collapsed", "false")
    card = _card(_column(page, "New"), title)
    expect(card).to_contain_text("Severity: Major")
    expect(card).to_contain_text("Platform: iOS")

    page.get_by_role("button", name="Collapse New").click()
    expect(_column(page, "New")).to_have_attribute("data-collapsed", "true")
    expect(_card(page, title)).to_have_count(0)
    page.get_by_role("button", name="Expand New").click()
    expect(_card(_column(page, "New"), title)).to_be_visible()
    page.get_by_role("button", name="Expand Fixed").click()
    expect(_column(page, "Fixed")).to_have_attribute("data-collapsed", "false")
    expect(page.get_by_role("button", name="Collapse Fixed")).to_have_attribute("aria-expanded", "true")
