"""The project archive's format: its entries, how a record is written, and the zip written the same way every time.

An archive is a zip holding, in this order:
- `tickets.jsonl`, `comments.jsonl`, `activity.jsonl`, `attachments.jsonl`: one JSON object a line,
  tickets by number, the rest by ticket number and then by time;
- `files/<sha256>`: each attachment's bytes, once per distinct content;
- `users.jsonl`: everyone a record names, by email;
- `project.yaml`: the workflow document `tickit project export` prints;
- `manifest.json`: the format and its version, the project's key, the `since` cut and the counts.

Nothing in it is a database id. Users are named by email, tickets by number, and a comment or
an attachment by its ref within its ticket (`c1`, `a1`: its place in time order there), so an
archive restored elsewhere and exported again is byte for byte the same. Zip entries carry a
fixed timestamp and mode for the same reason.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

FORMAT = "tickit-project-archive"
VERSION = 1
TICKETS = "tickets.jsonl"
COMMENTS = "comments.jsonl"
ACTIVITY = "activity.jsonl"
ATTACHMENTS = "attachments.jsonl"
USERS = "users.jsonl"
PROJECT = "project.yaml"
MANIFEST = "manifest.json"
FILES = "files/"
RECORD_ENTRIES = (TICKETS, COMMENTS, ACTIVITY, ATTACHMENTS)

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say
_ENTRY_MODE = 0o100644 << 16
_COPY_CHUNK = 1 << 20
_COMMENT_REF = re.compile(r"c[1-9][0-9]*")
_ATTACHMENT_REF = re.compile(r"a[1-9][0-9]*")
# `sanitize.label_mentions` writes every stored mention in exactly this shape.
_MENTION_BY_ID = re.compile(r'<span data-type="mention" data-id="([0-9]+)"')
_MENTION_BY_EMAIL = re.compile(r'<span data-type="mention" data-email="([^"]*)"')


def comment_ref(position: int) -> str:
    """The ref of a ticket's `position`-th comment (1-based, in time order)."""
    return f"c{position}"


def attachment_ref(position: int) -> str:
    """The ref of a ticket's `position`-th attachment (1-based, in time order)."""
    return f"a{position}"


def timestamp(value: datetime | None) -> str | None:
    """A moment as the archive writes it: ISO 8601 in UTC, microseconds always shown."""
    return value.isoformat(timespec="microseconds") if value is not None else None


def parse_timestamp(value: str | None) -> datetime | None:
    """The moment `timestamp` wrote."""
    return datetime.fromisoformat(value) if value is not None else None


def record_line(record: dict[str, Any]) -> bytes:
    """One JSONL line: keys sorted, no spaces, UTF-8 as is."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


def entry_info(name: str, size: int) -> zipfile.ZipInfo:
    """A zip entry with the fixed time and mode, deflated."""
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.external_attr = _ENTRY_MODE
    info.compress_type = zipfile.ZIP_DEFLATED
    info.file_size = size  # lets zipfile pick ZIP64 up front for a large entry
    return info


def add_bytes(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    """Add an entry holding `data`."""
    archive.writestr(entry_info(name, len(data)), data)


def add_file(archive: zipfile.ZipFile, name: str, path: Path) -> None:
    """Add an entry holding the file at `path`, copied in chunks."""
    with path.open("rb") as source, archive.open(entry_info(name, path.stat().st_size), "w") as target:
        shutil.copyfileobj(source, target, _COPY_CHUNK)


# --- ids out, refs in ------------------------------------------------------------------------
# An activity entry's before and after name comments and attachments by `comment_id` and
# `attachment_id`, and people as {"id", "name"}; the archive holds refs and emails there instead.


def activity_data_out(
    data: dict[str, Any],
    *,
    comment: Callable[[int], str | None],
    attachment: Callable[[int], str | None],
    email: Callable[[int], str | None],
) -> dict[str, Any]:
    """An activity entry's `before` or `after` with its ids swapped for refs and emails."""
    return _swap(
        data,
        lambda value: comment(value) if isinstance(value, int) else value,
        lambda value: attachment(value) if isinstance(value, int) else value,
        email,
        to_email=True,
    )


def activity_data_in(
    data: dict[str, Any],
    *,
    comment: Callable[[str], int | None],
    attachment: Callable[[str], int | None],
    user_id: Callable[[str], int | None],
) -> dict[str, Any]:
    """An archived `before` or `after` with its refs and emails swapped back for this database's ids."""
    return _swap(
        data,
        lambda value: comment(value) if isinstance(value, str) and _COMMENT_REF.fullmatch(value) else value,
        lambda value: attachment(value) if isinstance(value, str) and _ATTACHMENT_REF.fullmatch(value) else value,
        user_id,
        to_email=False,
    )


def _swap(data: Any, comment: Callable, attachment: Callable, person: Callable, *, to_email: bool) -> Any:
    if isinstance(data, list):
        return [_swap(item, comment, attachment, person, to_email=to_email) for item in data]
    if not isinstance(data, dict):
        return data
    if to_email and set(data) == {"id", "name"} and isinstance(data["id"], int | None):
        return {"email": person(data["id"]) if data["id"] is not None else None, "name": data["name"]}
    if not to_email and set(data) == {"email", "name"}:
        return {"id": person(data["email"]) if data["email"] else None, "name": data["name"]}
    swapped = {}
    for key, value in data.items():
        if key == "comment_id":
            swapped[key] = comment(value)
        elif key == "attachment_id":
            swapped[key] = attachment(value)
        else:
            swapped[key] = _swap(value, comment, attachment, person, to_email=to_email)
    return swapped


def mentions_out(html: str, email: Callable[[int], str | None]) -> str:
    """Comment HTML whose mentions name their user by email instead of by id."""
    return _MENTION_BY_ID.sub(
        lambda found: f'<span data-type="mention" data-email="{email(int(found.group(1))) or ""}"', html
    )


def mentions_in(html: str, user_id: Callable[[str], int | None]) -> str:
    """Archived comment HTML whose mentions name their user by this database's id again."""
    return _MENTION_BY_EMAIL.sub(
        lambda found: f'<span data-type="mention" data-id="{user_id(found.group(1)) or 0}"', html
    )
