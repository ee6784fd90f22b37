"""What people see of notifications: the bell, their choices on /profile, push on a device, the service worker."""

from __future__ import annotations

import base64
import json
import os
import re
import time
from contextlib import contextmanager

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.sync_api import expect
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from tests.e2e.conftest import at_path
from tickit.db import create_db_engine
from tickit.models import Notification, Project, PushSubscription, Ticket, User

# Headless Chromium reaches no real push service here: the page's PushManager hands out a subscription made
# of the test's own keys instead, and remembers the application server key the page subscribed with.
FAKE_PUSH_MANAGER = """
(() => {
  const fake = %s;
  let current = null;
  const encode = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
  PushManager.prototype.subscribe = async function (options) {
    window.__subscribedWithKey = encode(options.applicationServerKey);
    current = {
      endpoint: fake.endpoint,
      expirationTime: null,
      options: {
        userVisibleOnly: options.userVisibleOnly,
        applicationServerKey: new Uint8Array(options.applicationServerKey).buffer,
      },
      toJSON() {
        return { endpoint: fake.endpoint, expirationTime: null, keys: { p256dh: fake.p256dh, auth: fake.auth } };
      },
      async unsubscribe() { current = null; return true; },
    };
    return current;
  };
  PushManager.prototype.getSubscription = async function () { return current; };
})();
"""


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _browser_subscription(endpoint: str) -> dict[str, str]:
    point = ec.generate_private_key(ec.SECP256R1()).public_key()
    raw = point.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return {"endpoint": endpoint, "p256dh": _b64url(raw), "auth": _b64url(os.urandom(16))}


@contextmanager
def server_db(app_server):
    """A session on the running server's own SQLite database."""
    engine = create_db_engine(make_url(f"sqlite:///{app_server.data_dir / 'tickit.db'}"))
    try:
        with Session(engine, expire_on_commit=False) as session:
            yield session
    finally:
        engine.dispose()


def _user_id(session, email: str) -> int:
    return session.exec(select(User.id).where(User.email == email)).one()


def _ticket(session, title: str) -> tuple[int, str]:
    ticket_id, key, number = session.exec(
        select(Ticket.id, Project.key, Ticket.number)
        .join(Project, Project.id == Ticket.project_id)
        .where(Ticket.title == title)
    ).one()
    return ticket_id, f"{key}-{number}"


def _notify(app_server, email: str, ticket_title: str, *summaries: str, event: str = "assigned") -> str:
    """Give `email` one unread notification per summary about the ticket titled `ticket_title`; its number."""
    with server_db(app_server) as session:
        user_id = _user_id(session, email)
        ticket_id, number = _ticket(session, ticket_title)
        for summary in summaries:
            session.add(Notification(user_id=user_id, ticket_id=ticket_id, event=event, summary=summary))
        session.commit()
    return number


def _subscriptions(app_server, email: str) -> list[PushSubscription]:
    with server_db(app_server) as session:
        user_id = _user_id(session, email)
        return list(session.exec(select(PushSubscription).where(PushSubscription.user_id == user_id)).all())


def _bell(page):
    return page.get_by_role("button", name=re.compile(r"^Notifications"))


# --- preferences -------------------------------------------------------------------------------------------


def test_mail_and_push_switches_are_kept_after_a_reload(new_account, page_as):
    page = page_as(new_account("agent", project="HH"))
    page.goto("/profile")
    mail = page.get_by_role("switch", name="Email me")
    push = page.get_by_role("switch", name="Push to my devices")
    expect(mail).to_be_checked()
    expect(push).to_be_checked()

    mail.click()
    expect(mail).not_to_be_checked()  # the switch follows the server's answer
    page.reload()
    expect(mail).not_to_be_checked()
    expect(push).to_be_checked()

    push.click()
    expect(push).not_to_be_checked()
    mail.click()
    expect(mail).to_be_checked()
    page.reload()
    expect(page.get_by_role("switch", name="Email me")).to_be_checked()
    expect(page.get_by_role("switch", name="Push to my devices")).not_to_be_checked()


# --- push on this device -----------------------------------------------------------------------------------


def test_enabling_notifications_stores_this_browsers_subscription_with_the_servers_key(
    new_account, page_as, app_server
):
    account = new_account("agent", project="HH")
    page = page_as(account)
    subscription = _browser_subscription(f"https://push.example.test/send/{os.urandom(6).hex()}")
    page.context.grant_permissions(["notifications"], origin=app_server.url)
    page.context.add_init_script(FAKE_PUSH_MANAGER % json.dumps(subscription))
    page.goto("/profile")
    expect(page.get_by_text("No device receives push notifications yet.")).to_be_visible()

    page.get_by_role("button", name="Enable notifications on this device").click()

    expect(page.get_by_text("Notifications are enabled on this device.", exact=True).first).to_be_visible()
    server_key = app_server.tickit("vapid", "public-key").strip()
    assert page.evaluate("window.__subscribedWithKey") == server_key
    (row,) = _subscriptions(app_server, account.email)
    assert (row.endpoint, row.p256dh, row.auth) == (
        subscription["endpoint"],
        subscription["p256dh"],
        subscription["auth"],
    )
    assert row.vapid_public_key == server_key
    scope = page.evaluate("navigator.serviceWorker.getRegistration('/').then(r => r && r.scope)")
    assert scope == f"{app_server.url}/"
    devices = page.get_by_role("list", name="Your devices")
    expect(devices.get_by_role("listitem")).to_have_count(1)
    expect(devices).to_contain_text("push.example.test")
    expect(devices).to_contain_text("This device")

    page.get_by_role("button", name="Disable on this device").click()
    expect(page.get_by_role("button", name="Enable notifications on this device")).to_be_visible()
    expect(page.get_by_text("No device receives push notifications yet.")).to_be_visible()
    assert _subscriptions(app_server, account.email) == []


def test_removing_a_device_from_the_list_forgets_its_subscription(new_account, page_as, app_server):
    account = new_account("client", project="HH")
    page = page_as(account)
    page.context.grant_permissions(["notifications"], origin=app_server.url)
    page.context.add_init_script(FAKE_PUSH_MANAGER % json.dumps(_browser_subscription("https://push.example.test/r/1")))
    page.goto("/profile")
    page.get_by_role("button", name="Enable notifications on this device").click()
    expect(page.get_by_role("list", name="Your devices").get_by_role("listitem")).to_have_count(1)

    page.get_by_role("button", name="Remove push.example.test").click()

    expect(page.get_by_text("No device receives push notifications yet.")).to_be_visible()
    expect(page.get_by_role("button", name="Enable notifications on this device")).to_be_visible()
    assert _subscriptions(app_server, account.email) == []


def test_a_browser_without_web_push_is_told_so(new_account, page_as):
    page = page_as(new_account("agent", project="HH"))
    page.context.add_init_script("delete window.PushManager;")
    page.goto("/profile")
    expect(page.get_by_text("This browser cannot receive push notifications.", exact=False)).to_be_visible()
    expect(page.get_by_role("button", name="Enable notifications on this device")).to_have_count(0)


def test_blocked_notifications_are_explained_instead_of_offering_the_button(new_account, page_as, app_server):
    account = new_account("agent", project="HH")
    page = page_as(account)
    page.goto("/profile")
    # Without a grant, headless Chromium answers the permission request with "denied", as a user blocking it would.
    page.get_by_role("button", name="Enable notifications on this device").click()
    expect(page.get_by_text("Notifications are blocked for this site.", exact=False)).to_be_visible()
    assert _subscriptions(app_server, account.email) == []


# --- the service worker ------------------------------------------------------------------------------------


def test_the_service_worker_shows_a_pushed_notification_with_the_tickets_url(new_account, page_as, app_server):
    page = page_as(new_account("agent", project="HH"))
    page.context.grant_permissions(["notifications"], origin=app_server.url)
    page.goto("/profile")
    cdp = page.context.new_cdp_session(page)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    # `ready` settles once the worker is active; evaluate waits for it.
    page.evaluate("navigator.serviceWorker.register('/sw.js', {scope: '/'}).then(() => navigator.serviceWorker.ready)")
    # DevTools reports registrations asynchronously, and slowly on a loaded machine.
    deadline = time.monotonic() + 30
    ids: set[str] = set()
    while not ids and time.monotonic() < deadline:
        page.wait_for_timeout(100)
        ids = {
            r["registrationId"]
            for r in registrations
            if r["scopeURL"] == f"{app_server.url}/" and not r.get("isDeleted")
        }
    assert len(ids) == 1, f"DevTools reported these registrations for the app's scope: {registrations}"
    (registration_id,) = ids
    payload = {
        "title": "HH-42 · New ticket",
        "body": "Checkout button does nothing",
        "url": "/tickets/HH-42",
        "tag": "ticket-HH-42",
    }

    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": app_server.url, "registrationId": registration_id, "data": json.dumps(payload)},
    )

    # Polled from here, not with wait_for_function: that takes the promise itself as truthy and hands back
    # whatever it settles to, an empty list when the worker has not shown the notification yet. Each poll
    # reads the notification as it sees it, since headless Chromium may close a shown one soon after.
    deadline = time.monotonic() + 30
    shown = []
    while not shown and time.monotonic() < deadline:
        page.wait_for_timeout(50)
        shown = page.evaluate(
            """navigator.serviceWorker.getRegistration('/').then(r => r.getNotifications()).then(list =>
                 list.map(n => ({title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url})))"""
        )
    assert shown == [
        {
            "title": "HH-42 · New ticket",
            "body": "Checkout button does nothing",
            "tag": "ticket-HH-42",
            "url": f"{app_server.url}/tickets/HH-42",
        }
    ]


# notificationclick cannot be dispatched to a real service worker from a test (only a trusted click on a shown
# notification does that), so the served sw.js runs in the page with a stand-in `self`: its own handler code,
# with the service worker's clients recorded.
RUN_NOTIFICATION_CLICK = """async ({ url, tabs }) => {
  const source = await (await fetch("/sw.js")).text();
  const origin = location.origin;
  const log = [];
  const listeners = {};
  const fakeSelf = {
    location: { origin },
    addEventListener: (type, handler) => { listeners[type] = handler; },
    skipWaiting: () => {},
    clients: {
      claim: async () => {},
      matchAll: async () => tabs.map((tabUrl) => ({
        url: origin + tabUrl,
        focus: async () => { log.push(["focus", origin + tabUrl]); },
        navigate: async (to) => { log.push(["navigate", origin + tabUrl, to]); },
      })),
      openWindow: async (to) => { log.push(["open", to]); },
    },
  };
  new Function("self", source)(fakeSelf);
  const pending = [];
  listeners.notificationclick({
    notification: { data: { url }, close: () => log.push(["close"]) },
    waitUntil: (promise) => pending.push(promise),
  });
  await Promise.all(pending);
  return log.map((entry) => entry.map((part) => part.replace(origin, "")));
}"""


def test_clicking_a_notification_focuses_the_tab_on_its_ticket_or_opens_one(page_as):
    page = page_as("agent")

    def click(url, tabs):
        return page.evaluate(RUN_NOTIFICATION_CLICK, {"url": url, "tabs": tabs})

    assert click("/tickets/HH-42", ["/tickets/HH-7", "/tickets/HH-42"]) == [["close"], ["focus", "/tickets/HH-42"]]
    # Another TickIt tab may hold a half-written reply: it is not navigated away.
    assert click("/tickets/HH-42", ["/tickets/HH-7"]) == [["close"], ["open", "/tickets/HH-42"]]
    # Only this app's paths are opened.
    assert click("https://elsewhere.example/phish", []) == [["close"], ["open", "/"]]


# --- the bell ----------------------------------------------------------------------------------------------


def test_the_bell_counts_new_notifications_live_and_opening_one_leads_to_its_ticket(
    new_account, page_as, app_server, seed
):
    agent = new_account("agent", project="HH")
    page = page_as(agent)
    page.goto("/tickets")
    expect(_bell(page)).to_have_accessible_name("Notifications")

    _notify(app_server, agent.email, seed.client_ticket, "New ticket: Search ignores accents", event="ticket_created")
    number = _notify(app_server, agent.email, seed.client_ticket, "Assigned to you")
    _notify(app_server, seed.agent.email, seed.client_ticket, "Meant for another agent")

    expect(_bell(page)).to_have_accessible_name("Notifications, 2 unread", timeout=20_000)
    expect(_bell(page)).to_contain_text("2")
    _bell(page).click()
    panel = page.get_by_role("dialog", name="Notifications")
    expect(panel.get_by_role("link", name="Assigned to you, unread")).to_be_visible()
    panel.get_by_role("radio", name="All").click()
    expect(panel.get_by_role("link", name="New ticket: Search ignores accents, unread")).to_be_visible()
    expect(panel.get_by_text("Meant for another agent")).to_have_count(0)

    panel.get_by_role("link", name="Assigned to you").click()

    expect(page).to_have_url(at_path(f"/tickets/{number}"))
    expect(_bell(page)).to_have_accessible_name("Notifications, 1 unread")
    _bell(page).click()
    panel = page.get_by_role("dialog", name="Notifications")
    expect(panel.get_by_role("link", name="Assigned to you", exact=True)).to_be_visible()
    panel.get_by_role("button", name="Mark all read").click()
    expect(_bell(page)).to_have_accessible_name("Notifications")
    expect(panel.get_by_role("link", name="New ticket: Search ignores accents", exact=True)).to_be_visible()


def test_the_bell_shows_what_concerns_me_first_and_everything_under_all(new_account, page_as, app_server, seed):
    agent = new_account("agent", project="HH")
    _notify(
        app_server, agent.email, seed.client_ticket, "New ticket HH-9: Search ignores accents", event="ticket_created"
    )
    _notify(app_server, agent.email, seed.client_ticket, "Ada mentioned you on HH-9", event="mention")
    _notify(app_server, agent.email, seed.client_ticket, "Ada replied on HH-9", event="client_reply")
    page = page_as(agent)
    page.goto("/tickets")

    _bell(page).click()
    panel = page.get_by_role("dialog", name="Notifications")
    for_me = panel.get_by_role("radio", name="For me")
    expect(for_me).to_be_checked()
    expect(panel.get_by_role("link", name=re.compile("^Ada (mentioned|replied)"))).to_have_count(2)
    expect(panel.get_by_role("link", name=re.compile("^New ticket"))).to_have_count(0)

    panel.get_by_role("radio", name="All").click()
    expect(panel.get_by_role("link", name=re.compile("^New ticket HH-9"))).to_be_visible()
    expect(panel.get_by_role("link")).to_have_count(3)

    for_me.click()
    expect(panel.get_by_role("link", name=re.compile("^New ticket"))).to_have_count(0)


def test_a_clients_bell_leads_to_the_portal_page_of_the_ticket(page_as, app_server, seed, accounts):
    client = accounts["client"]
    number = _notify(app_server, client.email, seed.client_ticket, "Agnes replied to your ticket", event="staff_reply")
    page = page_as("client")
    _bell(page).click()
    page.get_by_role("dialog", name="Notifications").get_by_role("link", name=re.compile("^Agnes replied")).click()
    expect(page).to_have_url(at_path(f"/portal/tickets/{number}"))
