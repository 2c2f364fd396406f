"""Indonesian working days (hari kerja) in an agency's own time zone.

A hari kerja is Monday to Friday, except national public holidays (libur nasional) and cuti
bersama, as given by the `holidays` package (Indonesia, categories public and government) and
corrected by the override file. Deadline convention (docs/sla.md): a report received at any time
on local day D is due by the end (23:59:59.999999 local) of the n-th hari kerja after D; when D is
not a hari kerja, the report counts as received on the next hari kerja.

Each calendar keeps, per year it has been asked about, the sorted ordinals (`date.toordinal()`)
of that year's hari kerja (and the end of each of those days in UTC). Finding the receipt day is a
binary search in that table and the n-th hari kerja after it is n entries further on, into the
next year's table if need be, so a deadline costs the same for any n instead of a walk day by
day. The tables are immutable tuples built on first use; two threads that build the same year at
once build equal tables and one of them is kept, so a calendar can be shared between threads.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from datetime import MAXYEAR, MINYEAR, UTC, date, datetime, time, timedelta
from functools import cache
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from holidays.constants import GOVERNMENT, PUBLIC

from ledger.sla.overrides import Overrides

_ONE_DAY = timedelta(days=1)


def require_aware(moment: datetime, what: str = "datetime") -> datetime:
    """Return the datetime unchanged, or raise ValueError if it is naive."""
    if not isinstance(moment, datetime):
        raise TypeError(f"{what} must be a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(
            f"{what} must be timezone-aware, got naive {moment.isoformat()}; "
            "attach a zone (e.g. datetime.now(UTC))"
        )
    return moment


@cache
def national_holidays(year: int) -> Mapping[date, str]:
    """Libur nasional and cuti bersama of one year from the `holidays` package, uncorrected."""
    table = holidays.country_holidays(
        "ID", years=year, categories=(PUBLIC, GOVERNMENT), language="id"
    )
    return MappingProxyType(dict(table))


class WorkingCalendar:
    """Hari kerja and working-day deadlines for one time zone (WIB, WITA or WIT)."""

    def __init__(self, time_zone: ZoneInfo | str, overrides: Overrides | None = None) -> None:
        if isinstance(time_zone, str):
            try:
                time_zone = ZoneInfo(time_zone)
            except (ZoneInfoNotFoundError, ValueError, OSError):
                raise ValueError(f"unknown time zone {time_zone!r}") from None
        self.time_zone: ZoneInfo = time_zone
        self.overrides: Overrides = Overrides.load_default() if overrides is None else overrides
        self._years: dict[int, Mapping[date, str]] = {}
        # year -> sorted ordinals of its hari kerja, the same as a set, and the end of each of
        # those days in UTC (the deadlines add_working_days can return), built on first use.
        self._working: dict[int, tuple[int, ...]] = {}
        self._working_sets: dict[int, frozenset[int]] = {}
        self._ends: dict[int, tuple[datetime, ...]] = {}

    def __repr__(self) -> str:
        return f"WorkingCalendar({self.time_zone.key!r})"

    def non_working_dates(self, year: int) -> Mapping[date, str]:
        """Holidays and cuti bersama of a year after overrides, by date (weekends not listed)."""
        table = self._years.get(year)
        if table is None:
            merged = dict(national_holidays(year))
            for day, entry in self.overrides.added.items():
                if day.year == year:
                    merged[day] = entry.name
            for day in self.overrides.removed:
                merged.pop(day, None)
            table = self._years[year] = MappingProxyType(merged)
        return table

    def holiday_name(self, day: date | datetime) -> str | None:
        """Name of the holiday or cuti bersama on this local day, if any."""
        local = self.local_date(day)
        return self.non_working_dates(local.year).get(local)

    def local_date(self, moment: date | datetime) -> date:
        """The calendar date of a moment in this time zone (dates pass through unchanged)."""
        if isinstance(moment, datetime):
            return require_aware(moment).astimezone(self.time_zone).date()
        return moment

    def _working_ordinals(self, year: int) -> tuple[int, ...]:
        """Sorted ordinals of the hari kerja of one year, built once per calendar and year."""
        table = self._working.get(year)
        if table is None:
            if not MINYEAR <= year <= MAXYEAR:
                raise OverflowError("date value out of range")
            closed = self.non_working_dates(year)
            removed = self.overrides.removed
            days: list[int] = []
            for ordinal in range(date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal() + 1):
                day = date.fromordinal(ordinal)
                # A removed date is a hari kerja whatever the weekday (a working Saturday).
                if day in removed or (day.weekday() < 5 and day not in closed):
                    days.append(ordinal)
            self._working_sets.setdefault(year, frozenset(days))
            table = self._working.setdefault(year, tuple(days))
        return table

    def _ends_of_working_days(self, year: int) -> tuple[datetime, ...]:
        """`end_of_day` of each hari kerja of a year, in the order of `_working_ordinals`."""
        ends = self._ends.get(year)
        if ends is None:
            made = (self.end_of_day(date.fromordinal(o)) for o in self._working_ordinals(year))
            ends = self._ends.setdefault(year, tuple(made))
        return ends

    def _carry(self, year: int, table: tuple[int, ...], index: int) -> tuple[int, int]:
        """Position `index` past the end of year's table, as a year and a position in its table."""
        while index >= len(table):
            index -= len(table)
            year += 1
            table = self._working_ordinals(year)
        return year, index

    def _working_day_at(self, year: int, table: tuple[int, ...], index: int) -> date:
        """The hari kerja at `index` (>= 0) of year's table, counting on into later years."""
        if index >= len(table):
            year, index = self._carry(year, table, index)
            table = self._working_ordinals(year)
        return date.fromordinal(table[index])

    def is_working_day(self, day: date | datetime) -> bool:
        """Tell whether a local day is a hari kerja."""
        local = self.local_date(day)
        working = self._working_sets.get(local.year)
        if working is None:
            self._working_ordinals(local.year)
            working = self._working_sets[local.year]
        return local.toordinal() in working

    def next_working_day(self, day: date | datetime) -> date:
        """The first hari kerja strictly after this local day."""
        local = self.local_date(day)
        table = self._working_ordinals(local.year)
        return self._working_day_at(local.year, table, bisect_right(table, local.toordinal()))

    def receipt_day(self, moment: date | datetime) -> date:
        """The hari kerja on which counting starts: the local day itself, or the next hari kerja."""
        local = self.local_date(moment)
        table = self._working_ordinals(local.year)
        return self._working_day_at(local.year, table, bisect_left(table, local.toordinal()))

    def end_of_day(self, day: date) -> datetime:
        """The last microsecond of a local day, returned in UTC."""
        return datetime.combine(day, time.max, tzinfo=self.time_zone).astimezone(UTC)

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """The deadline n hari kerja after start: end of that local day, in UTC."""
        require_aware(start, "start")
        if n < 0:
            raise ValueError(f"number of working days must not be negative, got {n}")
        local = start.astimezone(self.time_zone).date()
        year = local.year
        table = self._working_ordinals(year)
        index = bisect_left(table, local.toordinal()) + n
        if index >= len(table):
            year, index = self._carry(year, table, index)
        return self._ends_of_working_days(year)[index]

    def add_calendar_days(self, start: datetime, n: int) -> datetime:
        """The deadline n calendar days after start: end of that local day, in UTC."""
        require_aware(start, "start")
        if n < 0:
            raise ValueError(f"number of calendar days must not be negative, got {n}")
        return self.end_of_day(self.local_date(start) + n * _ONE_DAY)

    def working_days_between(self, a: date | datetime, b: date | datetime) -> int:
        """Hari kerja after a's local day up to and including b's (negative when b is earlier)."""
        first, last = self.local_date(a), self.local_date(b)
        if last < first:
            return -self.working_days_between(last, first)
        # Hari kerja up to and including `last`, minus those up to and including `first`.
        year = first.year
        table = self._working_ordinals(year)
        count = -bisect_right(table, first.toordinal())
        while year < last.year:
            count += len(table)
            year += 1
            table = self._working_ordinals(year)
        return count + bisect_right(table, last.toordinal())
