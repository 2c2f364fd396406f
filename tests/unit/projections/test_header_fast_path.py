"""`header_from_stored` reads the payload shape the ledger writes without the general way's
steps, and must give exactly what the general way gives: the same header (field by field,
with the same types and times in UTC) or the same error, for any payload. So must the
rebuild's `header_from_payload`, which parses with orjson instead of `json`."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.domain.events import EVENT_CLASSES
from projections.rules import headers
from projections.rules.headers import (
    CLEAR_FIELDS,
    Header,
    HeaderError,
    event_type_of,
    header_from_stored,
)
from projections.source import header_from_payload, report_id_text

# The general way, as it was before the common shape was read apart: the reference.

_TIME_FIELDS = frozenset({"objection_deadline"})


def _utc(value: Any, what: str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise HeaderError(f"{what} must be an aware time, got {value!r}")
    return value.astimezone(UTC)


def reference_from_fields(
    report_id: str, version: int, topic: str, values: Mapping[str, Any]
) -> Header:
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
    if obj.keys() == {"_type_", "_data_"} and obj["_type_"] == "datetime_iso":
        return datetime.fromisoformat(obj["_data_"])
    return obj


def _untagged(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        if len(value) == 2 and value.get("_type_") == "datetime_iso":
            data = value.get("_data_")
            if type(data) is str:
                return datetime.fromisoformat(data)
        return _decode_tagged({k: _untagged(v) for k, v in value.items()})
    if kind is list:
        return [_untagged(v) for v in value]
    return value


_reference_parse = json.JSONDecoder().decode
_READ = CLEAR_FIELDS | {"actor", "state", "at"}
_NESTED = (dict, list)


def reference_from_stored(stream_id: str, version: int, topic: str, payload: bytes) -> Header:
    try:
        values = _reference_parse(payload.decode("utf-8"))
        if not isinstance(values, dict):
            raise HeaderError(f"report {stream_id} v{version}: payload is not a JSON object")
        read = {}
        for name in _READ & values.keys():
            value = values[name]
            read[name] = _untagged(value) if type(value) in _NESTED else value
    except HeaderError:
        raise
    except (ValueError, UnicodeDecodeError) as e:
        raise HeaderError(f"report {stream_id} v{version}: payload is not JSON ({e})") from None
    return reference_from_fields(stream_id, version, topic, read)


# Comparing outcomes strictly: `Header.__eq__` would take 07:00+07:00 for 00:00 UTC.


def same(a: Any, b: Any) -> bool:
    """Equal values of the same types, times in the same zone (UTC itself or not), NaN
    equal to NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, Header):
        return all(same(getattr(a, name), getattr(b, name)) for name in Header._fields)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, datetime):
        same_zone = a.tzinfo == b.tzinfo and (a.tzinfo is UTC) == (b.tzinfo is UTC)
        return a == b and same_zone and a.fold == b.fold
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def outcome(read: Callable[..., Header], *args: Any) -> Header | tuple[type, str]:
    try:
        return read(*args)
    except Exception as e:  # compared by type and message
        return type(e), str(e)


def assert_same_outcome(stream_id: str, version: int, topic: str, payload: bytes) -> Any:
    """The auditor's parser (`header_from_stored`) and the rebuild's (`header_from_payload`,
    orjson) both give what the reference gives."""
    expected = outcome(reference_from_stored, stream_id, version, topic, payload)
    for read in (header_from_stored, header_from_payload):
        got = outcome(read, stream_id, version, topic, payload)
        assert same(got, expected), (
            f"{read.__name__} {payload!r}:\n got {got!r}\n expected {expected!r}"
        )
    return expected


# Payloads: every event type's stored shape, then anything a payload could be instead.

ZONES = [UTC] + [
    timezone(timedelta(minutes=m)) for m in (420, 480, 540, -300, 330, -210, 840, -720, 1, 0)
]


def tagged(text: Any) -> dict[str, Any]:
    return {"_type_": "datetime_iso", "_data_": text}


def iso(time: datetime, style: int) -> str:
    text = time.isoformat(timespec=("auto", "seconds", "microseconds", "milliseconds")[style])
    return text.replace("+00:00", "Z") if style == 3 else text


def iso_texts(min_year: int, max_year: int, aware: bool = True) -> st.SearchStrategy[str]:
    times = st.datetimes(
        min_value=datetime(min_year, 1, 1),
        max_value=datetime(max_year, 12, 31, 23, 59, 59, 999999),
        timezones=st.sampled_from(ZONES) if aware else st.none(),
    )
    return st.builds(iso, times, st.integers(0, 3))


aware_times = st.builds(tagged, iso_texts(1900, 2200))
"""Tagged aware times, as the ledger stores every time (any offset)."""

bad_texts = st.sampled_from(
    [
        "",
        "not a time",
        "2026-13-01T00:00:00+00:00",
        "2026-02-30T00:00:00+07:00",
        "2026-01-01T00:00:00+24:00",
        "2026-01-01 00:00:00 UTC",
        "2026-01-01T25:00:00Z",
    ]
)
odd_times: st.SearchStrategy[Any] = st.one_of(
    st.builds(tagged, iso_texts(1, 9999)),  # at the ends of the range, UTC may overflow
    st.builds(tagged, iso_texts(1900, 2200, aware=False)),  # naive
    st.builds(tagged, bad_texts),
    st.builds(tagged, st.none() | st.integers() | st.lists(st.integers(), max_size=2)),
    st.builds(tagged, aware_times),  # a tag inside a tag
    st.builds(lambda t, x: {**t, "extra": x}, aware_times, st.integers()),
    st.builds(lambda t: {"_type_": "uuid_hex", "_data_": t["_data_"]}, aware_times),
    st.builds(lambda t: {"_data_": t["_data_"]}, aware_times),
    iso_texts(1900, 2200),  # an untagged time text
    iso_texts(1900, 2200, aware=False),
    bad_texts,
    st.none(),
    st.integers(),
)

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6)
json_values: st.SearchStrategy[Any] = st.recursive(
    json_scalars | aware_times,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.text(max_size=4) | st.sampled_from(["_type_", "_data_"]), inner, max_size=3
        )
    ),
    max_leaves=8,
)
anything = json_values | odd_times

names = st.text(min_size=1, max_size=12)
agency_ids = st.sampled_from(["kemenpanrb", "kota-serang", "prov-bali", "ombudsman-ri"])
sealed = st.builds(
    lambda kid, ct: {"$sealed": 1, "alg": "A256GCM", "kid": kid, "ct": ct},
    st.text("0123456789abcdef", min_size=16, max_size=16),
    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=", max_size=40),
)
deadline_names = st.sampled_from(
    ["verification", "first_follow_up", "kip_extension", "completion", "_type_", "_data_"]
)
deadlines = st.none() | st.dictionaries(deadline_names | names, aware_times, max_size=3)

COMMON: dict[str, st.SearchStrategy[Any]] = {
    "timestamp": aware_times,
    "actor": st.fixed_dictionaries(
        {
            "id": st.none() | names,
            "role": st.sampled_from(["reporter", "admin_national", "liaison", "system"]),
            "agency_id": st.none() | agency_ids,
        }
    ),
    "at": aware_times,
    "state": st.sampled_from(["submitted", "verified", "dispositioned", "completed"]),
}
SHAPES: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "Submitted": {
        "originator_topic": st.just("ledger.domain.report:Report"),
        "classification": st.sampled_from(["pengaduan", "aspirasi", "permintaan_informasi"]),
        "privacy": st.sampled_from(["public", "anonim", "rahasia"]),
        "urgency": st.sampled_from(["normal", "urgent"]),
        "channel": st.sampled_from(["web", "sms"]),
        "target_agency_id": st.none() | agency_ids,
        "category": st.none() | names,
        "title": st.none() | sealed,
        "body": st.none() | sealed,
        "reporter": st.none() | sealed,
        "attachments": st.none() | sealed,
    },
    "PutOnHold": {"reason": names, "question": names},
    "Archived": {"reason": names, "note": st.none() | names},
    "Verified": {
        "handling_class": names,
        "sla_policy": names,
        "sla_policy_version": st.integers(1, 9),
        "deadlines": deadlines,
    },
    "Dispositioned": {
        "agency_id": agency_ids,
        "unit_id": st.none() | names,
        "to_unit": st.booleans(),
        "deadlines": deadlines,
    },
    "ReturnedNotAuthority": {"agency_id": agency_ids, "reason": names},
    "FollowedUp": {"message": st.none() | sealed, "attachments": st.none() | sealed},
    "ClarificationRequested": {"question": names},
    "Responded": {"message": st.none() | sealed},
    "Completed": {"summary": names, "auto": st.booleans(), "objection_deadline": aware_times},
    "Reopened": {"objection": st.none() | sealed},
    "AnswerDeadlineExtended": {"reason": names, "deadlines": deadlines},
    "Escalated": {"reason": names, "escalated_from": st.sampled_from(["completed", "archived"])},
    "Annotated": {"note": names},
    "InvestigationNoteAdded": {"note": st.none() | sealed},
    "DisclosureRecorded": {"fields": st.lists(names, max_size=3), "purpose": names},
    "PersonalDataErased": {"legal_basis": names},
}
OPTIONAL = (CLEAR_FIELDS - {"deadlines"}) | {"timestamp", "originator_topic"}
"""Fields a well-formed payload may lack (an older event, say): all but actor, at, state."""

unknown_names = st.sampled_from(["extra", "_type_", "_data_", "$sealed", "fields"]) | names


@st.composite
def payloads(draw: st.DrawFn, well_formed: bool) -> tuple[str, bytes]:
    """A payload of one event type: with `well_formed`, in the shape the ledger writes (any
    offsets, missing optional fields, null clear fields, unknown fields, any key order);
    else with up to four changes that may make it anything else."""
    name = draw(st.sampled_from(sorted(SHAPES)))
    values: dict[str, Any] = draw(st.fixed_dictionaries({**COMMON, **SHAPES[name]}))
    values.update(
        draw(
            st.dictionaries(unknown_names.filter(lambda k: k not in _READ), json_values, max_size=3)
        )
    )
    for key in draw(st.lists(st.sampled_from(sorted(values)), max_size=3)):
        if key in OPTIONAL and key in values:
            del values[key]
        elif key in CLEAR_FIELDS:
            values[key] = None
    if not well_formed:
        for _ in range(draw(st.integers(1, 4))):
            change = draw(st.integers(0, 4))
            key = draw(st.sampled_from(sorted(_READ | values.keys())))
            if change == 0:
                values.pop(key, None)
            elif change == 1:
                values[key] = draw(anything)
            elif change == 2 and isinstance(values.get("actor"), dict):
                actor = dict(values["actor"])
                actor_key = draw(st.sampled_from(["id", "role", "agency_id", "extra"]))
                if draw(st.booleans()):
                    actor.pop(actor_key, None)
                else:
                    actor[actor_key] = draw(anything)
                values["actor"] = actor
            elif change == 3 and isinstance(values.get("deadlines"), dict):
                deadline = draw(deadline_names | names)
                values["deadlines"] = {**values["deadlines"], deadline: draw(anything)}
            else:  # one of the times a header reads made odd
                values[draw(st.sampled_from(["at", "objection_deadline"]))] = draw(odd_times)
    order = draw(st.permutations(sorted(values)))
    ascii_only = draw(st.booleans())
    text = json.dumps({k: values[k] for k in order}, separators=(",", ":"), ensure_ascii=ascii_only)
    return f"ledger.domain.report:Report.{name}", text.encode()


not_json_objects = st.one_of(
    st.builds(lambda v: json.dumps(v).encode(), json_values),  # any JSON value
    st.builds(lambda t: t.encode(), st.text(max_size=20)),  # any text
    st.binary(max_size=20),  # not even UTF-8, maybe
)


@st.composite
def damaged(draw: st.DrawFn) -> tuple[str, bytes]:
    """A well-formed payload cut short, padded, or followed by more."""
    topic, payload = draw(payloads(well_formed=True))
    how = draw(st.integers(0, 3))
    if how == 0:
        payload = payload[: draw(st.integers(0, len(payload) - 1))]
    elif how == 1:
        payload = b" \n" + payload + b"\t "
    elif how == 2:
        payload += draw(st.sampled_from([b"{}", b"x", b"1", b",", b"\xff"]))
    else:
        payload = b"[" + payload + b"]"
    return topic, payload


STREAM = "6f1b1e0e-2d7a-4f55-9a8e-0c1d2e3f4a5b"
SETTINGS = settings(max_examples=400, deadline=None, database=None)


def test_the_payloads_cover_every_event_type_and_field() -> None:
    for cls in EVENT_CLASSES:
        own = {n for n in cls.__annotations__ if n != "sealed_fields"}
        assert own <= SHAPES[cls.__name__].keys(), cls.__name__
    assert {cls.__name__ for cls in EVENT_CLASSES} == SHAPES.keys()
    assert set(COMMON) >= {"actor", "at", "state"}


def test_tagged_times_are_written_as_the_event_store_writes_them() -> None:
    transcoder = JSONTranscoder()
    transcoder.register(DatetimeAsISO())
    time = datetime(2026, 1, 5, 9, 39, 30, 12, tzinfo=timezone(timedelta(hours=7)))
    stored = json.loads(transcoder.encode({"at": time}))
    assert stored == {"at": tagged(iso(time, 0))}


@SETTINGS
@given(payloads(well_formed=True))
def test_well_formed_payloads_are_read_the_common_way_into_the_same_header(
    case: tuple[str, bytes],
) -> None:
    topic, payload = case
    expected = assert_same_outcome(STREAM, 3, topic, payload)
    assert isinstance(expected, Header)
    assert headers._common_parts(json.loads(payload)) is not None  # not the general way


@SETTINGS
@given(payloads(well_formed=False))
def test_any_payload_gives_the_same_header_or_the_same_error(case: tuple[str, bytes]) -> None:
    topic, payload = case
    assert_same_outcome(STREAM, 3, topic, payload)


@SETTINGS
@given(not_json_objects | damaged())
def test_payloads_that_are_no_json_object_give_the_same_error(case: Any) -> None:
    topic, payload = case if isinstance(case, tuple) else ("t:Report.Submitted", case)
    assert_same_outcome(STREAM, 3, topic, payload)


def _payload(**changes: Any) -> bytes:
    values: dict[str, Any] = {
        "timestamp": tagged("2026-01-05T02:39:30+00:00"),
        "actor": {"id": "liaison.prov-bali", "role": "liaison", "agency_id": "prov-bali"},
        "at": tagged("2026-01-12T14:17:37.588162+07:00"),
        "state": "completed",
        "summary": "Laporan telah ditindaklanjuti.",
        "auto": False,
        "objection_deadline": tagged("2026-01-27T23:59:59.999999+08:00"),
    }
    values.update(changes)
    return json.dumps({k: v for k, v in values.items() if v is not ...}).encode()


@pytest.mark.parametrize(
    "payload",
    [
        b"[1]",
        b"null",
        b'"{}"',
        b"{",
        b"\xff{}",
        b'{"at": 1} x',
        _payload(actor={"id": None, "agency_id": None}),
        _payload(actor={"id": None, "role": 7, "agency_id": None}),
        _payload(actor="reporter"),
        _payload(actor={"id": tagged("bad"), "role": "reporter", "agency_id": None}),
        _payload(state=...),
        _payload(state=None),
        _payload(state=tagged("2026-01-01T00:00:00+00:00")),
        _payload(at=...),
        _payload(at=tagged("2026-01-12T07:17:37")),  # naive
        _payload(at=tagged("2026-01-12 07:17")),  # naive too
        _payload(at=tagged("yesterday")),
        _payload(at=tagged(None)),
        _payload(at=tagged(tagged("2026-01-12T07:17:37+00:00"))),
        _payload(at="yesterday"),
        _payload(at=tagged("0001-01-01T00:00:00+01:00")),  # before the first UTC time
        _payload(objection_deadline=tagged("2026-01-27T15:59:59")),
        _payload(objection_deadline=tagged("2026-01-27")),
        _payload(objection_deadline=5),
        _payload(deadlines={"completion": tagged("2026-02-01T00:00:00")}),
        _payload(deadlines={"completion": tagged("soon")}),
        _payload(deadlines={"_type_": "datetime_iso", "_data_": tagged("2026-02-01T00:00Z")}),
        _payload(deadlines=tagged("2026-02-01T00:00:00+00:00")),
        _payload(deadlines="soon"),
        _payload(classification=[tagged("bad")]),
    ],
)
def test_malformed_payloads_give_the_same_error(payload: bytes) -> None:
    expected = assert_same_outcome(STREAM, 3, "ledger.domain.report:Report.Completed", payload)
    assert not isinstance(expected, Header)


@pytest.mark.parametrize(
    "payload",
    [
        _payload(),
        _payload(actor={"role": "reporter", "id": None, "agency_id": None, "extra": [1]}),
        _payload(actor={"role": "reporter", "id": tagged("2026-01-01T00:00:00Z")}),
        _payload(deadlines={}),
        _payload(deadlines=None),
        _payload(deadlines=0),
        _payload(deadlines=[]),
        _payload(deadlines={"completion": "2026-02-01T00:00:00+00:00"}),
        _payload(deadlines=""),
        _payload(objection_deadline=None),
        _payload(objection_deadline="2026-01-27T15:59:59+00:00"),
        _payload(objection_deadline="2026-01-27T15:59:59Z"),
        _payload(classification=[1, {"a": tagged("2026-01-01T00:00:00+05:30")}]),
        _payload(at={"_data_": "2026-01-12T07:17:37Z", "_type_": "datetime_iso"}),
    ],
)
def test_unusual_but_readable_payloads_give_the_same_header(payload: bytes) -> None:
    expected = assert_same_outcome(STREAM, 3, "ledger.domain.report:Report.Completed", payload)
    assert isinstance(expected, Header)


def test_times_are_read_in_utc() -> None:
    header = header_from_stored(STREAM, 1, "ledger.domain.report:Report.Completed", _payload())
    assert header.at == datetime(2026, 1, 12, 7, 17, 37, 588162, tzinfo=UTC)
    assert header.at.tzinfo is UTC
    deadline = header.get("objection_deadline")
    assert deadline == datetime(2026, 1, 27, 15, 59, 59, 999999, tzinfo=UTC)
    assert deadline.tzinfo is UTC


# Texts on which orjson (the rebuild's parser) and json (the auditor's) could part: numbers of
# any size and precision, any string, repeated keys, deep nesting.

json_numbers = st.one_of(
    st.integers(-(2**200), 2**200).map(str),
    st.floats().map(json.dumps),
    st.from_regex(
        r"\A-?(0|[1-9][0-9]{0,40})(\.[0-9]{1,30})?([eE][+-]?[0-9]{1,4})?\Z", fullmatch=True
    ),
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "4.9e-325"]),
)
"""Any JSON number text (and the non-standard ones `json` writes and reads)."""

json_strings = st.one_of(
    st.builds(json.dumps, st.text()),
    st.builds(lambda t: json.dumps(t, ensure_ascii=False), st.text()),
    st.lists(
        st.sampled_from(["a", "\\ud800", "\\udc00", "\\ud83d\\ude00", "\\u0000", "é", "\\/"]),
        max_size=4,
    ).map(lambda parts: '"' + "".join(parts) + '"'),
)
"""Any JSON string text, escaped or not, lone surrogates included."""

_VERIFIED = "ledger.domain.report:Report.Verified"


def _verified(**texts: str) -> bytes:
    """A Verified payload with the JSON texts given spliced in as they are."""
    values = {
        "actor": '{"id":"admin.kemenpanrb","role":"admin_national","agency_id":"kemenpanrb"}',
        "at": json.dumps(tagged("2026-01-05T13:59:20.710404+00:00")),
        "state": '"verified"',
        "handling_class": '"ringan"',
        "sla_policy": '"national-2018"',
        "sla_policy_version": "1",
        "deadlines": json.dumps({"verification": tagged("2026-01-08T16:59:59.999999+00:00")}),
        **texts,
    }
    return ("{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in values.items()) + "}").encode()


@SETTINGS
@given(json_numbers, st.sampled_from(["sla_policy_version", "classification", "extra"]))
def test_numbers_of_any_size_are_read_as_json_reads_them(number: str, field: str) -> None:
    expected = assert_same_outcome(STREAM, 3, _VERIFIED, _verified(**{field: number}))
    if field != "extra" and isinstance(expected, Header):
        assert type(expected.get(field)) is type(json.loads(number))


@pytest.mark.parametrize(
    "number", ["18446744073709551615", "18446744073709551616", "-9223372036854775809", "1" * 60]
)
def test_integers_beyond_64_bits_stay_integers(number: str) -> None:
    expected = assert_same_outcome(STREAM, 3, _VERIFIED, _verified(sla_policy_version=number))
    assert isinstance(expected, Header)
    assert expected.get("sla_policy_version") == int(number)


@SETTINGS
@given(json_strings, st.sampled_from(["classification", "state", "extra"]))
def test_strings_of_any_characters_are_read_as_json_reads_them(text: str, field: str) -> None:
    assert_same_outcome(STREAM, 3, _VERIFIED, _verified(**{field: text}))


@SETTINGS
@given(
    st.sampled_from(["state", "at", "actor", "deadlines", "sla_policy_version", "extra"]),
    json_values,
)
def test_a_repeated_key_is_read_as_json_reads_it(key: str, value: Any) -> None:
    payload = _verified()
    assert_same_outcome(
        STREAM,
        3,
        _VERIFIED,
        payload[:-1] + f",{json.dumps(key)}:".encode() + json.dumps(value).encode() + b"}",
    )
    assert_same_outcome(
        STREAM, 3, _VERIFIED, f"{{{json.dumps(key)}:{json.dumps(value)},".encode() + payload[1:]
    )


@pytest.mark.parametrize("depth", [1, 100, 399, 400, 401, 600, 1000, 1020, 1030, 5000])
@pytest.mark.parametrize("field", ["extra", "classification"])
def test_nesting_of_any_depth_is_read_as_json_reads_it(depth: int, field: str) -> None:
    assert_same_outcome(STREAM, 3, _VERIFIED, _verified(**{field: "[" * depth + "]" * depth}))


def _plain_id(stored_id: Any) -> tuple[str, Any]:
    try:
        return "value", str(UUID(str(stored_id)))
    except Exception as e:  # the same error either way
        return "error", type(e)


def _id_of(stored_id: Any) -> tuple[str, Any]:
    try:
        return "value", report_id_text(stored_id)
    except Exception as e:  # the same error either way
        return "error", type(e)


class IdText(str):
    def __str__(self) -> str:
        return "6f1b1e0e-2d7a-4f55-9a8e-0c1d2e3f4a5b"


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.uuids().map(str),  # as SQLite stores the ledger's ids
        st.uuids(),  # as PostgreSQL returns them
        st.uuids().map(lambda u: str(u).upper()),
        st.uuids().map(lambda u: f"{{{u}}}"),
        st.uuids().map(lambda u: u.hex),
        st.uuids().map(lambda u: f"urn:uuid:{u}"),
        st.uuids().map(lambda u: str(u) + "\n"),
        st.uuids().map(lambda u: IdText(str(u))),  # a text that is not what it says
        st.text(alphabet="0123456789abcdefABCDEF-g{}", max_size=40),
        st.text(),
        st.integers(),
    )
)
def test_report_ids_are_read_as_a_uuid_reads_them(stored_id: Any) -> None:
    assert _id_of(stored_id) == _plain_id(stored_id)
