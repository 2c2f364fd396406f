"""The working-day index against a plain day-by-day walk, for any moment, zone and overrides."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.sla import OverrideEntry, Overrides, WorkingCalendar, national_holidays

ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
ONE_DAY = timedelta(days=1)


def entries(*days: date) -> dict[date, OverrideEntry]:
    return {d: OverrideEntry(day=d, name=f"test {d.isoformat()}", source="test") for d in days}


# Added: plain weekdays, a New Year's Eve that pushes deadlines into the next year, and a day
# already closed by the package. Removed: Saturdays (one at a year's end), a cuti bersama, a
# libur nasional.
FIXED = Overrides(
    added=entries(
        date(2019, 7, 16),
        date(2025, 10, 14),
        date(2025, 12, 31),
        date(2026, 1, 1),
        date(2029, 6, 5),
        date(2030, 12, 31),
    ),
    removed=entries(
        date(2023, 12, 30),
        date(2025, 12, 26),
        date(2026, 2, 14),
        date(2027, 8, 17),
        date(2031, 12, 27),
    ),
)
OVERRIDES = {"none": Overrides.none(), "fixed": FIXED, "shipped": Overrides.load_default()}

# One calendar per zone and overrides, shared by all examples, so that the index is asked about
# years in any order and grows from wherever the previous example left it.
CALENDARS = {
    (zone, name): WorkingCalendar(zone, overrides)
    for zone in ZONES
    for name, overrides in OVERRIDES.items()
}


class Reference:
    """The deadline convention of docs/sla.md, walked one day at a time."""

    def __init__(self, zone: str, overrides: Overrides) -> None:
        self.zone = ZoneInfo(zone)
        self.overrides = overrides

    def local(self, moment: date | datetime) -> date:
        return moment.astimezone(self.zone).date() if isinstance(moment, datetime) else moment

    def is_working(self, moment: date | datetime) -> bool:
        day = self.local(moment)
        if day in self.overrides.removed:
            return True
        if day.weekday() >= 5 or day in self.overrides.added:
            return False
        return day not in national_holidays(day.year)

    def next(self, moment: date | datetime) -> date:
        day = self.local(moment) + ONE_DAY
        while not self.is_working(day):
            day += ONE_DAY
        return day

    def receipt(self, moment: date | datetime) -> date:
        day = self.local(moment)
        return day if self.is_working(day) else self.next(day)

    def add(self, start: datetime, n: int) -> datetime:
        day = self.receipt(start)
        for _ in range(n):
            day = self.next(day)
        return datetime.combine(day, time.max, tzinfo=self.zone).astimezone(UTC)

    def between(self, a: date | datetime, b: date | datetime) -> int:
        first, last = self.local(a), self.local(b)
        if last < first:
            return -self.between(last, first)
        count = 0
        day = first + ONE_DAY
        while day <= last:
            count += self.is_working(day)
            day += ONE_DAY
        return count


# Moments given in UTC, in the agency zones or at an odd fixed offset.
input_zones = st.sampled_from(
    [UTC, ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Jayapura"), timezone(timedelta(hours=-7))]
)
moments = st.datetimes(
    min_value=datetime(2017, 1, 1),
    max_value=datetime(2031, 12, 31, 23, 59, 59),
    timezones=input_zones,
)
days = st.dates(min_value=date(2017, 1, 1), max_value=date(2031, 12, 31))
moments_or_days = st.one_of(moments, days)
calendars = st.sampled_from(sorted(CALENDARS))

SETTINGS = settings(max_examples=400, deadline=None, database=None)


@SETTINGS
@given(key=calendars, start=moments, n=st.integers(min_value=0, max_value=60))
def test_add_working_days(key: tuple[str, str], start: datetime, n: int) -> None:
    reference = Reference(key[0], OVERRIDES[key[1]])
    assert CALENDARS[key].add_working_days(start, n) == reference.add(start, n)


@SETTINGS
@given(key=calendars, moment=moments_or_days)
def test_single_day_questions(key: tuple[str, str], moment: date | datetime) -> None:
    calendar, reference = CALENDARS[key], Reference(key[0], OVERRIDES[key[1]])
    assert calendar.is_working_day(moment) == reference.is_working(moment)
    assert calendar.next_working_day(moment) == reference.next(moment)
    assert calendar.receipt_day(moment) == reference.receipt(moment)


@SETTINGS
@given(
    key=calendars,
    a=moments_or_days,
    offset=st.integers(min_value=-400, max_value=400),
    far=moments_or_days,
)
def test_working_days_between(
    key: tuple[str, str], a: date | datetime, offset: int, far: date | datetime
) -> None:
    calendar, reference = CALENDARS[key], Reference(key[0], OVERRIDES[key[1]])
    near = a + timedelta(days=offset)
    assert calendar.working_days_between(a, near) == reference.between(a, near)
    assert calendar.working_days_between(a, far) == reference.between(a, far)


@st.composite
def overrides_near(draw: st.DrawFn, around: date) -> Overrides:
    """A few added and removed dates within 90 days of `around`, a removed Saturday among them."""
    window = st.integers(min_value=-90, max_value=90).map(lambda k: around + timedelta(days=k))
    saturday = around + timedelta(days=(5 - around.weekday()) % 7 + 7 * draw(st.integers(-6, 6)))
    added = draw(st.sets(window, max_size=6)) - {saturday}
    removed = (draw(st.sets(window, max_size=4)) | {saturday}) - added
    return Overrides(added=entries(*added), removed=entries(*removed))


@SETTINGS
@given(data=st.data(), zone=st.sampled_from(ZONES), start=moments)
def test_fresh_calendars_with_random_overrides(
    data: st.DataObject, zone: str, start: datetime
) -> None:
    overrides = data.draw(overrides_near(start.astimezone(UTC).date()))
    calendar, reference = WorkingCalendar(zone, overrides), Reference(zone, overrides)
    n = data.draw(st.integers(min_value=0, max_value=60))
    assert calendar.add_working_days(start, n) == reference.add(start, n)
    other = start + timedelta(days=data.draw(st.integers(min_value=-120, max_value=120)))
    assert calendar.working_days_between(start, other) == reference.between(start, other)
    for day in (start, start.date(), *overrides.added, *overrides.removed):
        assert calendar.is_working_day(day) == reference.is_working(day)
        assert calendar.next_working_day(day) == reference.next(day)
        assert calendar.receipt_day(day) == reference.receipt(day)


@pytest.mark.parametrize("zone", ZONES)
def test_the_removed_saturday_is_a_working_day(zone: str) -> None:
    calendar = WorkingCalendar(zone, FIXED)
    assert calendar.is_working_day(date(2026, 2, 14))
    # Fri 13 Feb 2026, then the removed Sat 14; Mon 16 and Tue 17 are Imlek and its cuti bersama.
    assert calendar.next_working_day(date(2026, 2, 13)) == date(2026, 2, 14)
    assert calendar.receipt_day(date(2026, 2, 15)) == date(2026, 2, 18)


def test_deadlines_run_into_the_following_years() -> None:
    calendar = WorkingCalendar("Asia/Jayapura", Overrides.none())
    start = datetime(2031, 12, 31, 15, 30, tzinfo=UTC)  # Thu 1 Jan 2032 00:30 WIT
    assert calendar.add_working_days(start, 60) == Reference("Asia/Jayapura", Overrides.none()).add(
        start, 60
    )
    assert calendar.working_days_between(date(2017, 1, 1), date(2033, 1, 1)) == Reference(
        "Asia/Jayapura", Overrides.none()
    ).between(date(2017, 1, 1), date(2033, 1, 1))
