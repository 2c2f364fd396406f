"""The entries this recorder committed last, for the response to the append that wrote them.

An append answers with where its event sits in the log (leaf index, entry hash, recorded
time). The recorder knows that when it commits; keeping the last few thousand committed
entries saves reading each back. Only the answer to an append uses them: every read of the
log, a report's history and every proof still reads the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import islice
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from ledger.integrity.chain import LedgerRow
from ledger.storage.records import EntryRecord


class RecentEntries:
    """At most `capacity` committed entries by (report, version).

    Written only by the thread that holds the group commit (one writer at a time), read by
    any: a dict read or write is atomic in CPython, so no lock is taken on the append path.
    """

    def __init__(self, capacity: int = 4096) -> None:
        self._capacity = capacity
        self._entries: dict[tuple[UUID, int], tuple[LedgerRow, StoredEvent]] = {}

    def remember(self, rows: Sequence[LedgerRow], events: Sequence[StoredEvent]) -> None:
        """Keep the entries of a committed transaction (`rows[i]` is the entry of `events[i]`)."""
        entries = self._entries
        for row, event in zip(rows, events, strict=True):
            entries[(row.stream_id, row.stream_version)] = (row, event)
        excess = len(entries) - self._capacity
        if excess > 0:  # the oldest first: a dict keeps insertion order
            for key in list(islice(entries, excess)):
                del entries[key]

    def get(self, stream_id: UUID, version: int) -> EntryRecord | None:
        """The committed entry, if it is still kept."""
        found = self._entries.get((stream_id, version))
        if found is None:
            return None
        row, event = found
        return EntryRecord(*row, event_type=event.topic, payload=event.state)


class CommittedEntryReads:
    """`committed_entry` for both backends' reads: the kept entry, else the database."""

    recent: RecentEntries
    stream_entry: Callable[[UUID, int], EntryRecord | None]  # each backend's own statement

    def committed_entry(self, stream_id: UUID, version: int) -> EntryRecord | None:
        """An entry this recorder committed recently (see `RecentEntries`), else read."""
        return self.recent.get(stream_id, version) or self.stream_entry(stream_id, version)
