"""Times as the view tables store them: integer microseconds since the Unix epoch, UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import overload

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MICROSECOND = timedelta(microseconds=1)


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
