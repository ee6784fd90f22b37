"""Business-time arithmetic: pinned examples and properties that must hold for any calendar and instant."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tickit.services.business_hours import (
    ROUND_THE_CLOCK,
    Calendar,
    CalendarError,
    format_duration,
    parse_duration,
    parse_windows,
)

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE_HOURS = parse_windows("09:00-17:00")
WEEKDAYS_ONLY = (OFFICE_HOURS,) * 5 + ((), ())


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def office(**kwargs) -> Calendar:
    return Calendar(timezone="Europe/Berlin", week=WEEKDAYS_ONLY, **kwargs)


def test_four_hours_filed_friday_afternoon_are_due_monday_noon():
    friday_4pm = berlin(2026, 11, 13, 16, 0)
    assert office().add(friday_4pm, timedelta(hours=4)) == berlin(2026, 11, 16, 12, 0)


def test_a_target_crossing_a_holiday_skips_it():
    monday_4pm = berlin(2026, 11, 16, 16, 0)
    calendar = office(holidays=frozenset({date(2026, 11, 17)}))
    assert calendar.add(monday_4pm, timedelta(hours=4)) == berlin(2026, 11, 18, 12, 0)


def test_public_holidays_of_the_country_close_the_day():
    christmas_eve_4pm = berlin(2026, 12, 24, 16, 0)  # a Thursday; the 25th and 26th are German holidays
    assert office(country="DE").add(christmas_eve_4pm, timedelta(hours=2)) == berlin(2026, 12, 28, 10, 0)


def test_several_windows_a_day_leave_the_lunch_break_out():
    calendar = Calendar(timezone="Europe/Berlin", week=(parse_windows("09:00-12:00,13:00-17:00"),) * 7)
    assert calendar.add(berlin(2026, 11, 16, 11, 0), timedelta(hours=2)) == berlin(2026, 11, 16, 14, 0)
    assert calendar.elapsed(berlin(2026, 11, 16, 8, 0), berlin(2026, 11, 16, 18, 0)) == timedelta(hours=7)


def test_a_night_shift_ending_at_midnight_runs_into_the_next_morning():
    calendar = Calendar(timezone="Europe/Berlin", week=(parse_windows("00:00-06:00,22:00-24:00"),) * 7)
    assert calendar.add(berlin(2026, 11, 16, 23, 0), timedelta(hours=3)) == berlin(2026, 11, 17, 2, 0)


def test_the_night_the_clocks_go_back_lasts_an_hour_longer():
    calendar = Calendar(timezone="Europe/Berlin", week=(((0, 24 * 60),),) * 7)
    start = berlin(2026, 10, 25, 0, 0)  # 25 wall-clock hours until the next midnight
    assert calendar.elapsed(start, berlin(2026, 10, 26, 0, 0)) == timedelta(hours=25)


def test_office_hours_on_a_daylight_saving_day_are_still_eight_hours():
    calendar = Calendar(timezone="Europe/Berlin", week=(OFFICE_HOURS,) * 7)
    assert calendar.add(berlin(2026, 3, 29, 9, 0), timedelta(hours=8)) == berlin(2026, 3, 29, 17, 0)


def test_round_the_clock_is_plain_time():
    start = datetime(2026, 11, 13, 16, 0, tzinfo=UTC)
    assert ROUND_THE_CLOCK.add(start, timedelta(hours=72)) == start + timedelta(hours=72)
    assert ROUND_THE_CLOCK.is_open(start)


def test_is_open_follows_the_windows():
    assert office().is_open(berlin(2026, 11, 16, 9, 0))
    assert not office().is_open(berlin(2026, 11, 16, 17, 0))
    assert not office().is_open(berlin(2026, 11, 14, 12, 0))  # Saturday


@pytest.mark.parametrize(
    "kwargs, problem",
    [
        ({"timezone": "Mars/Olympus"}, "IANA"),
        ({"timezone": "UTC", "week": ((),) * 7}, "at least one"),
        ({"timezone": "UTC", "week": WEEKDAYS_ONLY, "country": "XX"}, "country"),
    ],
)
def test_unusable_calendars_are_refused(kwargs, problem):
    with pytest.raises(CalendarError, match=problem):
        Calendar(**kwargs)


def test_durations_read_and_write_alike():
    assert [parse_duration(t) for t in ("30m", "8h", "1h30m", "120h")] == [30, 480, 90, 7200]
    assert [format_duration(m) for m in (30, 480, 90, 7200)] == ["30m", "8h", "1h30m", "120h"]
    for bad in ("", "8", "h", "1d", "0m", "-1h"):
        with pytest.raises(ValueError):
            parse_duration(bad)


# Properties: any calendar of one to three windows a day in a zone with daylight saving.
_window = st.tuples(st.integers(0, 47), st.integers(1, 16)).map(lambda p: (p[0] * 30, min(p[0] * 30 + p[1] * 30, 1440)))
_day = (
    st.lists(_window, max_size=2)
    .map(lambda ws: tuple(sorted(set(ws))))
    .filter(lambda ws: all(a[1] <= b[0] for a, b in zip(ws, ws[1:], strict=False)))
)
calendars = st.builds(
    lambda week, zone, days: Calendar(timezone=zone, week=tuple(week), holidays=frozenset(days)),
    st.lists(_day, min_size=7, max_size=7).filter(any),
    st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC"]),
    st.sets(st.dates(date(2026, 1, 1), date(2027, 12, 31)), max_size=10),
)
instants = st.datetimes(datetime(2026, 1, 1), datetime(2027, 6, 30), timezones=st.just(UTC))
durations = st.integers(1, 200 * 60).map(lambda minutes: timedelta(minutes=minutes))


@settings(max_examples=150, deadline=None)
@given(calendars, instants, durations)
def test_adding_then_measuring_gives_the_duration_back(calendar, start, duration):
    assert calendar.elapsed(start, calendar.add(start, duration)) == duration


@settings(max_examples=150, deadline=None)
@given(calendars, instants, durations)
def test_a_duration_never_ends_inside_a_closed_period(calendar, start, duration):
    due = calendar.add(start, duration)
    # Just before the due instant the clock was running: the due time is inside, or at the end of, an open window.
    assert calendar.is_open(due - timedelta(microseconds=1))


@settings(max_examples=150, deadline=None)
@given(calendars, instants, durations, durations)
def test_longer_durations_end_no_earlier(calendar, start, one, other):
    shorter, longer = sorted((one, other))
    assert calendar.add(start, shorter) <= calendar.add(start, longer)


@settings(max_examples=150, deadline=None)
@given(calendars, instants, instants, durations)
def test_later_starts_end_no_earlier(calendar, one, other, duration):
    early, late = sorted((one, other))
    assert calendar.add(early, duration) <= calendar.add(late, duration)
    assert calendar.elapsed(early, late) <= late - early
