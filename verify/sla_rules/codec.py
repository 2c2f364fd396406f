"""A clock record as JSON text, for storage in a projection row and for comparison in tests.

The text is what `json` writes with sorted keys and no separating spaces, times in ISO 8601
with microseconds (`_general_json`). A record is written for every view row it changes, so
`record_to_json` puts the same text together piece by piece, in the sorted order of the fields,
without a dict for `json` to sort; a record with a value not of its field's usual type (a str,
an int, a bool, a datetime or None) is written the general way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import fields
from datetime import UTC, date, datetime
from json.encoder import encode_basestring_ascii as _text
from operator import attrgetter, itemgetter
from typing import Any

from verify.sla_rules.record import ClockRecord, Involvement

_FIELDS = tuple(f.name for f in fields(ClockRecord))
_INVOLVEMENT_FIELDS = tuple(f.name for f in fields(Involvement))
_TIMES = frozenset(
    f.name
    for f in fields(ClockRecord)
    if "datetime" in str(f.type) and f.name not in ("deadlines", "involvements")
)
_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode

# The fields in the order `record_to_json` writes them: sorted, as `sort_keys` sorts them.
_SORTED = (
    *("agency_id", "archived_at", "assigned_at", "awaiting_reporter", "classification"),
    *("completed_at", "completed_auto", "deadlines", "dispositions", "escalated_at"),
    *("escalated_from", "first_follow_up_at", "follow_ups", "handling_class", "hold_ended_at"),
    *("hold_started_at", "intake_agency_id", "involvements", "last_event_at"),
    *("last_follow_up_at", "privacy", "redispositions", "reopens", "report_id", "returns"),
    *("sla_policy", "state", "state_at", "submitted_at", "target_agency_id", "unit_id"),
    *("urgency", "verified_at", "version"),
)
_SORTED_INVOLVEMENT = ("agency_id", "redisposition", "returned", "returns")
if tuple(sorted(_FIELDS)) != _SORTED or tuple(sorted(_INVOLVEMENT_FIELDS)) != _SORTED_INVOLVEMENT:
    raise RuntimeError("record_to_json must write each field of ClockRecord and Involvement")
_sorted_values = attrgetter(*_SORTED)
_field_values = attrgetter(*_FIELDS)
_involvement_values = attrgetter(*_SORTED_INVOLVEMENT)

_DAYS: dict[date, str] = {}
"""The text of the days that times were written on lately (times share few days)."""
_DAYS_KEPT = 4096


def _time(value: Any) -> str:
    """The JSON text of a time (not None)."""
    if type(value) is datetime and value.tzinfo is UTC:  # `isoformat`, put together faster
        day = value.date()
        day_text = _DAYS.get(day)
        if day_text is None:
            if len(_DAYS) >= _DAYS_KEPT:
                _DAYS.clear()
            day_text = _DAYS[day] = day.isoformat()
        return f'"{day_text}T{value.time().isoformat("microseconds")}+00:00"'
    return _ENCODE(value.isoformat(timespec="microseconds"))


def _maybe_time(value: Any) -> str:
    """The JSON text of a time or None."""
    return "null" if value is None else _time(value)


def _deadlines(deadlines: Mapping[str, Any]) -> str:
    items = sorted(deadlines.items())
    try:
        pieces = [f"{_text(k)}:{'null' if v is None else _time(v)}" for k, v in items]
    except TypeError:  # a key that is not a str
        return _ENCODE({k: _general_time(v) for k, v in items})
    return f"{{{','.join(pieces)}}}"


def _involvements(involvements: Iterable[Involvement]) -> str:
    pieces = []
    for i in involvements:
        agency, redisposition, returned, returns = _involvement_values(i)
        if (
            type(agency) is str
            and type(returns) is int
            and type(redisposition) is bool
            and type(returned) is bool
        ):
            pieces.append(
                f'{{"agency_id":{_text(agency)},'
                f'"redisposition":{"true" if redisposition else "false"},'
                f'"returned":{"true" if returned else "false"},"returns":{returns}}}'
            )
        else:
            pieces.append(_ENCODE({f: getattr(i, f) for f in _INVOLVEMENT_FIELDS}))
    return f"[{','.join(pieces)}]"


def record_to_json(record: ClockRecord) -> str:
    """Canonical JSON of a record: sorted keys, UTC times with microseconds."""
    (
        agency_id,
        archived_at,
        assigned_at,
        awaiting_reporter,
        classification,
        completed_at,
        completed_auto,
        deadlines,
        dispositions,
        escalated_at,
        escalated_from,
        first_follow_up_at,
        follow_ups,
        handling_class,
        hold_ended_at,
        hold_started_at,
        intake_agency_id,
        involvements,
        last_event_at,
        last_follow_up_at,
        privacy,
        redispositions,
        reopens,
        report_id,
        returns,
        sla_policy,
        state,
        state_at,
        submitted_at,
        target_agency_id,
        unit_id,
        urgency,
        verified_at,
        version,
    ) = _sorted_values(record)
    if not (
        type(report_id) is str
        and type(classification) is str
        and type(privacy) is str
        and type(urgency) is str
        and type(state) is str
        and (agency_id is None or type(agency_id) is str)
        and (escalated_from is None or type(escalated_from) is str)
        and (handling_class is None or type(handling_class) is str)
        and (intake_agency_id is None or type(intake_agency_id) is str)
        and (sla_policy is None or type(sla_policy) is str)
        and (target_agency_id is None or type(target_agency_id) is str)
        and (unit_id is None or type(unit_id) is str)
        and type(version) is int
        and type(dispositions) is int
        and type(redispositions) is int
        and type(returns) is int
        and type(follow_ups) is int
        and type(reopens) is int
        and type(awaiting_reporter) is bool
        and type(completed_auto) is bool
    ):
        return _general_json(record)
    return (
        f'{{"agency_id":{"null" if agency_id is None else _text(agency_id)},'
        f'"archived_at":{_maybe_time(archived_at)},'
        f'"assigned_at":{_maybe_time(assigned_at)},'
        f'"awaiting_reporter":{"true" if awaiting_reporter else "false"},'
        f'"classification":{_text(classification)},'
        f'"completed_at":{_maybe_time(completed_at)},'
        f'"completed_auto":{"true" if completed_auto else "false"},'
        f'"deadlines":{_deadlines(deadlines)},'
        f'"dispositions":{dispositions},'
        f'"escalated_at":{_maybe_time(escalated_at)},'
        f'"escalated_from":{"null" if escalated_from is None else _text(escalated_from)},'
        f'"first_follow_up_at":{_maybe_time(first_follow_up_at)},'
        f'"follow_ups":{follow_ups},'
        f'"handling_class":{"null" if handling_class is None else _text(handling_class)},'
        f'"hold_ended_at":{_maybe_time(hold_ended_at)},'
        f'"hold_started_at":{_maybe_time(hold_started_at)},'
        f'"intake_agency_id":{"null" if intake_agency_id is None else _text(intake_agency_id)},'
        f'"involvements":{_involvements(involvements)},'
        f'"last_event_at":{_maybe_time(last_event_at)},'
        f'"last_follow_up_at":{_maybe_time(last_follow_up_at)},'
        f'"privacy":{_text(privacy)},'
        f'"redispositions":{redispositions},'
        f'"reopens":{reopens},'
        f'"report_id":{_text(report_id)},'
        f'"returns":{returns},'
        f'"sla_policy":{"null" if sla_policy is None else _text(sla_policy)},'
        f'"state":{_text(state)},'
        f'"state_at":{_maybe_time(state_at)},'
        f'"submitted_at":{_maybe_time(submitted_at)},'
        f'"target_agency_id":{"null" if target_agency_id is None else _text(target_agency_id)},'
        f'"unit_id":{"null" if unit_id is None else _text(unit_id)},'
        f'"urgency":{_text(urgency)},'
        f'"verified_at":{_maybe_time(verified_at)},'
        f'"version":{version}}}'
    )


def _general_time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="microseconds")


def _general_json(record: ClockRecord) -> str:
    """The text of a record by way of a dict that `json` sorts and encodes (any values)."""
    data: dict[str, Any] = dict(zip(_FIELDS, _field_values(record), strict=True))
    for name in _TIMES:
        data[name] = _general_time(data[name])
    data["deadlines"] = {k: _general_time(v) for k, v in sorted(record.deadlines.items())}
    data["involvements"] = [
        {f: getattr(i, f) for f in _INVOLVEMENT_FIELDS} for i in record.involvements
    ]
    return _ENCODE(data)


_record_values = itemgetter(*_FIELDS)
_involvement_args = itemgetter(*_INVOLVEMENT_FIELDS)
_TIME_INDEXES = tuple(i for i, name in enumerate(_FIELDS) if name in _TIMES)
_DEADLINES = _FIELDS.index("deadlines")
_INVOLVEMENTS = _FIELDS.index("involvements")
_parse_time = datetime.fromisoformat


def record_from_json(text: str) -> ClockRecord:
    """Read a record written by `record_to_json`; a field this version does not know is
    dropped and a field it lacks takes its default (rebuild the view to fill it)."""
    data: dict[str, Any] = json.loads(text)
    if type(data) is dict and len(data) == len(_FIELDS):
        try:
            values = list(_record_values(data))  # every field, and no other key
        except KeyError:
            pass
        else:
            for i in _TIME_INDEXES:
                value = values[i]
                if value is not None:
                    values[i] = _parse_time(value)
            values[_DEADLINES] = {k: _parse_time(v) for k, v in values[_DEADLINES].items()}
            values[_INVOLVEMENTS] = _read_involvements(values[_INVOLVEMENTS])
            return ClockRecord(*values)
    data = {k: v for k, v in data.items() if k in _FIELDS}
    for name in _TIMES:
        value = data.get(name)
        data[name] = None if value is None else _parse_time(value)
    if "deadlines" in data:
        data["deadlines"] = {k: _parse_time(v) for k, v in data["deadlines"].items()}
    if "involvements" in data:
        data["involvements"] = _read_involvements(data["involvements"])
    return ClockRecord(**data)


def _read_involvements(items: list[dict[str, Any]]) -> tuple[Involvement, ...]:
    try:
        if all(len(i) == len(_INVOLVEMENT_FIELDS) for i in items):
            return tuple([Involvement(*_involvement_args(i)) for i in items])
    except (KeyError, TypeError):  # a key it does not know, or not an object
        pass
    return tuple(Involvement(**i) for i in items)
