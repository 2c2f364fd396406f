"""The stored text of a clock record, written with orjson.

`projections.rules.codec.record_to_json` defines the text and writes it with `json` (the rules
use the standard library only, so that the verifier can copy them). A rebuild writes the text
of every report it touches, so the `reports` projection writes it here with orjson, two to
three times as fast, for a record of the shape the fold makes: each field of its own type (a
text, a count, a flag, a time in UTC, deadlines of such times named by texts, involvements),
which orjson writes exactly as `json` does. Any other record, and any text orjson refuses (a
count beyond 64 bits, a lone surrogate), is written by `record_to_json`: the text, or the
error, is always its own.

What a record's fields hold (their types, which are at their defaults) is looked up once per
combination (`_shape`), so each record costs a few steps of C code besides orjson's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import UTC, datetime
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple

import orjson

from projections.rules.codec import DEFAULTS, record_to_json
from projections.rules.record import ClockRecord, Involvement

_NONE = type(None)
_ALLOWED: dict[str, frozenset[type]] = {
    "str": frozenset({str}),
    "str | None": frozenset({str, _NONE}),
    "int": frozenset({int}),
    "bool": frozenset({bool}),
    "datetime": frozenset({datetime}),
    "datetime | None": frozenset({datetime, _NONE}),
    "Mapping[str, datetime]": frozenset({dict}),
    "tuple[Involvement, ...]": frozenset({tuple}),
}
"""For each annotation of a `ClockRecord` field, the types written here."""

_NAMES = tuple(sorted(f.name for f in fields(ClockRecord)))
_ANNOTATIONS = {f.name: str(f.type) for f in fields(ClockRecord)}
if not set(_ANNOTATIONS.values()) <= set(_ALLOWED):
    raise RuntimeError("record_text must know how each field of ClockRecord is written")
_ALLOWED_BY_FIELD = tuple(_ALLOWED[_ANNOTATIONS[n]] for n in _NAMES)
_values = attrgetter(*_NAMES)
# Counts, flags, deadlines and involvements: written unless at their defaults (0, False, empty;
# `version` has none), which `_shape` tells apart by their truth values.
_ZERO = tuple(n for n in _NAMES if n in DEFAULTS and DEFAULTS[n] is not None)
_zero_values = itemgetter(*(_NAMES.index(n) for n in _ZERO))  # from the record's values
_OPTIONAL = tuple(n for n in _NAMES if _NONE in _ALLOWED[_ANNOTATIONS[n]])  # None by default
if any(n not in DEFAULTS or DEFAULTS[n] is not None for n in _OPTIONAL) or any(
    DEFAULTS[n] or type(DEFAULTS[n]) not in _ALLOWED[_ANNOTATIONS[n]] for n in _ZERO
):
    raise RuntimeError("record_text must know the default of each field of ClockRecord")
if tuple((f.name, f.default) for f in fields(Involvement))[1:] != (
    ("returns", 0),
    ("redisposition", False),
    ("returned", False),
):
    raise RuntimeError("record_text must know the fields of Involvement")


class _Shape(NamedTuple):
    """How the text of records with these field types and zeros is put together."""

    names: tuple[str, ...]  # the fields written (not at their defaults), sorted
    values: Callable[[tuple[Any, ...]], Any]  # their values, from all the record's values
    times: Callable[[tuple[Any, ...]], Any] | None  # the values of its times, to check UTC
    deadlines: int | None  # where the deadlines are among the written values, if written
    involvements: int | None  # and the involvements


_SHAPES: dict[tuple[tuple[type, ...], tuple[bool, ...]], _Shape | None] = {}
_MAX_SHAPES = 4096


def _shape(types: tuple[type, ...], nonzero: tuple[bool, ...]) -> _Shape | None:
    """The shape of records whose values have these types (and counts and flags these
    truth values); None if a value is of a type not written here."""
    if len(_SHAPES) >= _MAX_SHAPES:
        _SHAPES.clear()
    shape = None
    if all(t in allowed for t, allowed in zip(types, _ALLOWED_BY_FIELD, strict=True)):
        zero = {n for n, v in zip(_ZERO, nonzero, strict=True) if not v}
        kept = [
            i
            for i, (n, t) in enumerate(zip(_NAMES, types, strict=True))
            if t is not _NONE and n not in zero
        ]
        names = tuple(_NAMES[i] for i in kept)
        times = [i for i in kept if types[i] is datetime]
        shape = _Shape(
            names,
            itemgetter(*kept, -1),  # with one more value, always a tuple
            itemgetter(*times, -1) if times else None,
            names.index("deadlines") if "deadlines" in names else None,
            names.index("involvements") if "involvements" in names else None,
        )
    _SHAPES[(types, nonzero)] = shape
    return shape


class _Other(Exception):
    """The record is not of the shape written here."""


_UNKNOWN: Any = object()
_tzinfo = attrgetter("tzinfo")
_ONLY_UTC = {UTC}
_ONLY_TIME = {datetime}


_involvement_values = attrgetter("agency_id", "returns", "redisposition", "returned")
_INVOLVEMENT_TYPES = (str, int, bool, bool)


def _involvement(i: Any) -> dict[str, Any]:
    if type(i) is not Involvement:
        raise _Other
    values = _involvement_values(i)
    if tuple(map(type, values)) != _INVOLVEMENT_TYPES:
        raise _Other
    agency, returns, redisposition, returned = values
    out: dict[str, Any] = {"agency_id": agency}
    if returns:
        out["returns"] = returns
    if redisposition:
        out["redisposition"] = True
    if returned:
        out["returned"] = True
    return out


def _data(record: ClockRecord) -> dict[str, Any]:
    """The fields the text holds, as orjson takes them; _Other for a record of another shape."""
    values = _values(record)
    key = (tuple(map(type, values)), tuple(map(bool, _zero_values(values))))
    shape = _SHAPES.get(key, _UNKNOWN)
    if shape is _UNKNOWN:
        shape = _shape(*key)
    if shape is None:
        raise _Other
    if shape.times is not None and set(map(_tzinfo, shape.times(values)[:-1])) != _ONLY_UTC:
        raise _Other
    kept = list(shape.values(values)[:-1])
    if shape.deadlines is not None:
        deadlines = kept[shape.deadlines]  # (orjson refuses keys other than texts)
        if (
            set(map(type, deadlines.values())) != _ONLY_TIME
            or set(map(_tzinfo, deadlines.values())) != _ONLY_UTC
        ):
            raise _Other
    if shape.involvements is not None:
        kept[shape.involvements] = [_involvement(i) for i in kept[shape.involvements]]
    return dict(zip(shape.names, kept, strict=True))


def record_text(record: ClockRecord) -> str:
    """`record_to_json(record)`, written with orjson where it writes the same text."""
    try:
        return orjson.dumps(_data(record), option=orjson.OPT_SORT_KEYS).decode()
    except (_Other, orjson.JSONEncodeError):
        return record_to_json(record)
