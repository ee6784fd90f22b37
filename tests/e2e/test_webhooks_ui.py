"""An admin adds a webhook endpoint, sends it a test event, reads the delivery log and redelivers."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect
from standardwebhooks.webhooks import Webhook

from tests.e2e.conftest import at_path, error_at, screenshots, sign_in
from tests.webhook_receiver import WebhookReceiver


def _wait_for_requests(receiver: WebhookReceiver, count: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while len(receiver.requests) < count and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(receiver.requests) >= count, receiver.requests


def test_an_admin_adds_an_endpoint_tests_it_and_redelivers_from_the_log(new_page, app_server):
    app_server.tickit("project", "create", "--key=WB", "--name=Wombat Hooks", "--template=software-feedback")
    page = new_page()
    sign_in(page, app_server.admin)
    page.goto("/admin/projects")
    page.get_by_role("link", name="Webhooks of Wombat Hooks").click()
    expect(page).to_have_url(at_path("/admin/projects/WB/webhooks"))
    expect(page.get_by_role("heading", name="No webhooks yet")).to_be_visible()

    with WebhookReceiver() as receiver:
        page.get_by_role("button", name="New endpoint").click()
        dialog = page.get_by_role("dialog", name="New webhook endpoint")
        dialog.get_by_label("URL").fill("https://10.20.30.40/hooks")
        dialog.get_by_role("button", name="Add endpoint").click()
        expect(error_at(dialog, "URL")).to_contain_text("Allow a private address")
        # The receiver is on 127.0.0.1, a private address (which this test server also exempts, as push does).
        dialog.get_by_label("URL").fill(receiver.url)
        # The box is the server's state: it shows ticked once the round trip is back, which check() does not wait for.
        dialog.get_by_label("Allow a private address").click()
        expect(dialog.get_by_label("Allow a private address")).to_be_checked()
        dialog.get_by_label("Description").fill("Wombat CRM")
        # The fields are the server's state: submit once it holds what was typed, not while it re-renders.
        expect(dialog.get_by_label("Description")).to_have_value("Wombat CRM")
        expect(dialog.get_by_label("URL")).to_have_value(receiver.url)
        dialog.get_by_role("button", name="Add endpoint").click()
        expect(dialog).to_be_hidden()

        shown = page.get_by_role("region", name="New signing secret")
        expect(shown.get_by_label("Signing secret")).to_have_text(re.compile(r"^whsec_"))
        secret = shown.get_by_label("Signing secret").inner_text().strip()
        expect(page.get_by_text("Private address allowed")).to_be_visible()
        screenshots(page, "webhooks")
        shown.get_by_role("button", name="Done").click()
        expect(shown).to_be_hidden()

        page.get_by_role("button", name="Send test event").click()
        _wait_for_requests(receiver, 1)
        first = receiver.requests[0]
        assert Webhook(secret).verify(first.body, first.headers)["type"] == "webhook.test"

        page.get_by_role("button", name="Delivery log").click()
        log = page.get_by_role("region", name="Delivery log")
        expect(log.get_by_text("webhook.test")).to_be_visible()
        expect(log.get_by_text("204", exact=True)).to_be_visible()
        expect(log.get_by_text(first.headers["webhook-id"])).to_be_visible()
        screenshots(page, "webhooks-log")

        log.get_by_role("button", name="Redeliver").click()
        _wait_for_requests(receiver, 2)
        assert receiver.requests[1].headers["webhook-id"] == first.headers["webhook-id"]
        assert receiver.requests[1].body == first.body
        log.get_by_role("button", name="Refresh").click()
        expect(log.get_by_role("button", name="Redeliver")).to_have_count(2)

        page.get_by_label("Send events to " + receiver.url).click()
        expect(page.get_by_text("Disabled", exact=True)).to_be_visible()
        expect(page.get_by_role("button", name="Send test event")).to_be_disabled()
