"""Deadlines with hand-checked dates: Lebaran, Natal, weekends, WITA/WIT, calendar-time clocks, KIP.

Convention (docs/sla.md): a report received at any moment of local day D is due by the end
(23:59:59.999999 local) of the n-th hari kerja after D; when D is not a hari kerja, counting starts
from the next hari kerja as day 0. Deadlines are returned in UTC. WIB = UTC+7, WITA = UTC+8,
WIT = UTC+9, so a local day ends at 16:59:59.999999 UTC in WIB, 15:59:59.999999 in WITA and
14:59:59.999999 in WIT.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ledger.sla import Clock, Duration, PolicyBook, WorkingCalendar, calendar_time_deadline

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
WIT = ZoneInfo("Asia/Jayapura")
END = (23, 59, 59, 999999)


def end_of_day_utc(year: int, month: int, day: int, utc_hour: int) -> datetime:
    """The last microsecond of a local day, written as the UTC instant it is."""
    return datetime(year, month, day, utc_hour, 59, 59, 999999, tzinfo=UTC)


@pytest.fixture(scope="module")
def book() -> PolicyBook:
    return PolicyBook.load_default()


@pytest.mark.parametrize(
    ("zone", "start", "n", "due"),
    [
        # Idul Fitri 2025. Day 0 = Thu 27 Mar. Then 28 Mar cuti bersama Nyepi, 29-30 weekend
        # (29 Nyepi), 31 Mar-1 Apr Idul Fitri, 2-4 Apr cuti bersama, 5-6 weekend, 7 Apr cuti
        # bersama; WD1 Tue 8 Apr, WD2 Wed 9, WD3 Thu 10 Apr.
        pytest.param(
            WIB,
            datetime(2025, 3, 27, 10, 0, tzinfo=WIB),
            3,
            end_of_day_utc(2025, 4, 10, 16),
            id="idul-fitri-2025-verification",
        ),
        # Same break, 5 WD from Wed 26 Mar 14:00: WD1 Thu 27 Mar, WD2 8 Apr, WD3 9, WD4 10,
        # WD5 Fri 11 Apr.
        pytest.param(
            WIB,
            datetime(2025, 3, 26, 14, 0, tzinfo=WIB),
            5,
            end_of_day_utc(2025, 4, 11, 16),
            id="idul-fitri-2025-follow-up",
        ),
        # Idul Fitri 2026. Day 0 = Tue 17 Mar. 18 cuti bersama Nyepi, 19 Nyepi, 20 cuti bersama,
        # 21-22 Idul Fitri (weekend), 23-24 cuti bersama; WD1 Wed 25, WD2 Thu 26, WD3 Fri 27 Mar.
        pytest.param(
            WIB,
            datetime(2026, 3, 17, 9, 0, tzinfo=WIB),
            3,
            end_of_day_utc(2026, 3, 27, 16),
            id="idul-fitri-2026-verification",
        ),
        # Submitted on Idul Fitri itself, Sat 21 Mar 2026: not a hari kerja, so day 0 is the next
        # one, Wed 25 Mar (22 Sun, 23-24 cuti bersama); WD1 Thu 26, WD2 Fri 27, WD3 Mon 30 Mar.
        pytest.param(
            WIB,
            datetime(2026, 3, 21, 8, 0, tzinfo=WIB),
            3,
            end_of_day_utc(2026, 3, 30, 16),
            id="submitted-on-idul-fitri-2026",
        ),
        # Natal 2025. Day 0 = Wed 24 Dec; 25 Natal, 26 cuti bersama, 27-28 weekend;
        # WD1 Mon 29, WD2 Tue 30, WD3 Wed 31 Dec.
        pytest.param(
            WIB,
            datetime(2025, 12, 24, 11, 0, tzinfo=WIB),
            3,
            end_of_day_utc(2025, 12, 31, 16),
            id="natal-2025-verification",
        ),
        # Natal into the new year: day 0 Tue 23 Dec; WD1 24, WD2 29, WD3 30, WD4 31 Dec,
        # 1 Jan 2026 Tahun Baru, WD5 Fri 2 Jan 2026.
        pytest.param(
            WIB,
            datetime(2025, 12, 23, 9, 0, tzinfo=WIB),
            5,
            end_of_day_utc(2026, 1, 2, 16),
            id="natal-2025-into-2026",
        ),
        # Plain weekend: day 0 Fri 10 Oct 2025 (no holidays in October); WD1 Mon 13, WD2 Tue 14,
        # WD3 Wed 15 Oct.
        pytest.param(
            WIB,
            datetime(2025, 10, 10, 15, 0, tzinfo=WIB),
            3,
            end_of_day_utc(2025, 10, 15, 16),
            id="weekend-from-friday",
        ),
        # Submitted Saturday 11 Oct: day 0 is Mon 13; WD1 14, WD2 15, WD3 Thu 16 Oct.
        pytest.param(
            WIB,
            datetime(2025, 10, 11, 9, 0, tzinfo=WIB),
            3,
            end_of_day_utc(2025, 10, 16, 16),
            id="weekend-from-saturday",
        ),
        # n = 0: due the end of the receipt day; Saturday -> end of Mon 13 Oct.
        pytest.param(
            WIB,
            datetime(2025, 10, 11, 9, 0, tzinfo=WIB),
            0,
            end_of_day_utc(2025, 10, 13, 16),
            id="zero-days-from-saturday",
        ),
        # Bali (WITA): 2025-10-09 16:30 UTC is Fri 10 Oct 00:30 WITA (UTC date still Thu 9).
        # Day 0 Fri 10; WD1 13, WD2 14, WD3 Wed 15 Oct, ending 15:59:59.999999 UTC.
        pytest.param(
            WITA,
            datetime(2025, 10, 9, 16, 30, tzinfo=UTC),
            3,
            end_of_day_utc(2025, 10, 15, 15),
            id="wita-local-date-ahead",
        ),
        # The same instant in WIB is Thu 9 Oct 23:30: day 0 Thu 9; WD1 Fri 10, WD2 13, WD3 Tue 14.
        pytest.param(
            WIB,
            datetime(2025, 10, 9, 16, 30, tzinfo=UTC),
            3,
            end_of_day_utc(2025, 10, 14, 16),
            id="wib-same-instant",
        ),
        # Papua (WIT): 2025-10-10 15:30 UTC is Sat 11 Oct 00:30 WIT, not a hari kerja; day 0
        # Mon 13; WD1 14, WD2 15, WD3 Thu 16 Oct, ending 14:59:59.999999 UTC.
        pytest.param(
            WIT,
            datetime(2025, 10, 10, 15, 30, tzinfo=UTC),
            3,
            end_of_day_utc(2025, 10, 16, 14),
            id="wit-local-saturday",
        ),
        # WIT at Natal: 2025-12-24 15:30 UTC is Thu 25 Dec 00:30 WIT (Natal); 26 cuti bersama,
        # 27-28 weekend, so day 0 Mon 29; WD1 30, WD2 31 Dec, 1 Jan holiday, WD3 Fri 2 Jan 2026.
        pytest.param(
            WIT,
            datetime(2025, 12, 24, 15, 30, tzinfo=UTC),
            3,
            end_of_day_utc(2026, 1, 2, 14),
            id="wit-local-natal",
        ),
        # The same instant in WIB is Wed 24 Dec 22:30, a hari kerja: due Wed 31 Dec (as above).
        pytest.param(
            WIB,
            datetime(2025, 12, 24, 15, 30, tzinfo=UTC),
            3,
            end_of_day_utc(2025, 12, 31, 16),
            id="wib-same-instant-natal",
        ),
    ],
)
def test_add_working_days(zone: ZoneInfo, start: datetime, n: int, due: datetime) -> None:
    deadline = WorkingCalendar(zone).add_working_days(start, n)
    assert deadline == due
    assert deadline.tzinfo is UTC
    assert deadline.astimezone(zone).time() == datetime(2000, 1, 1, *END).time()


def test_national_policy_clocks_across_lebaran_2025(book: PolicyBook) -> None:
    policy, wib = book.get("national-2018"), WorkingCalendar(WIB)
    start = datetime(2025, 3, 27, 10, 0, tzinfo=WIB)
    # verification 3 WD: Thu 10 Apr (see idul-fitri-2025-verification).
    assert policy.deadline(Clock.VERIFICATION, start, wib) == end_of_day_utc(2025, 4, 10, 16)
    # completion ringan 2 WD: WD1 8 Apr, WD2 Wed 9 Apr.
    assert policy.deadline(Clock.COMPLETION, start, wib, handling_class="ringan") == end_of_day_utc(
        2025, 4, 9, 16
    )
    # auto-close 10 WD after a follow-up on Thu 27 Mar: 8, 9, 10, 11, 14, 15, 16, 17 Apr
    # (WD1-8), 18 Apr Good Friday, 19-20 weekend, WD9 Mon 21, WD10 Tue 22 Apr.
    assert policy.deadline(Clock.AUTO_CLOSE, start, wib) == end_of_day_utc(2025, 4, 22, 16)
    # national-2018 sets no completion clock for info_aspiration.
    assert policy.deadline(Clock.COMPLETION, start, wib, handling_class="info_aspiration") is None


def test_diy_disaster_clocks_run_on_calendar_time(book: PolicyBook) -> None:
    diy, wib = book.get("diy-2021"), WorkingCalendar(WIB)
    # A disaster information report at 10:00 WIB on Idul Fitri (31 Mar 2025): 15 minutes later,
    # holiday or not: 10:15 WIB = 03:15 UTC.
    start = datetime(2025, 3, 31, 10, 0, tzinfo=WIB)
    assert diy.deadline(
        Clock.COMPLETION, start, wib, handling_class="info_aspiration", urgency="disaster"
    ) == datetime(2025, 3, 31, 3, 15, tzinfo=UTC)
    # A disaster field check at Sat 11 Oct 2025 23:30 WIB: one hour later is Sun 12 Oct
    # 00:30 WIB = Sat 11 Oct 17:30 UTC.
    start = datetime(2025, 10, 11, 23, 30, tzinfo=WIB)
    assert diy.deadline(
        Clock.COMPLETION,
        start,
        wib,
        handling_class="non_supervisory_field_check",
        urgency="disaster",
    ) == datetime(2025, 10, 11, 17, 30, tzinfo=UTC)
    # The field check has no COVID rule: covid falls to the normal 3 WD (Sat -> day 0 Mon 13;
    # WD1 14, WD2 15, WD3 Thu 16 Oct).
    assert diy.deadline(
        Clock.COMPLETION,
        start,
        wib,
        handling_class="non_supervisory_field_check",
        urgency="covid",
    ) == end_of_day_utc(2025, 10, 16, 16)


def test_diy_falls_back_to_national_for_what_it_does_not_set(book: PolicyBook) -> None:
    diy, wib = book.get("diy-2021"), WorkingCalendar(WIB)
    start = datetime(2025, 10, 10, 15, 0, tzinfo=WIB)
    # verification inherited: 3 WD from Fri 10 Oct -> Wed 15 Oct.
    assert diy.deadline(Clock.VERIFICATION, start, wib) == end_of_day_utc(2025, 10, 15, 16)
    # ringan not set by DIY -> national 2 WD: Mon 13, Tue 14 Oct.
    assert diy.deadline(
        Clock.COMPLETION, start, wib, handling_class="ringan", urgency="disaster"
    ) == end_of_day_utc(2025, 10, 14, 16)
    # supervisory: DIY's own 30 WD, not national's 60 (rule origin says so).
    rule = diy.rule(Clock.COMPLETION, handling_class="supervisory_field_inspection")
    assert rule is not None and rule.origin == "diy-2021@1" and rule.duration.amount == 30


def test_kip_answer_and_extension_across_lebaran_2025(book: PolicyBook) -> None:
    kip, wib = book.get("kip-2008"), WorkingCalendar(WIB)
    received = datetime(2025, 3, 24, 9, 0, tzinfo=WIB)
    # Day 0 Mon 24 Mar; WD1 25, WD2 26, WD3 27 Mar; 28 Mar-7 Apr closed (Nyepi, Lebaran);
    # WD4 8, WD5 9, WD6 10, WD7 11, WD8 14, WD9 15, WD10 Wed 16 Apr.
    answer_due = kip.deadline(Clock.KIP_ANSWER, received, wib)
    assert answer_due == end_of_day_utc(2025, 4, 16, 16)
    # Extension 7 WD from the original deadline: day 0 Wed 16 Apr; WD1 Thu 17; 18 Good Friday,
    # 19-20 weekend (20 Easter); WD2 21, WD3 22, WD4 23, WD5 24, WD6 25, WD7 Mon 28 Apr.
    assert answer_due is not None
    extended = kip.deadline(Clock.KIP_EXTENSION, answer_due, wib)
    assert extended == end_of_day_utc(2025, 4, 28, 16)
    # 10 + 7 WD in one go lands on the same day.
    assert wib.add_working_days(received, 17) == extended
    # The later KIP clocks are plain working-day counts from their own start.
    assert kip.deadline(Clock.KIP_OBJECTION, received, wib) == wib.add_working_days(received, 30)
    assert kip.deadline(Clock.KIP_DISPUTE_FILING, received, wib) == wib.add_working_days(
        received, 14
    )
    assert kip.deadline(Clock.KIP_DISPUTE_DECISION, received, wib) == wib.add_working_days(
        received, 100
    )


def test_covid_2020_clocks(book: PolicyBook) -> None:
    covid, wib = book.get("covid-2020"), WorkingCalendar(WIB)
    # Wed 20 May 2020; 21 May Ascension; WD1 Fri 22 May (its cuti bersama was moved to December).
    submitted = datetime(2020, 5, 20, 14, 0, tzinfo=WIB)
    assert covid.deadline(Clock.VERIFICATION, submitted, wib) == end_of_day_utc(2020, 5, 22, 16)
    # Follow-up 2 WD from Fri 22 May 16:00: 23-24 weekend (24 Idul Fitri), 25 Idul Fitri 2;
    # WD1 Tue 26, WD2 Wed 27 May.
    disposed = datetime(2020, 5, 22, 16, 0, tzinfo=WIB)
    assert covid.deadline(Clock.FIRST_FOLLOW_UP, disposed, wib) == end_of_day_utc(2020, 5, 27, 16)
    assert covid.deadline(Clock.COMPLETION, disposed, wib, handling_class="ringan") is None


def test_deadline_refuses_naive_start_and_unknown_strings(book: PolicyBook) -> None:
    policy, wib = book.get("national-2018"), WorkingCalendar(WIB)
    with pytest.raises(ValueError, match="timezone-aware"):
        policy.deadline(Clock.VERIFICATION, datetime(2025, 10, 10, 9), wib)
    start = datetime(2025, 10, 10, 9, tzinfo=WIB)
    with pytest.raises(ValueError, match="unknown urgency"):
        policy.deadline(Clock.VERIFICATION, start, wib, urgency="urgent")
    with pytest.raises(ValueError, match="unknown handling class"):
        policy.deadline(Clock.COMPLETION, start, wib, handling_class="berat")


def test_calendar_time_and_calendar_day_durations() -> None:
    wib = WorkingCalendar(WIB)
    # Hours run straight through a weekend: Fri 10 Oct 2025 23:00 WIB + 2 h = Sat 01:00 WIB.
    start = datetime(2025, 10, 10, 23, 0, tzinfo=WIB)
    assert calendar_time_deadline(start, timedelta(hours=2)) == datetime(
        2025, 10, 10, 18, 0, tzinfo=UTC
    )
    assert Duration("minutes", 90).deadline(start, wib) == datetime(
        2025, 10, 10, 17, 30, tzinfo=UTC
    )
    # Calendar days end at the end of a local day, holidays included: Wed 24 Dec 2025 + 2
    # calendar days = end of Fri 26 Dec (a cuti bersama) WIB.
    natal_eve = datetime(2025, 12, 24, 11, 0, tzinfo=WIB)
    assert Duration("calendar_days", 2).deadline(natal_eve, wib) == end_of_day_utc(2025, 12, 26, 16)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar_time_deadline(datetime(2025, 10, 10, 23, 0), timedelta(minutes=15))
