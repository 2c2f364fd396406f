"""The clear header of a report event: the only part of an event that the rules read.

A header is built from a decoded event's attributes or from the stored JSON payload of a log
entry (sealed fields stay ciphertext there). Only the fields named in `CLEAR_FIELDS` are kept,
so no complaint text, message, note or reason ever reaches a projection.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from types import MappingProxyType
from typing import Any, NamedTuple

CLEAR_FIELDS = frozenset(
    {
        "classification",
        "privacy",
        "urgency",
        "target_agency_id",
        "handling_class",
        "sla_policy",
        "sla_policy_version",
        "deadlines",
        "agency_id",
        "unit_id",
        "to_unit",
        "auto",
        "objection_deadline",
        "escalated_from",
    }
)
_TIME_FIELDS = frozenset({"objection_deadline"})


class HeaderError(ValueError):
    """A stored payload does not have the shape of a report event's clear header."""


_NO_FIELDS: Mapping[str, Any] = MappingProxyType({})


class Header(NamedTuple):
    """Who did what to which report, when, and the state it left the report in.

    An immutable tuple: the fold builds one per event of the log, and a tuple is built several
    times faster than a frozen dataclass."""

    report_id: str
    version: int
    event_type: str
    at: datetime
    state: str
    actor_role: str
    actor_agency: str | None
    fields: Mapping[str, Any] = _NO_FIELDS

    def get(self, name: str, default: Any = None) -> Any:
        """One clear field of the event, or the default."""
        return self.fields.get(name, default)


@lru_cache(maxsize=256)
def event_type_of(topic: str) -> str:
    """The event name of a stored topic: `ledger.domain.report:Report.Verified` is `Verified`."""
    return topic.rsplit(":", 1)[-1].rsplit(".", 1)[-1]


def _utc(value: Any, what: str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise HeaderError(f"{what} must be an aware time, got {value!r}")
    return value.astimezone(UTC)


def header_from_fields(
    report_id: str, version: int, topic: str, values: Mapping[str, Any]
) -> Header:
    """Build a header from an event's attributes, keeping the clear fields only."""
    actor = values.get("actor")
    if not isinstance(actor, Mapping) or not isinstance(actor.get("role"), str):
        raise HeaderError(f"report {report_id} v{version}: actor with a role is required")
    state = values.get("state")
    if not isinstance(state, str):
        raise HeaderError(f"report {report_id} v{version}: state is required")
    kept: dict[str, Any] = {}
    for name in CLEAR_FIELDS & values.keys():
        value = values[name]
        if name == "deadlines":
            value = {str(k): _utc(v, f"deadlines[{k}]") for k, v in (value or {}).items()}
        elif name in _TIME_FIELDS and value is not None:
            value = _utc(value, name)
        kept[name] = value
    return Header(
        report_id=str(report_id),
        version=int(version),
        event_type=event_type_of(topic),
        at=_utc(values.get("at"), "at"),
        state=state,
        actor_role=actor["role"],
        actor_agency=actor.get("agency_id"),
        fields=kept,
    )


def _decode_tagged(obj: dict[str, Any]) -> Any:
    """Undo the event store's JSON tags for the types a clear header uses."""
    if obj.keys() == {"_type_", "_data_"} and obj["_type_"] == "datetime_iso":
        return datetime.fromisoformat(obj["_data_"])
    return obj


def _untagged(value: Any) -> Any:
    """A parsed JSON value with its tags undone, inner values first (as a JSON object hook
    would undo them while parsing)."""
    kind = type(value)
    if kind is dict:
        if len(value) == 2 and value.get("_type_") == "datetime_iso":
            data = value.get("_data_")
            if type(data) is str:  # the common case, its data has nothing to undo
                return datetime.fromisoformat(data)
        return _decode_tagged({k: _untagged(v) for k, v in value.items()})
    if kind is list:
        return [_untagged(v) for v in value]
    return value


_decoder = json.JSONDecoder()
_parse = _decoder.decode
_scan: Callable[[str, int], tuple[Any, int]] = _decoder.scan_once  # type: ignore[attr-defined]


def _load(text: str) -> Any:
    """`_parse`, without its steps around the scanner for a text that is one JSON object and
    nothing else (a stored payload); any other text, valid or not, goes through `_parse`."""
    if text[:1] == "{":
        try:
            value, end = _scan(text, 0)
        except (StopIteration, ValueError):
            return _parse(text)
        if end == len(text):
            return value
    return _parse(text)


def header_from_stored(stream_id: str, version: int, topic: str, payload: bytes) -> Header:
    """Build a header from a log entry's stored payload, as an auditor reads it from a bundle.

    Only the values a header reads have their tags undone: sealed envelopes and the other
    fields are parsed and dropped, never converted. A payload of the shape the ledger writes
    is read by `_common_parts`; any other goes the general way, which says what is wrong."""
    try:
        values = _load(payload.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise HeaderError(f"report {stream_id} v{version}: payload is not JSON ({e})") from None
    return header_from_parsed(stream_id, version, topic, values)


def header_from_parsed(stream_id: str, version: int, topic: str, values: Any) -> Header:
    """`header_from_stored` of a payload already parsed as JSON (by any parser that reads
    the same values as `json`)."""
    if not isinstance(values, dict):
        raise HeaderError(f"report {stream_id} v{version}: payload is not a JSON object")
    common = _common_parts(values)
    if common is None:
        read = {}
        try:
            for name in _READ & values.keys():
                value = values[name]
                read[name] = _untagged(value) if type(value) in _NESTED else value
        except ValueError as e:  # a tagged value that cannot be undone
            raise HeaderError(f"report {stream_id} v{version}: payload is not JSON ({e})") from None
        return header_from_fields(stream_id, version, topic, read)
    at, state, role, agency, kept = common
    return Header(str(stream_id), int(version), event_type_of(topic), at, state, role, agency, kept)


_READ = CLEAR_FIELDS | {"actor", "state", "at"}
_NESTED = (dict, list)
_ACTOR_KEYS = frozenset({"id", "role", "agency_id"})
_PLAIN, _DEADLINES, _TIME = 0, 1, 2
_SHAPES: dict[tuple[str, ...], tuple[tuple[str, int], ...]] = {}
_MAX_SHAPES = 1024
_fromisoformat = datetime.fromisoformat


def _tagged_utc(value: Any) -> datetime | None:
    """A tagged aware time, in UTC; None for anything else (not a tagged time, not a valid
    ISO time, a naive time, out of range in UTC)."""
    if type(value) is not dict or len(value) != 2 or value.get("_type_") != "datetime_iso":
        return None
    text = value.get("_data_")
    if type(text) is not str:
        return None
    try:
        time = _fromisoformat(text)
        if time.tzinfo is UTC:
            return time
        if time.utcoffset() is None:
            return None
        return time.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _shape(keys: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    """The clear fields among a payload's keys, each with how its value is read."""
    if len(_SHAPES) >= _MAX_SHAPES:
        _SHAPES.clear()
    shape = _SHAPES[keys] = tuple(
        (name, _DEADLINES if name == "deadlines" else _TIME if name in _TIME_FIELDS else _PLAIN)
        for name in keys
        if name in CLEAR_FIELDS
    )
    return shape


def _common_parts(
    values: dict[str, Any],
) -> tuple[datetime, str, str, Any, dict[str, Any]] | None:
    """`at`, `state`, actor role, actor agency and kept fields of a payload of the shape the
    ledger writes, exactly as the general way reads them; None when the payload differs in
    any way from that shape (the general way then reads it, or says what is wrong).

    The shape: an actor object of `id`, `role` (a string) and `agency_id`, none of them an
    array or object; a string state; `at` a tagged aware time; `deadlines` null or an object
    of tagged aware times; `objection_deadline` null or a tagged aware time; every other clear
    field neither an array nor an object. Other fields are not looked at."""
    actor = values.get("actor")
    state = values.get("state")
    if type(actor) is not dict or type(state) is not str or actor.keys() != _ACTOR_KEYS:
        return None
    role = actor["role"]
    agency = actor["agency_id"]
    if type(role) is not str or type(agency) in _NESTED or type(actor["id"]) in _NESTED:
        return None
    at = _tagged_utc(values.get("at"))
    if at is None:
        return None
    keys = tuple(values)
    shape = _SHAPES.get(keys)
    if shape is None:
        shape = _shape(keys)
    kept: dict[str, Any] = {}
    for name, kind in shape:
        value = values[name]
        if kind == _PLAIN:
            if type(value) in _NESTED:
                return None
        elif kind == _DEADLINES:
            if value is None:
                value = {}
            elif type(value) is dict:
                times = {}
                for key, tagged in value.items():
                    time = _tagged_utc(tagged)
                    if time is None:
                        return None
                    times[key] = time
                value = times
            else:
                return None
        elif value is not None:
            value = _tagged_utc(value)
            if value is None:
                return None
        kept[name] = value
    return at, state, role, agency, kept
