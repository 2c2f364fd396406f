"""Hari kerja: weekends, libur nasional and cuti bersama from `holidays`, local dates, counting."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from ledger.sla import WorkingCalendar, national_holidays

WIB = ZoneInfo("Asia/Jakarta")


@pytest.fixture(scope="module")
def wib() -> WorkingCalendar:
    return WorkingCalendar("Asia/Jakarta")


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2025, 3, 28), "Cuti Bersama Hari Suci Nyepi"),
        (date(2025, 3, 31), "Hari Raya Idul Fitri"),
        (date(2025, 4, 1), "Hari kedua dari Hari Raya Idul Fitri"),
        (date(2025, 4, 2), "Cuti Bersama Hari Raya Idul Fitri"),
        (date(2025, 4, 7), "Cuti Bersama Hari Raya Idul Fitri"),
        (date(2025, 12, 25), "Hari Raya Natal"),
        (date(2025, 12, 26), "Cuti Bersama Hari Raya Natal"),
        (date(2026, 3, 20), "Cuti Bersama Hari Raya Idul Fitri"),
        (date(2026, 3, 24), "Cuti Bersama Hari Raya Idul Fitri"),
        (date(2026, 12, 24), "Cuti Bersama Hari Raya Natal"),
    ],
)
def test_holidays_and_cuti_bersama_are_not_working_days(
    wib: WorkingCalendar, day: date, name: str
) -> None:
    assert not wib.is_working_day(day)
    assert wib.holiday_name(day) == name


def test_cuti_bersama_comes_only_with_the_government_category() -> None:
    # The reason for categories=("public", "government"): 26 Dec 2025 is cuti bersama only.
    assert date(2025, 12, 26) in national_holidays(2025)
    assert date(2025, 12, 26) not in holidays.country_holidays("ID", years=2025)


def test_weekdays_weekends_and_plain_days(wib: WorkingCalendar) -> None:
    assert wib.is_working_day(date(2025, 10, 10))  # Friday, no holiday in October 2025
    assert not wib.is_working_day(date(2025, 10, 11))  # Saturday
    assert not wib.is_working_day(date(2025, 10, 12))  # Sunday
    assert wib.is_working_day(date(2025, 4, 8))  # first hari kerja after Lebaran 2025


def test_a_moment_is_judged_by_its_local_date() -> None:
    # 2025-12-24 15:30 UTC is 22:30 on Wed 24 Dec in WIB (a hari kerja) but 00:30 on
    # Thu 25 Dec (Natal) in WIT.
    moment = datetime(2025, 12, 24, 15, 30, tzinfo=UTC)
    assert WorkingCalendar("Asia/Jakarta").is_working_day(moment)
    assert not WorkingCalendar("Asia/Jayapura").is_working_day(moment)


def test_next_working_day_skips_the_whole_lebaran_break(wib: WorkingCalendar) -> None:
    # After Thu 27 Mar 2025: 28 cuti bersama, 29-30 weekend, 31 Mar-1 Apr Idul Fitri,
    # 2-4 Apr cuti bersama, 5-6 weekend, 7 Apr cuti bersama -> Tue 8 Apr.
    assert wib.next_working_day(date(2025, 3, 27)) == date(2025, 4, 8)
    assert wib.next_working_day(date(2025, 10, 10)) == date(2025, 10, 13)  # Fri -> Mon


def test_working_days_between(wib: WorkingCalendar) -> None:
    # Counted after the first day up to and including the last: 8, 9, 10 Apr 2025.
    assert wib.working_days_between(date(2025, 3, 27), date(2025, 4, 10)) == 3
    assert wib.working_days_between(date(2025, 4, 10), date(2025, 3, 27)) == -3
    assert wib.working_days_between(date(2025, 4, 10), date(2025, 4, 10)) == 0
    # Datetimes are taken at their local date: 24 Dec 2025 17:30 UTC is 25 Dec 00:30 WIB.
    assert (
        wib.working_days_between(
            datetime(2025, 12, 22, 9, tzinfo=WIB), datetime(2025, 12, 24, 17, 30, tzinfo=UTC)
        )
        == 2
    )  # 23 and 24 Dec; 25 Dec is Natal


def test_naive_datetimes_are_refused(wib: WorkingCalendar) -> None:
    naive = datetime(2025, 10, 10, 9, 0)
    for call in (
        lambda: wib.add_working_days(naive, 3),
        lambda: wib.is_working_day(naive),
        lambda: wib.next_working_day(naive),
        lambda: wib.working_days_between(naive, naive),
    ):
        with pytest.raises(ValueError, match="timezone-aware"):
            call()


def test_bad_arguments_are_refused(wib: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="negative"):
        wib.add_working_days(datetime(2025, 10, 10, tzinfo=WIB), -1)
    with pytest.raises(ValueError, match="unknown time zone"):
        WorkingCalendar("Asia/Atlantis")


def test_holiday_tables_are_cached_per_year(wib: WorkingCalendar) -> None:
    assert national_holidays(2025) is national_holidays(2025)
    assert wib.non_working_dates(2026) is wib.non_working_dates(2026)


@pytest.mark.parametrize("n", [0, 1, 3, 5, 10, 17])
def test_working_days_between_inverts_add_working_days(wib: WorkingCalendar, n: int) -> None:
    # Every start in the Lebaran-heavy spring of 2025 and the turn of 2025/2026.
    days = [date(2025, 3, 1) + timedelta(days=i) for i in range(60)]
    days += [date(2025, 12, 15) + timedelta(days=i) for i in range(30)]
    for day in days:
        start = datetime.combine(day, time(9), tzinfo=WIB)
        due = wib.add_working_days(start, n)
        # A start on a non-working day also counts its receipt day (day 0).
        expected = n if wib.is_working_day(day) else n + 1
        assert wib.working_days_between(start, due) == expected, day
        assert wib.is_working_day(due)
