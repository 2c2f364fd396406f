"""Times as the view tables store them: integer microseconds since the Unix epoch, UTC; and
days as the text of a WIB date (the day a report or an action counts on)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import overload

from projections.rules.shares import WIB

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MICROSECOND = timedelta(microseconds=1)

_AHEAD_OF_UTC = WIB.utcoffset(None)
_DAYS: dict[date, str] = {}
"""The text of the days seen lately (a rebuild's chunk of events shares few days)."""
_DAYS_KEPT = 4096


def wib_day(moment: datetime) -> str:
    """The WIB date of an aware time, as ISO text."""
    day = (
        (moment + _AHEAD_OF_UTC).date()  # `astimezone(WIB)` of a UTC time, with less to do
        if moment.tzinfo is UTC
        else moment.astimezone(WIB).date()
    )
    text = _DAYS.get(day)
    if text is None:
        if len(_DAYS) >= _DAYS_KEPT:
            _DAYS.clear()
        text = _DAYS[day] = day.isoformat()
    return text


@overload
def us(moment: datetime) -> int: ...


@overload
def us(moment: None) -> None: ...


def us(moment: datetime | None) -> int | None:
    """Microseconds since the epoch (exact, no floating point)."""
    if moment is None:
        return None
    return (moment - EPOCH) // ONE_MICROSECOND


@overload
def time_of(value: int) -> datetime: ...


@overload
def time_of(value: None) -> None: ...


def time_of(value: int | None) -> datetime | None:
    """A stored time as an aware UTC datetime."""
    return None if value is None else EPOCH + value * ONE_MICROSECOND
