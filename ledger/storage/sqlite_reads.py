"""Reads of the SQLite integrity recorder: the log, a report's entries, data keys.

Each row of the events table holds the event and its entry; its leaf index is its
notification id less one (ledger.storage.sqlite_sql)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from uuid import UUID

from eventsourcing.sqlite import SQLiteDatastore

from ledger.storage.keys import WrappedKey
from ledger.storage.recent import CommittedEntryReads, RecentEntries
from ledger.storage.records import EntryRecord, UnlinkedEvent
from ledger.storage.sqlite_sql import (
    DESTROY_KEY,
    INSERT_KEY,
    PAGE,
    SELECT_ENTRIES,
    SELECT_KEY,
    SELECT_STREAM_ENTRIES,
    SELECT_STREAM_ENTRY,
    SELECT_TREE_SIZE,
)


def _record(row: Any) -> EntryRecord:
    return EntryRecord(
        leaf_index=row[0],
        stream_id=UUID(hex=row[1]),
        stream_version=row[2],
        recorded_at_us=row[3],
        prev_hash=bytes(row[4]),
        entry_hash=bytes(row[5]),
        event_type=row[6],
        payload=bytes(row[7]),
    )


class SQLiteLedgerReads(CommittedEntryReads):
    """The read side of `LedgerSQLiteRecorder` (which provides these attributes)."""

    datastore: SQLiteDatastore
    recent: RecentEntries

    def tree_size(self) -> int:
        """Number of entries in the log."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(SELECT_TREE_SIZE)
            return int(c.fetchone()[0])

    def iter_entries(self, start: int = 0, stop: int | None = None) -> Iterator[EntryRecord]:
        """Entries in leaf order, read page by page."""
        end = self.tree_size() if stop is None else stop
        position = start
        while position < end:
            with self.datastore.transaction(commit=False) as c:
                c.execute(SELECT_ENTRIES, (position, end, PAGE))
                rows = c.fetchall()
            if not rows:
                return
            for row in rows:
                yield _record(row)
            position = rows[-1][0] + 1

    def stream_entry(self, stream_id: UUID, version: int) -> EntryRecord | None:
        """One entry of a report, by version."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(SELECT_STREAM_ENTRY, (stream_id.hex, version))
            row = c.fetchone()
        return None if row is None else _record(row)

    def stream_entries(self, stream_id: UUID) -> list[EntryRecord]:
        """All entries of one report, in version order."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(SELECT_STREAM_ENTRIES, (stream_id.hex,))
            return [_record(row) for row in c.fetchall()]

    def iter_unlinked_events(self) -> Iterator[UnlinkedEvent]:
        """Stored events that have no ledger entry: none on SQLite, where every event row
        holds its entry (an edited row shows as a failing entry instead)."""
        return iter(())

    def insert_data_key(self, row: WrappedKey) -> None:
        """Store a wrapped data key on its own (keys for new reports go with the save)."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                INSERT_KEY,
                (row.report_id.hex, row.key_id, row.kek_id, row.wrapped, time.time_ns() // 1000),
            )

    def fetch_data_key(self, report_id: UUID) -> WrappedKey | None:
        """The wrapped data key of a report; None if it never had one or it was destroyed."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(SELECT_KEY, (report_id.hex,))
            row = c.fetchone()
        if row is None or row[2] is None:
            return None
        return WrappedKey(report_id, row[0], row[1], bytes(row[2]))

    def destroy_data_key(self, report_id: UUID, at_us: int) -> bool:
        """Overwrite a report's wrapped key; True if there was one to destroy."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(DESTROY_KEY, (at_us, report_id.hex))
            return bool(c.sqlite_cursor.rowcount)
