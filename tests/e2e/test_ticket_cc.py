"""A requester puts someone in copy from the portal; the agent sees it, removes it and follows the ticket."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.test_ticket_page import _file_bug

TITLE = "Cassowary enclosure gate will not latch"
FRIEND = "quokka.keeper@example.org"


def test_the_requester_puts_an_address_in_copy_and_the_agent_follows_the_ticket(page_as, app_server, new_account):
    requester = new_account("client", project="HH", name="Quinn Cassowary")
    _file_bug(app_server, requester.email, TITLE)

    page = page_as(requester)
    page.goto("/portal")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    details = page.get_by_role("complementary", name="Ticket details")
    expect(details).to_contain_text("Nobody is in copy.")

    # The requester's own address is refused, with the reason under the box.
    box = details.get_by_label("Address to put in copy")
    box.fill(requester.email)
    details.get_by_role("button", name="Add", exact=True).click()
    expect(details.get_by_role("alert")).to_contain_text("is the requester")

    box.fill(FRIEND.upper())
    details.get_by_role("button", name="Add", exact=True).click()
    expect(details.get_by_role("button", name=f"Remove {FRIEND} from copy")).to_be_visible()
    expect(details.get_by_role("alert")).to_have_count(0)
    expect(details.get_by_label("Address to put in copy")).to_have_value("")
    expect(page.get_by_role("list", name="Activity")).to_contain_text(f"put {FRIEND} in copy")

    # The agent sees the address on the staff page, follows the ticket, and takes the address out of copy.
    agent = page_as("agent")
    agent.goto("/tickets?view=all")
    agent.get_by_role("link", name=TITLE).click()
    staff = agent.get_by_role("complementary", name="Ticket details")
    expect(staff).to_contain_text(FRIEND)
    expect(staff).to_contain_text("Nobody follows it.")
    staff.get_by_role("button", name="Follow").click()
    expect(staff.get_by_role("button", name="Unfollow")).to_be_visible()
    expect(staff).to_contain_text("Agnes Agent")
    expect(agent.get_by_role("list", name="Activity")).to_contain_text("started following it")

    staff.get_by_role("button", name=f"Remove {FRIEND} from copy").click()
    expect(staff).to_contain_text("Nobody is in copy.")
    expect(agent.get_by_role("list", name="Activity")).to_contain_text(f"took {FRIEND} out of copy")

    # The requester's open page catches up with the change (its ticker), and never learns who follows.
    expect(details).to_contain_text("Nobody is in copy.")
    expect(page.get_by_role("list", name="Activity")).not_to_contain_text("following")
