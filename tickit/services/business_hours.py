"""Business-time arithmetic on a calendar: add a duration, measure elapsed business time, ask if open.

Pure: no database, no clock. A calendar is an IANA time zone, working windows per weekday in
local wall time (several a day; `24:00` ends a day), holiday dates, and optionally a country (and
subdivision) whose public holidays the `holidays` package knows. Windows are turned into UTC
instants day by day through the zone, so a window on a daylight-saving day is as long as the
wall clock says it is (09:00-17:00 is 8 hours either way; 00:00-24:00 is 23 or 25).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holiday_tables

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_MINUTES = 24 * 60
# A calendar open at least once a week reaches any duration within a few years of holidays; a
# search this long means a calendar that never opens (every window a holiday), not a slow one.
_SEARCH_DAYS = 366 * 20
_WINDOW = re.compile(r"^([01][0-9]|2[0-4]):([0-5][0-9])-([01][0-9]|2[0-4]):([0-5][0-9])$")

Window = tuple[int, int]  # minutes after local midnight, start < end <= 1440


class CalendarError(ValueError):
    """A calendar value that cannot be used: an unknown zone or country, a malformed window."""


@dataclass(frozen=True)
class Calendar:
    """When the clock runs. `week[0]` holds Monday's windows; `holidays` and public holidays close whole days."""

    timezone: str = "UTC"
    week: tuple[tuple[Window, ...], ...] = ((),) * 7
    holidays: frozenset[date] = frozenset()
    country: str | None = None
    subdivision: str | None = None
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            zone = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise CalendarError(f"{self.timezone!r} is not an IANA time zone (like Europe/Berlin)") from None
        object.__setattr__(self, "_zone", zone)
        if len(self.week) != 7:
            raise CalendarError("a week has seven days of windows")
        for day in self.week:
            last_end = -1
            for start, end in day:
                if not 0 <= start < end <= DAY_MINUTES or start < last_end:
                    raise CalendarError("windows run forward within a day and do not overlap")
                last_end = end
        if not any(self.week):
            raise CalendarError("a calendar needs at least one working window in its week")
        if self.country is not None:
            _public_holidays(self.country, self.subdivision, 2000)  # refuse an unknown country now

    @property
    def is_round_the_clock(self) -> bool:
        return not self.holidays and self.country is None and all(day == ((0, DAY_MINUTES),) for day in self.week)

    def is_closed_day(self, day: date) -> bool:
        """Whether `day` (local) is a holiday, own or public."""
        if day in self.holidays:
            return True
        return self.country is not None and day in _public_holidays(self.country, self.subdivision, day.year)

    def open_intervals(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The open periods from `start` on, as UTC (from, to) pairs, clipped to begin no earlier than `start`."""
        start = _utc(start)
        day = start.astimezone(self._zone).date() - timedelta(days=1)  # a window may end after local midnight
        for _ in range(_SEARCH_DAYS):
            if not self.is_closed_day(day):
                for begin, end in self.week[day.weekday()]:
                    opens, closes = self._instant(day, begin), self._instant(day, end)
                    if closes > start and closes > opens:
                        yield max(opens, start), closes
            day += timedelta(days=1)
        raise CalendarError("the calendar has no open time for twenty years; check its windows and holidays")

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant at which `duration` of business time has passed since `start`."""
        start = _utc(start)
        if duration <= timedelta(0):
            return start
        if self.is_round_the_clock:
            return start + duration
        remaining = duration
        for opens, closes in self.open_intervals(start):
            if closes - opens >= remaining:
                return opens + remaining
            remaining -= closes - opens
        raise AssertionError("unreachable: open_intervals raises when it runs out")

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time between two instants (zero when `end` is not after `start`)."""
        start, end = _utc(start), _utc(end)
        if end <= start:
            return timedelta(0)
        if self.is_round_the_clock:
            return end - start
        total = timedelta(0)
        for opens, closes in self.open_intervals(start):
            if opens >= end:
                break
            total += min(closes, end) - opens
        return total

    def is_open(self, at: datetime) -> bool:
        """Whether the clock runs at instant `at`."""
        at = _utc(at)
        for opens, closes in self.open_intervals(at):
            return opens == at and closes > at
        return False

    def _instant(self, day: date, minutes: int) -> datetime:
        # Wall time on `day`; 24:00 is the next day's midnight. A wall time that does not exist
        # (inside a spring-forward gap) is read with the offset before the change, as zoneinfo does.
        local = datetime.combine(day, time(), tzinfo=self._zone) + timedelta(minutes=minutes)
        local = datetime.combine(local.date(), local.time(), tzinfo=self._zone)
        return local.astimezone(UTC)


ROUND_THE_CLOCK = Calendar(timezone="UTC", week=(((0, DAY_MINUTES),),) * 7)


@lru_cache(maxsize=256)
def _public_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    try:
        table = holiday_tables.country_holidays(country, subdiv=subdivision, years=year)
    except NotImplementedError:
        if subdivision is not None and country in holiday_tables.list_supported_countries():
            raise CalendarError(
                f"{subdivision!r} is not a subdivision of {country} the holidays package knows"
            ) from None
        raise CalendarError(f"{country!r} is not a country code the holidays package knows (like DE)") from None
    return frozenset(table.keys())


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime given; business time works on aware instants")
    return moment.astimezone(UTC)


def parse_windows(text: str) -> tuple[Window, ...]:
    """`"09:00-12:00,13:00-17:00"` as minute windows; `""` is a closed day. CalendarError if malformed."""
    windows: list[Window] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        match = _WINDOW.match(part)
        if not match:
            raise CalendarError(f"{part!r} is not a window like 09:00-17:00")
        start = int(match[1]) * 60 + int(match[2])
        end = int(match[3]) * 60 + int(match[4])
        if start >= DAY_MINUTES or end > DAY_MINUTES:
            raise CalendarError(f"{part!r}: a window starts before 24:00 and ends by 24:00")
        if end <= start:
            raise CalendarError(f"{part!r} ends before it starts")
        if windows and start < windows[-1][1]:
            raise CalendarError(f"{part!r} overlaps or comes before the window before it; list windows in order")
        windows.append((start, end))
    return tuple(windows)


def format_windows(windows: tuple[Window, ...]) -> str:
    """The windows as `parse_windows` reads them."""
    return ",".join(f"{_hhmm(start)}-{_hhmm(end)}" for start, end in windows)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


_DURATION = re.compile(r"^(?:(\d{1,5})h)?(?:(\d{1,6})m)?$")


def parse_duration(text: str) -> int:
    """Business minutes from `30m`, `8h`, `1h30m`, `120h`; ValueError when it is not such a duration."""
    match = _DURATION.match(text.strip()) if isinstance(text, str) else None
    if not match or not (match[1] or match[2]):
        raise ValueError(f"{text!r} is not a duration like 30m, 8h or 1h30m")
    minutes = int(match[1] or 0) * 60 + int(match[2] or 0)
    if minutes <= 0:
        raise ValueError("a target must be longer than zero")
    return minutes


def format_duration(minutes: int) -> str:
    """Minutes as `parse_duration` reads them: `1h30m`, `8h`, `45m`."""
    hours, rest = divmod(minutes, 60)
    return (f"{hours}h" if hours else "") + (f"{rest}m" if rest or not hours else "")
