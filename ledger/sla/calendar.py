"""Indonesian working days (hari kerja) in an agency's own time zone.

A hari kerja is Monday to Friday, except national public holidays (libur nasional) and cuti
bersama, as given by the `holidays` package (Indonesia, categories public and government) and
corrected by the override file. Deadline convention (docs/sla.md): a report received at any time
on local day D is due by the end (23:59:59.999999 local) of the n-th hari kerja after D; when D is
not a hari kerja, the report counts as received on the next hari kerja.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
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

    def is_working_day(self, day: date | datetime) -> bool:
        """Tell whether a local day is a hari kerja."""
        local = self.local_date(day)
        if local in self.overrides.removed:
            return True
        if local.weekday() >= 5:
            return False
        return local not in self.non_working_dates(local.year)

    def next_working_day(self, day: date | datetime) -> date:
        """The first hari kerja strictly after this local day."""
        candidate = self.local_date(day) + _ONE_DAY
        while not self.is_working_day(candidate):
            candidate += _ONE_DAY
        return candidate

    def receipt_day(self, moment: date | datetime) -> date:
        """The hari kerja on which counting starts: the local day itself, or the next hari kerja."""
        local = self.local_date(moment)
        return local if self.is_working_day(local) else self.next_working_day(local)

    def end_of_day(self, day: date) -> datetime:
        """The last microsecond of a local day, returned in UTC."""
        return datetime.combine(day, time.max, tzinfo=self.time_zone).astimezone(UTC)

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """The deadline n hari kerja after start: end of that local day, in UTC."""
        require_aware(start, "start")
        if n < 0:
            raise ValueError(f"number of working days must not be negative, got {n}")
        day = self.receipt_day(start)
        for _ in range(n):
            day = self.next_working_day(day)
        return self.end_of_day(day)

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
        count = 0
        day = first + _ONE_DAY
        while day <= last:
            count += self.is_working_day(day)
            day += _ONE_DAY
        return count
