"""The rebuild's in-place fold (`fold_into` on a `Draft`) gives exactly the records of the pure
fold (`apply`), refuses what `apply` refuses without changing the draft, and never changes the
record a draft starts from."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.demo import run_demo
from projections.rules.fold import Draft, RecordError, apply, fold_into
from projections.rules.headers import Header
from projections.rules.record import ClockRecord
from projections.runner import Projections
from tests.integration.ledgers import open_ledger
from tests.unit.projections.histories import LIAISON, SERANG, T0, TANGERANG, D, H, History


@pytest.fixture(scope="module")
def demo_headers(tmp_path_factory: pytest.TempPathFactory) -> list[Header]:
    """Every header of a demo log of 300 reports (every event type the demo writes)."""
    folder: Path = tmp_path_factory.mktemp("draft")
    app = open_ledger(f"sqlite:///{folder / 'log.sqlite3'}", folder)
    try:
        run_demo(app, reports=300, seed=7)
        log = Projections(app).log
        return [log.header(row) for row in log.stored_after(None, 1_000_000)]
    finally:
        app.close()


def _by_report(headers: list[Header]) -> Iterator[list[Header]]:
    streams: dict[str, list[Header]] = defaultdict(list)
    for header in headers:
        streams[header.report_id].append(header)
    return iter(streams.values())


def _fields(record: ClockRecord) -> tuple[object, ...]:
    return dataclasses.astuple(record)


NAMES = tuple(f.name for f in dataclasses.fields(ClockRecord))
ALWAYS = {"version", "state", "state_at", "last_event_at"}  # set by every event


def _record(draft: Draft) -> ClockRecord:
    """The record a draft stands for."""
    return ClockRecord(*(getattr(draft, name) for name in NAMES))


def test_folding_in_place_gives_the_records_of_the_pure_fold(demo_headers: list[Header]) -> None:
    types = {h.event_type for h in demo_headers}
    assert {"Submitted", "Verified", "Dispositioned", "ReturnedNotAuthority", "FollowedUp"} <= types
    compared = 0
    for stream in _by_report(demo_headers):
        record: ClockRecord | None = None
        draft: Draft | None = None
        for header in stream:
            before = None if record is None else _fields(record)
            record = apply(record, header)
            draft, changed = fold_into(draft, header)
            assert _record(draft) == record
            if before is None:
                assert changed is None  # a first event: every field is new
            else:  # the fields named are those the event may have changed (the dues' inputs)
                assert changed is not None
                moved = {
                    n for n, a, b in zip(NAMES, before, _fields(record), strict=True) if a != b
                }
                assert moved - ALWAYS <= set(changed)
            compared += 1
    assert compared == len(demo_headers)


def test_a_draft_started_from_a_stored_record_goes_on_from_it(demo_headers: list[Header]) -> None:
    for stream in _by_report(demo_headers):
        if len(stream) < 3:
            continue
        middle: ClockRecord | None = None
        for header in stream[:2]:
            middle = apply(middle, header)
        assert middle is not None
        kept = _fields(middle)
        draft = Draft.of(middle)
        expected = middle
        for header in stream[2:]:
            draft, _ = fold_into(draft, header)
            expected = apply(expected, header)
        assert _record(draft) == expected
        assert _fields(middle) == kept  # the record the draft started from is unchanged


def test_refusals_are_those_of_apply_and_change_nothing() -> None:
    h = History().verify(T0 + H).disposition(T0 + 2 * H, "kota-serang")
    h.do("return_not_authority", SERANG, T0 + D, reason="bukan wewenang")
    h.disposition(T0 + 2 * D, "kab-tangerang", first_follow_up=T0 + 9 * D)
    h.do("follow_up", LIAISON, T0 + 3 * D, message="ditinjau")
    first, verified, dispositioned, *_ = h.headers
    with pytest.raises(RecordError, match="must be Submitted v1"):
        fold_into(None, verified)
    draft, _ = fold_into(None, first)
    for wrong, message in (
        (dispositioned, "expected version 2"),  # a gap
        (first, "expected version 2"),  # a repeat
        (verified._replace(event_type="Teleported"), "unknown event type"),
        (verified._replace(fields={}), "sla_policy missing"),
    ):
        before = _fields(draft)
        with pytest.raises(RecordError, match=message):
            fold_into(draft, wrong)
        with pytest.raises(RecordError, match=message):
            apply(_record(draft), wrong)
        assert _fields(draft) == before
    for header in h.headers[1:]:
        draft, _ = fold_into(draft, header)
    assert _record(draft) == h.record()
    assert TANGERANG.agency_id == draft.agency_id


def test_a_draft_is_not_a_record_and_is_changed_only_by_the_fold() -> None:
    record = History().verify(T0 + H).record()
    draft = Draft.of(record)
    assert draft != record and _record(draft) == record
    with pytest.raises(dataclasses.FrozenInstanceError):
        draft.state = "completed"  # type: ignore[misc]
    assert not hasattr(draft, "__dict__")
