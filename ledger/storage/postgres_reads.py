"""Reads of the PostgreSQL integrity recorder: the log, a report's entries, data keys."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore

from ledger.storage.keys import WrappedKey
from ledger.storage.pg_names import pg_statement
from ledger.storage.postgres_sql import (
    DESTROY_KEY,
    INSERT_KEY,
    PAGE,
    SELECT_ENTRIES,
    SELECT_KEY,
    SELECT_STREAM_ENTRIES,
    SELECT_STREAM_ENTRY,
    SELECT_TREE_SIZE,
    SELECT_UNLINKED,
)
from ledger.storage.recent import CommittedEntryReads, RecentEntries
from ledger.storage.records import EntryRecord, UnlinkedEvent


def _record(row: dict[str, Any]) -> EntryRecord:
    return EntryRecord(
        leaf_index=row["leaf_index"],
        stream_id=row["stream_id"],
        stream_version=row["stream_version"],
        recorded_at_us=row["recorded_at_us"],
        prev_hash=bytes(row["prev_hash"]),
        entry_hash=bytes(row["entry_hash"]),
        event_type=row["topic"],
        payload=None if row["state"] is None else bytes(row["state"]),
    )


class PostgresLedgerReads(CommittedEntryReads):
    """The read side of `LedgerPostgresRecorder` (which provides these attributes)."""

    datastore: PostgresDatastore
    events_table_name: str
    stored_event_type_name: str
    recent: RecentEntries

    def _sql(self, statement: str) -> str:
        return pg_statement(
            statement,
            schema=self.datastore.schema,
            events=self.events_table_name,
            event_type=self.stored_event_type_name,
        )

    def tree_size(self) -> int:
        """Number of entries in the log."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql(SELECT_TREE_SIZE))
            row = curs.fetchone()
        assert row is not None
        return int(row["size"])

    def iter_entries(self, start: int = 0, stop: int | None = None) -> Iterator[EntryRecord]:
        """Entries in leaf order, read page by page."""
        end = self.tree_size() if stop is None else stop
        position = start
        while position < end:
            with self.datastore.transaction(commit=False) as curs:
                curs.execute(self._sql(SELECT_ENTRIES), (position, end, PAGE), prepare=True)
                rows = curs.fetchall()
            if not rows:
                return
            for row in rows:
                yield _record(row)
            position = rows[-1]["leaf_index"] + 1

    def stream_entry(self, stream_id: UUID, version: int) -> EntryRecord | None:
        """One entry of a report, by version (one statement: no BEGIN/ROLLBACK trips)."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._sql(SELECT_STREAM_ENTRY), (stream_id, version), prepare=True)
            row = curs.fetchone()
        return None if row is None else _record(row)

    def stream_entries(self, stream_id: UUID) -> list[EntryRecord]:
        """All entries of one report, in version order."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql(SELECT_STREAM_ENTRIES), (stream_id,), prepare=True)
            return [_record(row) for row in curs.fetchall()]

    def iter_unlinked_events(self) -> Iterator[UnlinkedEvent]:
        """Stored events that have no ledger entry (only tampering produces them)."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql(SELECT_UNLINKED))
            rows = curs.fetchall()
        for r in rows:
            yield UnlinkedEvent(
                r["originator_id"], r["originator_version"], r["topic"], bytes(r["state"])
            )

    def insert_data_key(self, row: WrappedKey) -> None:
        """Store a wrapped data key on its own (keys for new reports go with the save)."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                self._sql(INSERT_KEY),
                (row.report_id, row.key_id, row.kek_id, row.wrapped, time.time_ns() // 1000),
            )

    def fetch_data_key(self, report_id: UUID) -> WrappedKey | None:
        """The wrapped data key of a report; None if it never had one or it was destroyed."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql(SELECT_KEY), (report_id,), prepare=True)
            row = curs.fetchone()
        if row is None or row["wrapped"] is None:
            return None
        return WrappedKey(report_id, row["key_id"], row["kek_id"], bytes(row["wrapped"]))

    def destroy_data_key(self, report_id: UUID, at_us: int) -> bool:
        """Overwrite a report's wrapped key; True if there was one to destroy."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._sql(DESTROY_KEY), (at_us, report_id))
            return bool(curs.rowcount)
