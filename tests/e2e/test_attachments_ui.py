"""An agent attaches files to a ticket on its page, downloads them back byte for byte, and removes one."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import _file_ticket_directly

TITLE = "Attachments: screenshot of the broken export"
NOTES = "export-log.txt"
PICTURE = "broken-export.png"
NOTES_BYTES = "Export started 09:14\r\nfailed: ZeroDivisionError — ünïcode ✓\n".encode() + bytes(range(256))


def _png(width: int = 3, height: int = 2) -> bytes:
    """A valid RGB PNG of the given size, made by hand (signature, IHDR, IDAT, IEND)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes([200, 40, 40]) * width for _ in range(height))  # filter 0, red pixels
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _open(page, title: str):
    page.goto("/tickets?view=all")
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    return page


def test_agent_attaches_two_files_downloads_the_same_bytes_and_removes_one(page_as, seed, app_server, tmp_path: Path):
    _file_ticket_directly(app_server, seed.client.email, "HH", TITLE)
    page = _open(page_as("agent"), TITLE)
    details = page.get_by_role("complementary", name="Ticket details")
    expect(details.get_by_text("No files.")).to_be_visible()

    # Both files go in one request through the picker the button opens.
    with page.expect_file_chooser() as chooser:
        details.get_by_role("button", name="Attach files").click()
    assert chooser.value.is_multiple()
    chooser.value.set_files(
        [
            {"name": NOTES, "mimeType": "text/plain", "buffer": NOTES_BYTES},
            {"name": PICTURE, "mimeType": "image/png", "buffer": _png()},
        ]
    )
    expect(details.get_by_role("status")).to_contain_text("Attached 2 files.")
    # Once the files are in, the bar is gone: no full bar lingers beside the list that now holds them.
    expect(details.get_by_role("progressbar", name="Upload progress")).to_have_count(0)

    files = details.get_by_role("list", name="Attachments")
    expect(files.get_by_role("listitem")).to_have_count(2)
    notes = files.get_by_role("listitem", name=NOTES)
    expect(notes).to_contain_text(seed.agent.name)
    expect(notes).to_contain_text("just now")
    expect(page.get_by_role("list", name="Activity")).to_contain_text(NOTES)

    # The picture shows as a thumbnail that really loads; the text file has none.
    thumbnail = files.get_by_role("img", name=PICTURE)
    expect(thumbnail).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth === 3", arg=thumbnail.element_handle())
    expect(notes.get_by_role("img")).to_have_count(0)

    # Downloading through the link gives back the very bytes sent, as an attachment.
    link = notes.get_by_role("link", name=NOTES)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == NOTES
    saved = tmp_path / "downloaded"
    download.value.save_as(saved)
    assert saved.read_bytes() == NOTES_BYTES
    href = link.get_attribute("href")
    response = page.request.get(href)
    assert response.status == 200
    assert response.body() == NOTES_BYTES
    assert response.headers["content-disposition"].startswith("attachment;")

    # Removing one leaves the other, also after a reload; the removed file is no longer served.
    notes.get_by_role("button", name=f"Remove {NOTES}").click()
    expect(files.get_by_role("listitem")).to_have_count(1)
    expect(files.get_by_role("listitem", name=PICTURE)).to_be_visible()
    page.reload()
    details = page.get_by_role("complementary", name="Ticket details")
    expect(details.get_by_role("listitem", name=PICTURE)).to_be_visible()
    expect(details.get_by_role("link", name=NOTES)).to_have_count(0)
    assert page.request.get(href).status == 404


COMMENT_TITLE = "Attachments: crash report on a comment"
CRASH = "crash-report.txt"
CRASH_BYTES = b'Traceback (most recent call last):\n  File "export.py", line 7\n' + bytes(range(200, 256))
REPLY_PICTURE = "after-fix.png"
NOTE_FILE = "customer-contract.txt"


def test_files_written_with_a_comment_and_a_reply_show_under_them_and_download_unchanged(
    page_as, seed, app_server, tmp_path: Path
):
    _file_ticket_directly(app_server, seed.client.email, "HH", COMMENT_TITLE)
    page = _open(page_as("agent"), COMMENT_TITLE)
    composer = page.get_by_role("group", name="Write a comment")

    # The file is chosen while writing: held and listed, sent once the comment exists.
    page.get_by_role("textbox", name="New comment").click()
    page.keyboard.type("The crash report from the customer.")
    with page.expect_file_chooser() as chooser:
        composer.get_by_role("button", name="Attach files").click()
    chooser.value.set_files([{"name": CRASH, "mimeType": "text/plain", "buffer": CRASH_BYTES}])
    expect(composer.get_by_role("list", name="Chosen files")).to_contain_text(CRASH)
    composer.get_by_role("button", name="Post", exact=True).click()

    comment = page.get_by_role("article", name=f"Comment by {seed.agent.name}").filter(has_text="crash report from")
    files = comment.get_by_role("list", name="Files of this comment")
    expect(files.get_by_role("listitem", name=CRASH)).to_be_visible()
    expect(composer.get_by_role("list", name="Chosen files")).to_have_count(0)
    # A comment's files are under it, not among the ticket's own.
    details = page.get_by_role("complementary", name="Ticket details")
    expect(details.get_by_text("No files.")).to_be_visible()
    expect(page.get_by_role("list", name="Activity")).to_contain_text(CRASH)

    link = files.get_by_role("link", name=CRASH)
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / "crash"
    download.value.save_as(saved)
    assert saved.read_bytes() == CRASH_BYTES
    assert download.value.suggested_filename == CRASH

    # A reply takes a picture the same way; it shows as a thumbnail under the reply, also after a reload.
    comment.get_by_role("button", name="Reply").click()
    page.get_by_role("textbox", name="Reply").click()
    page.keyboard.type("Fixed; this is how it looks now.")
    with page.expect_file_chooser() as chooser:
        comment.get_by_role("button", name="Attach files").click()
    chooser.value.set_files([{"name": REPLY_PICTURE, "mimeType": "image/png", "buffer": _png(4, 4)}])
    expect(comment.get_by_role("list", name="Chosen files")).to_contain_text(REPLY_PICTURE)
    comment.get_by_role("button", name="Reply", exact=True).last.click()
    reply = page.locator("[data-reply='true']").filter(has_text="how it looks now")
    thumbnail = reply.get_by_role("img", name=REPLY_PICTURE)
    expect(thumbnail).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth === 4", arg=thumbnail.element_handle())
    expect(page.get_by_role("textbox", name="Reply")).to_have_count(0)
    page.reload()
    reply = page.locator("[data-reply='true']").filter(has_text="how it looks now")
    expect(reply.get_by_role("listitem", name=REPLY_PICTURE)).to_be_visible()
    comment = page.get_by_role("article", name=f"Comment by {seed.agent.name}").filter(has_text="crash report from")
    expect(comment.get_by_role("listitem", name=CRASH)).to_be_visible()


def test_a_file_posted_with_an_internal_note_never_reaches_the_client(page_as, seed, app_server):
    title = "Attachments: contract question"
    _file_ticket_directly(app_server, seed.client.email, "HH", title)
    agent = _open(page_as("agent"), title)
    number = agent.url.rstrip("/").split("/")[-1]
    composer = agent.get_by_role("group", name="Write a comment")
    agent.get_by_role("textbox", name="New comment").click()
    agent.keyboard.type("Their contract ends in May.")
    agent.get_by_text("Internal note", exact=True).click()
    with agent.expect_file_chooser() as chooser:
        composer.get_by_role("button", name="Attach files").click()
    chooser.value.set_files([{"name": NOTE_FILE, "mimeType": "text/plain", "buffer": b"contract terms"}])
    agent.get_by_role("button", name="Post note").click()
    note = agent.get_by_role("article", name=f"Internal note by {seed.agent.name}")
    file_link = note.get_by_role("link", name=NOTE_FILE)
    expect(file_link).to_be_visible()
    href = file_link.get_attribute("href")
    assert agent.request.get(href).status == 200

    client = page_as("client")
    client.goto(f"/portal/tickets/{number}")
    expect(client.get_by_role("heading", name=title)).to_be_visible()
    expect(client.get_by_role("list", name="Activity")).to_contain_text("created")
    assert NOTE_FILE not in client.content()
    assert "contract ends" not in client.content()
    assert client.request.get(href).status == 404
