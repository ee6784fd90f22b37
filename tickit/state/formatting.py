"""Turning service data into display-ready strings for state vars."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(moment: datetime | None) -> str:
    """The instant for `components.local_time`, which words it in the viewer's time zone ("" when unset)."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z") if moment else ""
