"""On a phone (390×844): the portal files and answers a ticket, and no page of any tree scrolls sideways."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.e2e.test_attachments_ui import _png

PHONE = {"width": 390, "height": 844}
_TOO_LARGE = 25 * 1024 * 1024 + 1  # bytes; TICKIT_UPLOAD_LIMIT_MB is 25 by default

# Every page of the three trees, by the role that sees it; `{ticket}` is a ticket of Help Hub.
PAGES = [
    ("client", "/portal"),
    ("client", "/portal/new"),
    ("client", "/portal/tickets/{ticket}"),
    ("client", "/profile"),
    ("agent", "/tickets"),
    ("agent", "/tickets/board"),
    ("agent", "/tickets/new"),
    ("agent", "/tickets/{ticket}"),
    ("agent", "/tickets/replies"),
    ("admin", "/admin"),
    ("admin", "/admin/users"),
    ("admin", "/admin/projects"),
    ("admin", "/admin/projects/HH"),
    ("admin", "/admin/projects/HH/api-clients"),
    ("admin", "/admin/projects/HH/export"),
    ("admin", "/no/such/page"),
]


@pytest.fixture
def phone_as(browser, app_server, accounts):
    """A signed-in phone: a touch screen of 390×844 CSS pixels."""
    expect.set_options(timeout=15_000)
    contexts = []

    def open_as(who: str):
        context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, base_url=app_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, accounts[who])
        return page

    yield open_as
    for context in contexts:
        context.close()


def _assert_fits(page, path: str) -> None:
    # Against the phone's width itself: a mobile browser widens its layout viewport to fit wide content.
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{path} is {width} px wide on a {PHONE['width']} px phone"


def test_client_files_a_ticket_from_the_menu_and_replies_on_a_phone(phone_as):
    page = phone_as("client")

    # The navigation waits behind the menu button; the sidebar takes no room.
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("dialog").get_by_role("link", name="New ticket").click()
    expect(page).to_have_url(re.compile(r"/portal/new/?$"))
    expect(page.get_by_role("dialog")).to_have_count(0)

    page.get_by_label("Title").fill("Order 1042 shows as unpaid")
    page.get_by_label("Description").fill("I paid by card this morning; the order page still says unpaid.")
    page.get_by_label("Severity", exact=True).click()
    page.get_by_role("option", name="Major – a feature is broken").click()
    _assert_fits(page, "/portal/new")
    page.get_by_role("button", name="File ticket").click()

    expect(page).to_have_url(re.compile(r"/portal/tickets/HH-\d+/?$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Order 1042 shows as unpaid")
    # Where the ticket stands comes before the conversation, full width.
    details = page.get_by_role("complementary", name="Ticket details")
    conversation = page.get_by_role("heading", name="Conversation")
    assert details.bounding_box()["y"] < conversation.bounding_box()["y"]
    assert details.bounding_box()["width"] > PHONE["width"] - 48

    page.get_by_role("textbox", name="New comment").click()
    page.keyboard.type("The receipt number is 5581.")
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_role("article", name="Comment by Clara Client").last).to_contain_text("receipt number is 5581")
    _assert_fits(page, page.url)


def test_client_files_a_ticket_with_attachments_on_a_phone_and_sees_them_on_its_page(phone_as, tmp_path):
    # Handed to the browser by its path: sending 25 MiB through the driver takes longer than a step may.
    video = tmp_path / "bilby-video.mp4"
    with video.open("wb") as sparse:
        sparse.truncate(_TOO_LARGE)
    page = phone_as("client")
    page.goto("/portal/new")
    page.get_by_label("Title").fill("Bilby invoice PDF is blank")
    page.get_by_label("Description").fill("The invoice for order 77 opens as an empty page.")
    page.get_by_label("Severity", exact=True).click()
    page.get_by_role("option", name="Major – a feature is broken").click()

    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Attach files").click()
    chooser.value.set_files(
        [
            {"name": "bilby-invoice.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7 bilby"},
            {"name": "bilby-screen.png", "mimeType": "image/png", "buffer": _png()},
        ]
    )
    chosen = page.get_by_role("list", name="Files to attach")
    expect(chosen.get_by_role("listitem")).to_have_count(2)
    # A file over the limit is refused with the reason; what was typed and chosen stays.
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Attach files").click()
    chooser.value.set_files(video)
    expect(page.get_by_role("alert")).to_contain_text("bilby-video.mp4 is larger than 25 MiB")
    expect(page.get_by_label("Title")).to_have_value("Bilby invoice PDF is blank")
    expect(chosen.get_by_role("listitem")).to_have_count(2)
    _assert_fits(page, "/portal/new")

    page.get_by_role("button", name="File ticket").click()

    expect(page).to_have_url(re.compile(r"/portal/tickets/HH-\d+/?$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bilby invoice PDF is blank")
    files = page.get_by_role("complementary", name="Ticket details").get_by_role("list", name="Attachments")
    expect(files.get_by_role("listitem")).to_have_count(2)
    expect(files.get_by_role("listitem", name="bilby-invoice.pdf")).to_be_visible()
    expect(files.get_by_role("listitem", name="bilby-screen.png")).to_be_visible()
    _assert_fits(page, page.url)


@pytest.mark.parametrize(("role", "path"), PAGES)
def test_no_page_is_wider_than_a_phone(phone_as, role, path):
    page = phone_as(role)
    if "{ticket}" in path:
        page.goto("/tickets?view=all" if role != "client" else "/portal")
        path = path.format(ticket=page.get_by_text(re.compile(r"^HH-\d+$")).first.inner_text())

    page.goto(path)

    expect(page.get_by_role("heading", level=1).first).to_be_visible()
    page.wait_for_load_state("networkidle")
    _assert_fits(page, path)


def test_the_bell_opens_within_the_screen_of_a_phone(phone_as):
    page = phone_as("agent")

    page.get_by_role("button", name=re.compile("^Notifications")).click()

    panel = page.get_by_role("dialog", name="Notifications")
    expect(panel).to_be_visible()
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
