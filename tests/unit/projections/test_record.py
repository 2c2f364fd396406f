"""The clock record: a fold of clear headers that refuses gaps, repeats and unknown events."""

from __future__ import annotations

import json

import pytest
from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder, UUIDAsHex
from eventsourcing.utils import get_topic

from ledger.domain.events import SEALED_FIELD_NAMES
from projections.rules.codec import record_from_json, record_to_json
from projections.rules.fold import RecordError, apply
from projections.rules.headers import CLEAR_FIELDS, HeaderError, header_from_stored
from tests.unit.projections.histories import (
    LIAISON,
    NATIONAL,
    REPORTER,
    SERANG,
    T0,
    TANGERANG,
    D,
    H,
    History,
)


def test_the_first_event_must_be_submitted_and_versions_follow_on() -> None:
    h = History().verify(T0 + H).disposition(T0 + 2 * H, "kota-serang")
    first, verified, dispositioned = h.headers
    with pytest.raises(RecordError, match="must be Submitted v1"):
        apply(None, verified)
    record = apply(None, first)
    with pytest.raises(RecordError, match="expected version 2"):
        apply(record, dispositioned)  # a gap
    record = apply(record, verified)
    with pytest.raises(RecordError, match="expected version 3"):
        apply(record, verified)  # the same event twice
    with pytest.raises(RecordError, match="unknown event type"):
        apply(record, dispositioned._replace(event_type="Teleported"))


def test_intake_agency_is_the_first_admin_who_acted_else_the_address() -> None:
    assert History().record().intake_agency == "kemenpanrb"
    assert History(target="kota-serang").record().intake_agency == "kota-serang"
    h = History(target="kab-tangerang").do("put_on_hold", SERANG, T0 + H, reason="r", question="q")
    h.verify(T0 + D, actor=NATIONAL)
    assert h.record().intake_agency == "kota-serang"


def test_hold_ends_at_the_first_answer_and_awaiting_reporter_follows_the_events() -> None:
    h = History().do("put_on_hold", NATIONAL, T0 + H, reason="r", question="q")
    record = h.record()
    assert (record.awaiting_reporter, record.hold_started_at, record.hold_ended_at) == (
        True,
        T0 + H,
        None,
    )
    h.do("respond", REPORTER, T0 + 2 * D, message="jawaban")
    h.do("respond", REPORTER, T0 + 3 * D, message="tambahan")
    record = h.record()
    assert (record.awaiting_reporter, record.hold_ended_at) == (False, T0 + 2 * D)


def test_verifying_or_archiving_ends_an_unanswered_hold() -> None:
    for command in ("verify", "archive"):
        h = History().do("put_on_hold", NATIONAL, T0 + H, reason="r", question="q")
        if command == "verify":
            h.verify(T0 + 2 * D)
        else:
            h.do("archive", NATIONAL, T0 + 2 * D, reason="duplicate")
        assert (h.record().hold_started_at, h.record().hold_ended_at) == (T0 + H, T0 + 2 * D)
    assert History().verify(T0 + D).record().hold_ended_at is None  # no hold, nothing ends


def test_returns_and_redispositions_are_kept_per_agency() -> None:
    h = History().verify(T0 + H).disposition(T0 + 2 * H, "kota-serang")
    h.do("return_not_authority", SERANG, T0 + D, reason="bukan wewenang")
    h.disposition(T0 + 2 * D, "kab-tangerang", first_follow_up=T0 + 9 * D)
    unit = "kab-tangerang.dinkes"
    h.do("disposition", TANGERANG, T0 + 2 * D + H, agency_id="kab-tangerang", unit_id=unit)
    h.do("follow_up", LIAISON, T0 + 3 * D, message="ditinjau")
    r = h.record()
    assert (r.agency_id, r.unit_id, r.assigned_at) == ("kab-tangerang", unit, T0 + 2 * D)
    assert (r.returns, r.redispositions, r.dispositions) == (1, 1, 2)
    assert r.first_follow_up_at == T0 + 3 * D
    by_agency = {i.agency_id: i for i in r.involvements}
    assert by_agency["kota-serang"].returned and by_agency["kota-serang"].returns == 1
    assert by_agency["kab-tangerang"].redisposition and not by_agency["kab-tangerang"].returned


def test_codec_round_trip_is_exact() -> None:
    h = History().verify(T0 + H, due=T0 + 3 * D).disposition(T0 + 2 * H, "kota-serang")
    h.do("return_not_authority", SERANG, T0 + D, reason="bukan wewenang")
    record = h.record()
    text = record_to_json(record)
    assert record_from_json(text) == record
    assert record_to_json(record_from_json(text)) == text


def test_headers_keep_clear_fields_only() -> None:
    h = History(classification="wbs").verify(T0 + H).disposition(T0 + 2 * H, "kota-serang")
    h.do("follow_up", LIAISON, T0 + D, message="Rahasia: tindak lanjut")
    for header in h.headers:
        assert set(header.fields) <= CLEAR_FIELDS
        assert not set(header.fields) & SEALED_FIELD_NAMES
        assert "Rahasia" not in repr(header)
    assert not CLEAR_FIELDS & SEALED_FIELD_NAMES


def test_stored_payload_gives_the_same_header_as_the_decoded_event() -> None:
    h = History(target="kota-serang").verify(T0 + H, due=T0 + 3 * D)
    h.disposition(T0 + 2 * H, "kota-serang", first_follow_up=T0 + 7 * D)
    transcoder = JSONTranscoder()
    transcoder.register(DatetimeAsISO())
    transcoder.register(UUIDAsHex())
    for header, event in zip(h.headers, h.events, strict=True):
        state = dict(vars(event))
        del state["originator_id"], state["originator_version"]
        for name in SEALED_FIELD_NAMES & state.keys():
            state[name] = {"$sealed": 1, "ct": "AAAA"}  # ciphertext, as stored
        topic = get_topic(type(event))
        stored = header_from_stored(
            header.report_id, header.version, topic, transcoder.encode(state)
        )
        assert stored == header
    with pytest.raises(HeaderError, match="not a JSON object"):
        header_from_stored("x", 1, "ledger.domain.report:Report.Submitted", b"[1]")
    with pytest.raises(HeaderError, match="actor"):
        header_from_stored("x", 1, "t", json.dumps({"state": "s"}).encode())
