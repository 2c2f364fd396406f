"""A clock record as JSON text, for storage in a projection row and for comparison in tests."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import datetime
from operator import attrgetter
from typing import Any

from projections.rules.record import ClockRecord, Involvement

_FIELDS = tuple(f.name for f in fields(ClockRecord))
_INVOLVEMENT_FIELDS = tuple(f.name for f in fields(Involvement))
_TIMES = frozenset(
    f.name
    for f in fields(ClockRecord)
    if "datetime" in str(f.type) and f.name not in ("deadlines", "involvements")
)


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="microseconds")


def _parse(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


_values = attrgetter(*_FIELDS)
_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode


def record_to_json(record: ClockRecord) -> str:
    """Canonical JSON of a record: sorted keys, UTC times with microseconds."""
    data: dict[str, Any] = dict(zip(_FIELDS, _values(record), strict=True))
    for name in _TIMES:
        value = data[name]
        if value is not None:
            data[name] = value.isoformat(timespec="microseconds")
    data["deadlines"] = {k: _time(v) for k, v in sorted(record.deadlines.items())}
    data["involvements"] = [
        {f: getattr(i, f) for f in _INVOLVEMENT_FIELDS} for i in record.involvements
    ]
    return _ENCODE(data)


def record_from_json(text: str) -> ClockRecord:
    """Read a record written by `record_to_json`; a field this version does not know is
    dropped and a field it lacks takes its default (rebuild the view to fill it)."""
    data: dict[str, Any] = {k: v for k, v in json.loads(text).items() if k in _FIELDS}
    for name in _TIMES:
        data[name] = _parse(data.get(name))
    data["deadlines"] = {k: datetime.fromisoformat(v) for k, v in data["deadlines"].items()}
    data["involvements"] = tuple(Involvement(**i) for i in data["involvements"])
    return ClockRecord(**data)
