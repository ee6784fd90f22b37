"""Turning service data into display-ready strings for state vars."""

from __future__ import annotations

from datetime import UTC, datetime

from tickit.models import utcnow


def ago(moment: datetime | None) -> str:
    """A short relative time: 'just now', '5 min ago', '3 h ago', '4 d ago', then a date."""
    if moment is None:
        return "never"
    seconds = int((utcnow() - moment).total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    if seconds < 14 * 86400:
        return f"{seconds // 86400} d ago"
    return moment.strftime("%-d %b %Y")


def timestamp(moment: datetime | None) -> str:
    return moment.strftime("%-d %b %Y, %H:%M UTC") if moment else ""


def iso(moment: datetime | None) -> str:
    """The instant for `components.local_time`, which words it in the viewer's time zone ("" when unset)."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z") if moment else ""
