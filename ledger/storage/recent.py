"""The entries this recorder committed last, for the response to the append that wrote them.

An append answers with where its event sits in the log (leaf index, entry hash, recorded
time). The recorder knows that when it commits; keeping the last few thousand committed
entries saves reading each back. Only the answer to an append uses them: every read of the
log, a report's history and every proof still reads the database.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from ledger.integrity.chain import LedgerRow
from ledger.storage.records import EntryRecord


class RecentEntries:
    """At most `capacity` committed entries by (report, version); safe across threads."""

    def __init__(self, capacity: int = 4096) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[tuple[UUID, int], EntryRecord] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, rows: Sequence[LedgerRow], events: Sequence[StoredEvent]) -> None:
        """Keep the entries of a committed transaction (`rows[i]` is the entry of `events[i]`)."""
        with self._lock:
            entries = self._entries
            for row, event in zip(rows, events, strict=True):
                entries[(row.stream_id, row.stream_version)] = EntryRecord(
                    *row, event_type=event.topic, payload=event.state
                )
            while len(entries) > self._capacity:
                entries.popitem(last=False)

    def get(self, stream_id: UUID, version: int) -> EntryRecord | None:
        """The committed entry, if it is still kept."""
        with self._lock:
            return self._entries.get((stream_id, version))
