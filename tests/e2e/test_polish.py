"""The finish: a branded 404 with ways on, the app's icons, times in the viewer's zone, labels for stored values."""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect

from tests.e2e.conftest import VIEWPORT, at_path, sign_in


def test_an_unknown_address_shows_a_branded_404_that_leads_home(page_as):
    page = page_as("client")

    page.goto("/portal/no-such-thing")

    expect(page.get_by_role("heading", level=1, name="Page not found")).to_be_visible()
    expect(page.get_by_text("TickIt").first).to_be_visible()
    page.get_by_role("navigation", name="Ways on").get_by_role("link", name="Go to your start page").click()
    expect(page).to_have_url(at_path("/portal"))


def test_pages_name_their_icons_and_the_icons_are_served(new_page):
    page = new_page()
    page.goto("/login")

    icons = page.eval_on_selector_all(
        "link[rel~='icon'], link[rel='apple-touch-icon'], link[rel='manifest']", "els => els.map(e => e.href)"
    )
    manifest = next(href for href in icons if href.endswith(".webmanifest"))
    assert {re.sub(r"^.*/", "/", href) for href in icons} >= {"/favicon.ico", "/favicon.svg", "/apple-touch-icon.png"}
    body = page.request.get(manifest)
    assert body.status == 200
    for icon in json.loads(body.body())["icons"]:
        served = page.request.get(icon["src"])
        assert served.status == 200 and served.headers["content-type"] == "image/png", icon
    assert page.request.get("/favicon.ico").status == 200


# The served sw.js runs in the page with a stand-in `self` and registration, recording what it shows.
RUN_PUSH = """async () => {
  const source = await (await fetch("/sw.js")).text();
  const listeners = {};
  const shown = [];
  const fakeSelf = {
    location: { origin: location.origin },
    addEventListener: (type, handler) => { listeners[type] = handler; },
    skipWaiting: () => {},
    clients: { claim: async () => {} },
    registration: { showNotification: async (title, options) => shown.push({ title, options }) },
  };
  new Function("self", source)(fakeSelf);
  const pending = [];
  listeners.push({
    data: { json: () => ({ title: "HH-42 · New ticket", body: "Checkout fails", url: "/tickets/HH-42" }) },
    waitUntil: (promise) => pending.push(promise),
  });
  await Promise.all(pending);
  return shown;
}"""


def test_push_notifications_carry_the_app_icon_and_badge(new_page):
    page = new_page()
    page.goto("/login")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    [shown] = page.evaluate(RUN_PUSH)

    assert shown["options"]["icon"] == "/icon-192.png"
    assert shown["options"]["badge"] == "/badge-96.png"
    for image in (shown["options"]["icon"], shown["options"]["badge"]):
        assert page.request.get(image).headers["content-type"] == "image/png"


def test_times_read_in_the_viewers_own_time_zone_with_the_full_time_on_hover(browser, app_server, seed):
    context = browser.new_context(
        viewport=VIEWPORT, base_url=app_server.url, timezone_id="Pacific/Auckland", locale="en-NZ"
    )
    try:
        page = context.new_page()
        sign_in(page, seed.agent)
        page.goto("/tickets?view=all")
        page.get_by_role("link", name=seed.client_ticket).click()
        details = page.get_by_role("complementary", name="Ticket details")

        created = details.get_by_text("Created", exact=True).locator("xpath=following-sibling::*[1]//time")
        expect(created).to_have_text(re.compile(r"ago|just now"))
        instant = created.get_attribute("datetime")
        wanted = page.evaluate(
            """iso => new Intl.DateTimeFormat(undefined, {year: "numeric", month: "short", day: "numeric",
            hour: "2-digit", minute: "2-digit", timeZoneName: "short"}).format(new Date(iso))""",
            instant,
        )
        expect(created).to_have_attribute("title", wanted)
        assert re.search(r"GMT\+1[23]|NZ[DS]T", wanted), wanted
        # A ticket filed on the web reads as such, not as its stored value.
        expect(details).to_contain_text("Web form")
    finally:
        context.close()
