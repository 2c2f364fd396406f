"""A clock record as JSON text, for storage in a projection row and for comparison in tests.

The text (`record_to_json`) is what `json` writes with sorted keys, no separating spaces and
characters other than ASCII as they are (all escaped in a record holding a lone surrogate,
which a UTF-8 text cannot hold): an object of the record's fields, leaving out each
field that holds its default (None, False, 0, no deadlines, no involvements; the same for an
involvement's fields), times as `datetime.isoformat` writes them (microseconds only when there
are some). So a record takes a quarter less room than with every field written, which a
rebuild writes once for every report it touches. `record_from_json` reads it back, a field it
lacks at its default; it also reads records written with every field.
"""

from __future__ import annotations

import json
from dataclasses import MISSING, fields
from datetime import datetime
from operator import itemgetter
from typing import Any

from projections.rules.record import ClockRecord, Involvement

_FIELDS = tuple(f.name for f in fields(ClockRecord))
_INVOLVEMENT_FIELDS = tuple(f.name for f in fields(Involvement))
_TIMES = frozenset(
    f.name
    for f in fields(ClockRecord)
    if "datetime" in str(f.type) and f.name not in ("deadlines", "involvements")
)
_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
_ENCODE_ASCII = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode


def _defaults(cls: type) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(cls):
        if f.default is not MISSING:
            out[f.name] = f.default
        elif f.default_factory is not MISSING:
            out[f.name] = f.default_factory()
    return out


DEFAULTS = _defaults(ClockRecord)
"""The default of each field that has one."""
_INVOLVEMENT_DEFAULTS = _defaults(Involvement)
_READ_DEFAULTS = {**DEFAULTS, "involvements": []}  # as read from JSON, before it is a tuple


def _is_default(value: Any, default: Any) -> bool:
    """Whether a field's value is its default, which the text leaves out: a value of the
    default's own type, equal to it (so 0 is not False, nor an empty list no involvements)."""
    return type(value) is type(default) and value == default


def _time(value: Any) -> str:
    if not isinstance(value, datetime):
        raise TypeError(f"a record's time must be a datetime, got {type(value).__name__}")
    return value.isoformat()


def _data(record: ClockRecord) -> dict[str, Any]:
    """The fields the text holds, as `json` takes them."""
    data: dict[str, Any] = {}
    for name in _FIELDS:
        value = getattr(record, name)
        if name in DEFAULTS and _is_default(value, DEFAULTS[name]):
            continue
        if name == "deadlines":
            value = {k: None if v is None else _time(v) for k, v in value.items()}
        elif name == "involvements":
            value = [
                {
                    f: getattr(i, f)
                    for f in _INVOLVEMENT_FIELDS
                    if not (
                        f in _INVOLVEMENT_DEFAULTS
                        and _is_default(getattr(i, f), _INVOLVEMENT_DEFAULTS[f])
                    )
                }
                for i in value
            ]
        elif name in _TIMES and value is not None:
            value = _time(value)
        data[name] = value
    return data


def record_to_json(record: ClockRecord) -> str:
    """Canonical JSON of a record: sorted keys, the fields at their defaults left out."""
    data = _data(record)
    text = _ENCODE(data)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate, which no UTF-8 text column can hold
            return _ENCODE_ASCII(data)
    return text


_FIELD_NAMES = frozenset(_FIELDS)
_involvement_args = itemgetter(*_INVOLVEMENT_FIELDS)
_parse_time = datetime.fromisoformat


def record_from_json(text: str) -> ClockRecord:
    """Read a record written by `record_to_json` (or with every field written); a field this
    version does not know is dropped and a field it lacks takes its default (a time without a
    default reads as None: rebuild the view to fill it)."""
    data: dict[str, Any] = json.loads(text)
    values = dict(_READ_DEFAULTS)
    values.update((k, v) for k, v in data.items() if k in _FIELD_NAMES)
    for name in _TIMES:
        value = values.get(name)
        values[name] = None if value is None else _parse_time(value)
    values["deadlines"] = {k: _parse_time(v) for k, v in values["deadlines"].items()}
    values["involvements"] = _read_involvements(values["involvements"])
    return ClockRecord(**values)


def _read_involvements(items: list[dict[str, Any]]) -> tuple[Involvement, ...]:
    try:
        if all(len(i) == len(_INVOLVEMENT_FIELDS) for i in items):
            return tuple([Involvement(*_involvement_args(i)) for i in items])
    except (KeyError, TypeError):  # a key it does not know, or not an object
        pass
    return tuple(Involvement(**i) for i in items)
