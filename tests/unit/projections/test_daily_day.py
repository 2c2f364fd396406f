"""An action counts on its WIB date, whatever the zone its time was recorded in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from projections.daily import day_of
from projections.rules.headers import Header

WITA = timezone(timedelta(hours=8))


@pytest.mark.parametrize(
    ("at", "day"),
    [
        (datetime(2026, 3, 1, 16, 59, 59, 999999, tzinfo=UTC), "2026-03-01"),  # 23:59:59 WIB
        (datetime(2026, 3, 1, 17, 0, tzinfo=UTC), "2026-03-02"),  # midnight WIB
        (datetime(2025, 12, 31, 17, 0, tzinfo=UTC), "2026-01-01"),
        (datetime(2026, 3, 2, 0, 30, tzinfo=WITA), "2026-03-01"),  # 23:30 WIB the day before
        (datetime(2026, 3, 2, 1, 0, tzinfo=WITA), "2026-03-02"),
    ],
)
def test_the_day_of_an_action_is_its_wib_date(at: datetime, day: str) -> None:
    header = Header("r", 2, "Verified", at, "verified", "admin_national", None)
    assert day_of(header) == day
    assert day_of(header) == day  # the second time from the days it keeps
