"""Hand-checked dates for the two clock changes of docs/sla.md.

- Hold (tunda): the verification due moves later by the hari kerja spent on hold.
- KIP extension (perpanjangan jangka waktu, UU 14/2008 Pasal 22(8)): 7 hari kerja from the
  original answer deadline.

2026 calendar used here (WIB and WITA alike, national holidays): Mon 16 Feb cuti bersama Imlek,
Tue 17 Feb Imlek; Wed 18 Mar cuti bersama Nyepi, Thu 19 Mar Nyepi, Fri 20 Mar cuti bersama Idul
Fitri, Sat-Sun 21-22 Mar Idul Fitri, Mon-Tue 23-24 Mar cuti bersama; Fri 3 Apr Wafat Yesus
Kristus. A local day ends at 16:59:59.999999 UTC in WIB and 15:59:59.999999 UTC in WITA.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ledger.deadlines import DeadlineStamper
from ledger.sla import WorkingCalendar
from ledger.sla.pause import resumed_due
from projections.dues import Dues
from projections.rules.record import ClockRecord

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")

# Submitted Thu 12 Feb 10:00 WIB. Without a hold: day 0 Thu 12, WD1 Fri 13, (Sat, Sun, Mon 16
# and Tue 17 are not hari kerja) WD2 Wed 18, WD3 Thu 19 Feb.
SUBMITTED = datetime(2026, 2, 12, 10, tzinfo=WIB)
DUE_WITHOUT_HOLD = datetime(2026, 2, 19, 16, 59, 59, 999999, tzinfo=UTC)
# On hold Fri 13 Feb 14:00, answered Wed 18 Feb 09:00: the hari kerja after Fri 13 up to and
# including Wed 18 are only Wed 18 (weekend, cuti bersama and Imlek between): 1 WD on hold.
HOLD = (datetime(2026, 2, 13, 14, tzinfo=WIB), datetime(2026, 2, 18, 9, tzinfo=WIB))
# So the due moves from Thu 19 to Fri 20 Feb.
DUE_WITH_HOLD = datetime(2026, 2, 20, 16, 59, 59, 999999, tzinfo=UTC)


@pytest.fixture(scope="module")
def stamper() -> DeadlineStamper:
    return DeadlineStamper.load_default()


def test_the_verification_due_moves_by_the_working_days_on_hold(stamper: DeadlineStamper) -> None:
    def due(hold: tuple[datetime, datetime] | None) -> datetime:
        stamp = stamper.at_verification(
            agency_id="kota-serang",
            classification="pengaduan",
            urgency="normal",
            handling_class="ringan",
            submitted_at=SUBMITTED,
            hold=hold,
        )
        return stamp.deadlines["verification"]

    assert due(None) == DUE_WITHOUT_HOLD
    assert due(HOLD) == DUE_WITH_HOLD
    # answered Mon 23 Feb: Wed 18, Thu 19, Fri 20 and Mon 23 on hold -> Thu 19 + 4 WD = Wed 25
    longer = (HOLD[0], datetime(2026, 2, 23, 8, tzinfo=WIB))
    assert due(longer) == datetime(2026, 2, 25, 16, 59, 59, 999999, tzinfo=UTC)


def test_pause_edges() -> None:
    calendar = WorkingCalendar(WIB)
    same_day = (HOLD[0], HOLD[0] + timedelta(hours=2))
    assert resumed_due(DUE_WITHOUT_HOLD, "working_days", same_day, calendar) == DUE_WITHOUT_HOLD
    late_hold = (DUE_WITHOUT_HOLD + timedelta(hours=1), DUE_WITHOUT_HOLD + timedelta(days=5))
    assert resumed_due(DUE_WITHOUT_HOLD, "working_days", late_hold, calendar) == DUE_WITHOUT_HOLD
    hour = (HOLD[0], HOLD[0] + timedelta(minutes=90))
    assert resumed_due(DUE_WITHOUT_HOLD, "minutes", hour, calendar) == DUE_WITHOUT_HOLD + (
        timedelta(minutes=90)
    )
    # calendar days: Fri 13 to Wed 18 is 5 days; Thu 19 Feb end of day + 5 days = Tue 24 Feb
    assert resumed_due(DUE_WITHOUT_HOLD, "calendar_days", HOLD, calendar) == datetime(
        2026, 2, 24, 16, 59, 59, 999999, tzinfo=UTC
    )


def test_the_projection_computes_the_same_paused_due(stamper: DeadlineStamper) -> None:
    record = ClockRecord(
        report_id="r",
        version=3,
        classification="pengaduan",
        privacy="public",
        urgency="normal",
        submitted_at=SUBMITTED.astimezone(UTC),
        state="on_hold",
        state_at=HOLD[0],
        last_event_at=HOLD[1],
        intake_agency_id="kota-serang",
        hold_started_at=HOLD[0].astimezone(UTC),
    )
    dues = Dues(stamper)
    assert dues.expected_verification(record) is None  # paused while the reporter owes it
    answered = replace(record, hold_ended_at=HOLD[1].astimezone(UTC))
    assert dues.expected_verification(answered) == DUE_WITH_HOLD
    never_held = replace(record, hold_started_at=None, state="submitted")
    assert dues.expected_verification(never_held) == DUE_WITHOUT_HOLD


@pytest.mark.parametrize(
    ("agency", "zone", "utc_hour"),
    [("kota-serang", WIB, 16), ("kab-badung", WITA, 15)],
)
def test_kip_answer_and_its_extension(
    stamper: DeadlineStamper, agency: str, zone: ZoneInfo, utc_hour: int
) -> None:
    # Dispositioned Wed 4 Mar 10:00 local. Answer: day 0 Wed 4; WD1-9 Thu 5 .. Tue 17 Mar;
    # Wed 18 to Tue 24 Mar are cuti bersama, Nyepi, Idul Fitri and a weekend; WD10 Wed 25 Mar.
    deadlines = stamper.at_disposition(
        agency_id=agency,
        classification="permintaan_informasi",
        urgency="normal",
        handling_class="info_aspiration",
        at=datetime(2026, 3, 4, 10, tzinfo=zone),
    )
    answer = datetime(2026, 3, 25, utc_hour, 59, 59, 999999, tzinfo=UTC)
    assert deadlines == {"kip_answer": answer}
    # Extension from Wed 25 Mar: Thu 26, Fri 27, Mon 30, Tue 31, Wed 1 Apr, Thu 2 Apr, (Fri 3 Apr
    # Wafat Yesus Kristus, weekend) Mon 6 Apr = WD7.
    extended = stamper.kip_extension(
        agency_id=agency,
        classification="permintaan_informasi",
        urgency="normal",
        answer_due=answer,
    )
    assert extended == datetime(2026, 4, 6, utc_hour, 59, 59, 999999, tzinfo=UTC)


def test_no_extension_clock_outside_information_requests(stamper: DeadlineStamper) -> None:
    answer = datetime(2026, 3, 25, 16, 59, 59, 999999, tzinfo=UTC)
    assert (
        stamper.kip_extension(
            agency_id="kota-serang", classification="pengaduan", urgency="normal", answer_due=answer
        )
        is None
    )
