"""Paging and row conversion shared by the list queries."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, fields
from typing import Any, Generic, TypeVar

from projections.times import time_of

T = TypeVar("T")
MAX_LIMIT = 500


class InvalidCursor(ValueError):
    """A cursor that this service did not hand out."""


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list and the cursor of the next page (None on the last one)."""

    items: list[T]
    next_cursor: str | None


def make(
    cls: type[T],
    row: dict[str, Any],
    *,
    times: dict[str, str],
    flags: tuple[str, ...] = (),
) -> T:
    """A dataclass from a row; `times` names the `_us` column of each time field."""
    values = {f.name: row[f.name] for f in fields(cls) if f.name in row}  # type: ignore[arg-type]
    values |= {name: time_of(row[column]) for name, column in times.items()}
    values |= {name: bool(row[name]) for name in flags}
    return cls(**values)


def encode_cursor(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, default: list[Any]) -> list[Any]:
    if cursor is None:
        return default
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error):
        raise InvalidCursor("invalid cursor") from None
    if not isinstance(key, list) or [type(k) for k in key] != [type(d) for d in default]:
        raise InvalidCursor("invalid cursor")
    return key


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
    return limit


def page_of(items: list[T], rows: list[dict[str, Any]], limit: int, *key: str) -> Page[T]:
    """A page of items; when it is full, the cursor is the last row's sort key."""
    if len(rows) < limit:
        return Page(items, None)
    return Page(items, encode_cursor([rows[-1][column] for column in key]))
