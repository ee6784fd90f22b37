"""Files only TickIt's own user may read: the data directory and what it holds.

The database, its WAL, the queue, mails and keys carry sessions' hashes, tickets and signing keys.
Each is created with its final mode (directories 0700, files 0600), never created open and
chmod'ed after: between the two another local user could open it, and keep the handle.
"""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def make_private_dir(path: Path) -> None:
    """Create `path` (and missing parents) if it does not exist; the directory itself gets 0700."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path`, creating it 0600 (an existing file keeps its mode)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def create_private(path: Path) -> None:
    """Create an empty `path` 0600 unless it exists, before a library (SQLite) opens it.

    SQLite gives the WAL and shared-memory files the mode of the database file, so creating the
    database file private keeps all three private.
    """
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        pass
