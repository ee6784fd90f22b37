"""An agent attaches files to a ticket on its page, downloads them back byte for byte, and removes one."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import _python

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


def _file_ticket(app_server, client_email: str) -> None:
    _python(
        app_server,
        "from tests.factories import file_ticket\n"
        "from tickit.services import users\n"
        "from tickit.services.actors import UserPublic\n"
        "with session_scope() as s:\n"
        f"    client = UserPublic.of(users.find_by_email(s, {client_email!r}))\n"
        f"    file_ticket(s, client, 'HH', {TITLE!r})\n",
    )


def test_agent_attaches_two_files_downloads_the_same_bytes_and_removes_one(page_as, seed, app_server, tmp_path: Path):
    _file_ticket(app_server, seed.client.email)
    page = page_as("agent")
    page.goto("/tickets")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    details = page.get_by_role("complementary", name="Ticket details")
    expect(details.get_by_text("No files.")).to_be_visible()

    # Both files go in one request through the picker the button opens, with a progress bar.
    with page.expect_file_chooser() as chooser:
        details.get_by_role("button", name="Attach files").click()
    assert chooser.value.is_multiple()
    chooser.value.set_files(
        [
            {"name": NOTES, "mimeType": "text/plain", "buffer": NOTES_BYTES},
            {"name": PICTURE, "mimeType": "image/png", "buffer": _png()},
        ]
    )
    expect(details.get_by_role("progressbar", name="Upload progress")).to_have_attribute("aria-valuenow", "100")
    expect(details.get_by_role("status")).to_contain_text("Attached 2 files.")

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
