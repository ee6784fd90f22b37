"""A client follows their ticket in the portal: the public thread only, replies, files; nobody else's ticket."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zlib

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import REPO_ROOT, at_path, sign_in

TITLE = "Portal page: invoices PDF is empty"
PUBLIC = "We can reproduce it and are on it."
MARKER = "SECRET-MARKER-123"


def _png() -> bytes:
    """A 2×2 grey PNG, so the attachment gets a thumbnail."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\x80\x80\x80" * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _seed_ticket(app_server, client_email: str, agent_email: str) -> dict:
    """Client A's ticket with a public agent comment, an internal note (with a file) and a public image."""
    script = (
        "import json\n"
        "from tickit.db import session_scope\n"
        "from tests.factories import file_ticket\n"
        "from tickit.services import attachments, comments, users\n"
        "from tickit.services.actors import UserPublic\n"
        "with session_scope() as s:\n"
        f"    client = UserPublic.of(users.find_by_email(s, {client_email!r}))\n"
        f"    agent = UserPublic.of(users.find_by_email(s, {agent_email!r}))\n"
        f"    number = file_ticket(s, client, 'HH', {TITLE!r}, type_key='bug')\n"
        f"    comments.add_comment(session=s, actor=agent, number=number, body_html={f'<p>{PUBLIC}</p>'!r})\n"
        "    note = comments.add_comment(session=s, actor=agent, number=number, internal=True,\n"
        f"        body_html={f'<p>Legacy plan, {MARKER}</p>'!r})\n"
        "    shot = attachments.store_upload(session=s, actor=agent, number=number, filename='screenshot.png',\n"
        f"        content_type='image/png', file=attachments.receive_file([{_png()!r}]))\n"
        "    hidden = attachments.store_upload(session=s, actor=agent, number=number, comment_id=note.id,\n"
        f"        filename={f'{MARKER}.txt'!r}, content_type='text/plain',\n"
        "        file=attachments.receive_file([b'for agents only']))\n"
        "print(json.dumps({'number': number, 'shot': shot.download_url, 'thumb': shot.thumbnail_url,\n"
        "    'hidden': hidden.download_url}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        check=False,
        cwd=REPO_ROOT,
        env=app_server.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        pytest.fail(f"Seeding script failed:\n{done.stdout}{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_client_sees_the_public_thread_replies_and_no_one_else_gets_in(
    new_page, page_as, seed, app_server, new_account
):
    client_a = new_account("client", project="HH", name="Alice Able")
    client_b = new_account("client", project="HH", name="Bob Baker")
    ticket = _seed_ticket(app_server, client_a.email, seed.agent.email)
    number = ticket["number"]

    # Client A opens the ticket from the portal list; every websocket frame is kept.
    page = new_page()
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(str(payload))))
    sign_in(page, client_a)
    page.get_by_role("link", name=TITLE).click()
    expect(page).to_have_url(at_path(f"/portal/tickets/{number}"))
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    agent_comment = page.get_by_role("article", name=f"Comment by {seed.agent.name}")
    expect(agent_comment).to_contain_text(PUBLIC)
    details = page.get_by_role("complementary", name="Ticket details")
    expect(details.get_by_role("link", name="screenshot.png")).to_be_visible()
    expect(details.get_by_role("img", name="screenshot.png")).to_be_visible()
    expect(page.get_by_role("list", name="Activity")).to_contain_text("commented")

    # The internal note, its file and its activity are nowhere: not shown, not in the page, not on the wire.
    assert MARKER not in page.locator("body").inner_text()
    assert MARKER not in page.content()
    assert "internal note" not in page.get_by_role("list", name="Activity").inner_text()
    assert frames, "no websocket traffic was captured"
    assert MARKER not in "".join(frames)

    # The files A may see download; the internal note's does not exist for A.
    assert page.request.get(ticket["shot"]).status == 200
    assert page.request.get(ticket["thumb"]).status == 200
    assert page.request.get(ticket["hidden"]).status == 404

    # A replies under the agent's comment and comments on the ticket; both survive a reload.
    agent_comment.get_by_role("button", name="Reply").click()
    page.get_by_role("textbox", name="Reply").click()
    page.keyboard.type("Thanks, it happens with every invoice.")
    page.get_by_role("button", name="Reply", exact=True).last.click()
    expect(page.locator("[data-reply='true']").filter(has_text="with every invoice")).to_be_visible()
    page.get_by_role("textbox", name="New comment").click()
    page.keyboard.type("Attaching another example soon.")
    composer = page.get_by_role("group", name="Write a comment")
    with page.expect_file_chooser() as chooser:
        composer.get_by_role("button", name="Attach files").click()
    chooser.value.set_files([{"name": "invoice-1010.txt", "mimeType": "text/plain", "buffer": b"Invoice 1010\n"}])
    page.get_by_role("button", name="Post", exact=True).click()
    mine = page.get_by_role("article", name=f"Comment by {client_a.name}").last
    expect(mine).to_contain_text("another example")
    # The file the client chose while writing hangs under their comment, and downloads.
    example = mine.get_by_role("link", name="invoice-1010.txt")
    expect(example).to_be_visible()
    assert page.request.get(example.get_attribute("href")).body() == b"Invoice 1010\n"
    # The client attaches a file to their ticket, and it is listed as theirs.
    with page.expect_file_chooser() as chooser:
        details.get_by_role("button", name="Attach files").click()
    chooser.value.set_files([{"name": "invoice-1009.txt", "mimeType": "text/plain", "buffer": b"Invoice 1009\n"}])
    expect(details.get_by_role("status")).to_contain_text("Attached")
    expect(details.get_by_role("link", name="invoice-1009.txt")).to_be_visible()
    page.reload()
    expect(page.locator("[data-reply='true']").filter(has_text="with every invoice")).to_be_visible()
    expect(page.get_by_role("article", name=f"Comment by {client_a.name}").last).to_contain_text("another example")
    expect(details.get_by_role("link", name="invoice-1009.txt")).to_be_visible()
    assert MARKER not in "".join(frames)

    # Client B, in the same project, gets "not found" for A's ticket and 404 for its files.
    other = page_as(client_b)
    other.goto(f"/portal/tickets/{number}")
    expect(other.get_by_text("Ticket not found")).to_be_visible()
    assert TITLE not in other.content()
    assert PUBLIC not in other.content()
    assert other.request.get(ticket["shot"]).status == 404
    assert other.request.get(ticket["thumb"]).status == 404

    # An agent following a portal link lands on the staff page of the same ticket, where the note is
    # (which also shows the frame capture above would have seen a leaked note).
    agent = new_page()
    agent_frames: list[str] = []
    agent.on("websocket", lambda ws: ws.on("framereceived", lambda payload: agent_frames.append(str(payload))))
    sign_in(agent, seed.agent)
    agent.goto(f"/portal/tickets/{number}")
    expect(agent).to_have_url(at_path(f"/tickets/{number}"))
    expect(agent.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(agent.get_by_role("article", name=f"Internal note by {seed.agent.name}")).to_contain_text(MARKER)
    assert MARKER in "".join(agent_frames)


def _staff_acts(app_server, agent_email: str, number: str, body: str) -> None:
    """Run `body` (with `s`, `agent` and `number` in scope) as the agent, in the server's database."""
    lines = "".join(f"    {line}\n" for line in body.strip().splitlines())
    script = (
        "from tickit.db import session_scope\n"
        "from tickit.services import comments, ticket_detail, workflow\n"
        "from tickit.services import users\n"
        "from tickit.services.actors import UserPublic\n"
        "with session_scope() as s:\n"
        f"    agent = UserPublic.of(users.find_by_email(s, {agent_email!r}))\n"
        f"    number = {number!r}\n" + lines
    )
    done = subprocess.run(
        [sys.executable, "-c", script], check=False, cwd=REPO_ROOT, env=app_server.env, capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.fail(f"Staff script failed:\n{done.stdout}{done.stderr}")


def test_the_clients_ticket_and_list_follow_the_teams_replies_and_status_live_in_plain_words(
    page_as, app_server, seed, new_account
):
    client = new_account("client", project="HH", name="Lena Live")
    number = _seed_ticket(app_server, client.email, seed.agent.email)["number"]
    page = page_as(client)
    page.goto(f"/portal/tickets/{number}")
    details = page.get_by_role("complementary", name="Ticket details")
    expect(details.get_by_text("Open", exact=True)).to_be_visible()
    listing = page_as(client)
    listing.goto("/portal")
    row = listing.get_by_role("row").filter(has_text=number)
    expect(row.get_by_text("Open", exact=True)).to_be_visible()

    # Internal moves and triage are not the client's: New -> Triaged reads "Open" before and after.
    _staff_acts(
        app_server,
        seed.agent.email,
        number,
        """
workflow.move(session=s, actor=agent, number=number, to_status="triaged")
ticket_detail.set_priority(session=s, actor=agent, number=number, priority="urgent")
ticket_detail.assign(session=s, actor=agent, number=number, assignee_id=agent.id)
comments.add_comment(session=s, actor=agent, number=number, body_html="<p>Fix is rolling out now.</p>")
workflow.move(session=s, actor=agent, number=number, to_status="in_progress")
""",
    )

    expect(page.get_by_text("Fix is rolling out now.")).to_be_visible(timeout=15_000)
    expect(details.get_by_text("In progress", exact=True)).to_be_visible()
    expect(page.get_by_text("moved it to In progress")).to_be_visible()
    for hidden in ("Triaged", "Urgent", "urgent", "assigned it", "changed priority"):
        expect(page.get_by_text(hidden)).to_have_count(0)
    expect(row.get_by_text("In progress", exact=True)).to_be_visible(timeout=15_000)
    expect(listing.get_by_role("columnheader", name="Priority")).to_have_count(0)
