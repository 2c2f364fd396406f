"""The entries a recorder committed last: kept by (report, version), oldest dropped first."""

from __future__ import annotations

from uuid import uuid4

from eventsourcing.persistence import StoredEvent

from ledger.integrity.chain import LedgerRow
from ledger.storage.recent import RecentEntries


def test_committed_entries_are_kept_with_their_event_and_bounded() -> None:
    recent, sid = RecentEntries(capacity=2), uuid4()
    rows = [LedgerRow(i, sid, i + 1, 1000 + i, bytes(32), bytes([i]) * 32) for i in range(3)]
    events = [StoredEvent(sid, i + 1, f"ledger.domain:Report.E{i}", b"{}") for i in range(3)]
    recent.remember(rows, events)
    assert recent.get(sid, 1) is None  # the oldest went first
    kept = recent.get(sid, 3)
    assert kept is not None
    assert (kept.leaf_index, kept.entry_hash, kept.recorded_at_us) == (2, bytes([2]) * 32, 1002)
    assert (kept.event_type, kept.payload) == ("ledger.domain:Report.E2", b"{}")
    assert recent.get(uuid4(), 3) is None
