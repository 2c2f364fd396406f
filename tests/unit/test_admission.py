"""Admission of concurrent requests in one group-commit transaction."""

from __future__ import annotations

from uuid import UUID, uuid4

from eventsourcing.persistence import StoredEvent

from ledger.integrity.chain import admit


def ev(stream: UUID, version: int) -> StoredEvent:
    return StoredEvent(originator_id=stream, originator_version=version, topic="t", state=b"{}")


def test_each_request_is_judged_after_the_ones_before_it() -> None:
    a, b = uuid4(), uuid4()
    reasons = admit(
        [
            [ev(a, 3)],  # continues a at 2
            [ev(a, 3)],  # same version again: conflict
            [ev(b, 1), ev(a, 4)],  # new stream b, a continues after the first request
            [ev(b, 1)],  # b exists now
            [ev(a, 5), ev(a, 7)],  # a gap inside one request: refused whole
            [ev(a, 5)],  # still free, since the previous request was refused whole
        ],
        {a: 2},
    )
    assert [r is None for r in reasons] == [True, False, True, False, False, True]
    assert reasons[1] is not None and "version 3 conflicts" in reasons[1]
