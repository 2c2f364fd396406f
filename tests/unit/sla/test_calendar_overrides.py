"""The override file: the shipped 2027 pins, and files that add or remove dates."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ledger.sla import CalendarOverridesError, Overrides, WorkingCalendar

WIB = ZoneInfo("Asia/Jakarta")


def write(tmp_path: Path, **lists: list[dict[str, Any]]) -> Path:
    path = tmp_path / "calendar_overrides.json"
    path.write_text(json.dumps({"format": 1, **lists}), "utf-8")
    return path


def entry(day: str, name: str = "Cuti Bersama (test)") -> dict[str, str]:
    return {"date": day, "name": name, "source": "test fixture"}


def test_the_shipped_file_pins_the_estimated_2027_lebaran() -> None:
    shipped = Overrides.load_default()
    assert {d.isoformat() for d in shipped.added} >= {"2027-03-10", "2027-03-11", "2027-05-17"}
    assert all(e.source.strip() for e in (*shipped.added.values(), *shipped.removed.values()))
    # The package alone calls 10 Mar 2027 an estimate; with the overrides it is the SKB date.
    assert WorkingCalendar(WIB, Overrides.none()).holiday_name(date(2027, 3, 10)) == (
        "Hari Raya Idul Fitri (perkiraan)"
    )
    assert WorkingCalendar(WIB).holiday_name(date(2027, 3, 10)) == "Hari Raya Idul Fitri 1448 H"


def test_a_deadline_across_lebaran_2027() -> None:
    # Day 0 Fri 5 Mar 2027; 6-7 weekend, 8 Nyepi, 9 cuti bersama, 10-11 Idul Fitri (pinned),
    # 12 cuti bersama, 13-14 weekend, 15 cuti bersama; WD1 Tue 16, WD2 Wed 17, WD3 Thu 18 Mar.
    start = datetime(2027, 3, 5, 10, 0, tzinfo=WIB)
    assert WorkingCalendar(WIB).add_working_days(start, 3) == datetime(
        2027, 3, 18, 16, 59, 59, 999999, tzinfo=UTC
    )


def test_an_override_file_adding_a_2027_date_moves_the_deadline(tmp_path: Path) -> None:
    # Day 0 Fri 13 Aug 2027. Package only: WD1 Mon 16, 17 Aug Kemerdekaan, WD2 Wed 18, WD3 Thu 19.
    # With 16 Aug added as a non-working day: WD1 Wed 18, WD2 Thu 19, WD3 Fri 20 Aug.
    start = datetime(2027, 8, 13, 9, 0, tzinfo=WIB)
    plain = WorkingCalendar(WIB, Overrides.none())
    assert plain.add_working_days(start, 3) == datetime(2027, 8, 19, 16, 59, 59, 999999, tzinfo=UTC)
    overrides = Overrides.from_file(write(tmp_path, added=[entry("2027-08-16")]))
    corrected = WorkingCalendar(WIB, overrides)
    assert corrected.holiday_name(date(2027, 8, 16)) == "Cuti Bersama (test)"
    assert corrected.add_working_days(start, 3) == datetime(
        2027, 8, 20, 16, 59, 59, 999999, tzinfo=UTC
    )


def test_a_removed_date_becomes_a_working_day(tmp_path: Path) -> None:
    # If 26 Dec 2025 (cuti bersama) were cancelled: day 0 Wed 24 Dec; 25 Natal; WD1 Fri 26,
    # WD2 Mon 29, WD3 Tue 30 Dec (instead of Wed 31).
    overrides = Overrides.from_file(write(tmp_path, removed=[entry("2025-12-26")]))
    calendar = WorkingCalendar(WIB, overrides)
    assert calendar.is_working_day(date(2025, 12, 26))
    assert calendar.holiday_name(date(2025, 12, 26)) is None
    start = datetime(2025, 12, 24, 11, 0, tzinfo=WIB)
    assert calendar.add_working_days(start, 3) == datetime(
        2025, 12, 30, 16, 59, 59, 999999, tzinfo=UTC
    )


def test_a_removed_saturday_is_worked(tmp_path: Path) -> None:
    # A Saturday declared a working day (Sat 11 Oct 2025): from Fri 10 Oct, WD1 is Sat 11.
    overrides = Overrides.from_file(write(tmp_path, removed=[entry("2025-10-11", "Sabtu kerja")]))
    calendar = WorkingCalendar(WIB, overrides)
    assert calendar.is_working_day(date(2025, 10, 11))
    assert calendar.next_working_day(date(2025, 10, 10)) == date(2025, 10, 11)


@pytest.mark.parametrize(
    ("lists", "message"),
    [
        pytest.param({"added": [entry("2027-02-30")]}, "not an ISO date", id="bad-date"),
        pytest.param(
            {"added": [entry("2027-08-16"), entry("2027-08-16")]}, "listed twice", id="duplicate"
        ),
        pytest.param(
            {"added": [entry("2027-08-16")], "removed": [entry("2027-08-16")]},
            "both added and removed",
            id="added-and-removed",
        ),
        pytest.param(
            {"added": [{"date": "2027-08-16", "name": "x"}]}, "date, name, source", id="no-source"
        ),
        pytest.param(
            {"added": [{**entry("2027-08-16"), "source": " "}]}, "source must be", id="blank-source"
        ),
        pytest.param({"removed": {"2027-08-16": "x"}}, "expected a list", id="not-a-list"),
    ],
)
def test_invalid_override_files_are_refused(
    tmp_path: Path, lists: dict[str, Any], message: str
) -> None:
    with pytest.raises(CalendarOverridesError, match=message):
        Overrides.from_file(write(tmp_path, **lists))


def test_wrong_format_is_refused() -> None:
    with pytest.raises(CalendarOverridesError, match="format 1"):
        Overrides.from_json('{"format": 2, "added": []}')
