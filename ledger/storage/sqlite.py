"""SQLite integrity recorder: eventsourcing's application recorder plus the ledger tables.

Inside the insert transaction it assigns gap-free leaf indexes, links each event to its
report's previous entry and stores the entry hash. Triggers make every table but
`report_keys` append-only; `report_keys` only allows its wrapped key to be destroyed.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import EllipsisType
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    IntegrityError,
    OperationalError,
    PersistenceError,
    StoredEvent,
)
from eventsourcing.sqlite import (
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteCursor,
    SQLiteDatastore,
)

from ledger.integrity.chain import ChainIntegrityError, LedgerRow, admit, sequence
from ledger.integrity.entry import EntryHasher
from ledger.storage.group_commit import AppendRequest, GroupCommitter, append_one, share_ids
from ledger.storage.heads import Head, HeadCache
from ledger.storage.key_completion import (
    SQLITE_COMPLETE,
    completions,
    keep_owned,
    render_all,
    sqlite_held,
)
from ledger.storage.keys import WrappedKey
from ledger.storage.recent import RecentEntries
from ledger.storage.records import EntryRecord, OriginMismatch, UnlinkedEvent

EVENTS_TABLE = "ledger_events"

# Every index of ledger_entries grows at its end (leaf index, event id): an append writes no
# page in the middle of a b-tree. A report's entries are found through the events table's
# own primary key (stream, version) and the event id; see docs/storage.md.
CREATE_LEDGER_TABLES = [
    "CREATE TABLE IF NOT EXISTS ledger_entries ("
    " leaf_index INTEGER PRIMARY KEY,"
    " event_id INTEGER NOT NULL UNIQUE,"
    " stream_id BLOB NOT NULL CHECK (length(stream_id) = 16),"
    " stream_version INTEGER NOT NULL,"
    " recorded_at_us INTEGER NOT NULL,"
    " prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),"
    " entry_hash BLOB NOT NULL CHECK (length(entry_hash) = 32))",
    "CREATE TABLE IF NOT EXISTS ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS report_keys ("
    " report_id TEXT PRIMARY KEY,"
    " key_id TEXT NOT NULL,"
    " kek_id TEXT NOT NULL,"
    " wrapped BLOB,"
    " created_at_us INTEGER NOT NULL,"
    " destroyed_at_us INTEGER)",
]

APPEND_ONLY_TABLES = (EVENTS_TABLE, "ledger_entries", "ledger_meta")


def _append_only_triggers(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op} refused'); END"
        for op in ("UPDATE", "DELETE")
    ]


KEY_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS report_keys_no_delete BEFORE DELETE ON report_keys "
    "BEGIN SELECT RAISE(ABORT, 'report_keys rows are kept: DELETE refused'); END",
    # The only change allowed is destroying a wrapped key (erasure), once.
    "CREATE TRIGGER IF NOT EXISTS report_keys_only_destroy BEFORE UPDATE ON report_keys "
    "WHEN NEW.wrapped IS NOT NULL OR OLD.wrapped IS NULL OR NEW.report_id != OLD.report_id "
    "OR NEW.key_id != OLD.key_id OR NEW.kek_id != OLD.kek_id "
    "OR NEW.created_at_us != OLD.created_at_us OR NEW.destroyed_at_us IS NULL "
    "BEGIN SELECT RAISE(ABORT, 'report_keys: only destroying a wrapped key is allowed'); END",
]

SELECT_HEAD = (
    "SELECT leaf_index, recorded_at_us FROM ledger_entries ORDER BY leaf_index DESC LIMIT 1"
)
# The entry of a report's latest linked event; the caller checks that the entry names that
# event's stream and version. One such statement per report costs less in SQLite than one
# statement for all reports (measured).
SELECT_STREAM_HEAD = (
    "SELECT e.originator_version, l.stream_id, l.stream_version, l.entry_hash"
    " FROM ledger_events e JOIN ledger_entries l ON l.event_id = e.rowid"
    " WHERE e.originator_id = ? ORDER BY e.originator_version DESC LIMIT 1"
)
INSERT_ENTRY = "INSERT INTO ledger_entries VALUES (?, ?, ?, ?, ?, ?, ?)"
INSERT_KEY = "INSERT INTO report_keys VALUES (?, ?, ?, ?, ?, NULL)"
SELECT_KEY = "SELECT key_id, kek_id, wrapped FROM report_keys WHERE report_id = ?"
DESTROY_KEY = (
    "UPDATE report_keys SET wrapped = NULL, destroyed_at_us = ? "
    "WHERE report_id = ? AND wrapped IS NOT NULL"
)
SELECT_ORIGIN = "SELECT value FROM ledger_meta WHERE key = 'origin'"
INSERT_ORIGIN = "INSERT OR IGNORE INTO ledger_meta VALUES ('origin', ?)"
SELECT_TREE_SIZE = "SELECT COALESCE(MAX(leaf_index) + 1, 0) FROM ledger_entries"
_COLUMNS = (
    "SELECT l.leaf_index, l.stream_id, l.stream_version, l.recorded_at_us, l.prev_hash,"
    " l.entry_hash, e.topic, e.state"
)
# The log in leaf order: each entry with the event stored at its own stream and version.
SELECT_ENTRIES = (
    _COLUMNS + " FROM ledger_entries l LEFT JOIN ledger_events e"
    " ON e.originator_id = lower(hex(l.stream_id)) AND e.originator_version = l.stream_version"
    " WHERE l.leaf_index >= ? AND l.leaf_index < ? ORDER BY l.leaf_index LIMIT ?"
)
# One report's entries: its events by primary key, each with the entry that links to it.
_STREAM = _COLUMNS + " FROM ledger_events e JOIN ledger_entries l ON l.event_id = e.rowid"
SELECT_STREAM_ENTRIES = _STREAM + " WHERE e.originator_id = ? ORDER BY e.originator_version"
SELECT_STREAM_ENTRY = _STREAM + " WHERE e.originator_id = ? AND e.originator_version = ?"
SELECT_UNLINKED = (
    "SELECT e.originator_id, e.originator_version, e.topic, e.state FROM ledger_events e"
    " LEFT JOIN ledger_entries l ON l.event_id = e.rowid"
    " WHERE l.leaf_index IS NULL ORDER BY e.rowid"
)
PAGE = 2000


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)


@contextmanager
def _translated_errors() -> Iterator[None]:
    """sqlite3's errors as eventsourcing's, as its own transactions translate them."""
    try:
        yield
    except sqlite3.IntegrityError as e:
        raise IntegrityError(e) from e
    except sqlite3.OperationalError as e:
        raise OperationalError(e) from e
    except sqlite3.Error as e:
        raise PersistenceError(e) from e


def _record(row: Any) -> EntryRecord:
    return EntryRecord(
        leaf_index=row[0],
        stream_id=UUID(bytes=bytes(row[1])),
        stream_version=row[2],
        recorded_at_us=row[3],
        prev_hash=bytes(row[4]),
        entry_hash=bytes(row[5]),
        event_type=row[6],
        payload=None if row[7] is None else bytes(row[7]),
    )


class LedgerSQLiteRecorder(SQLiteApplicationRecorder):
    """Stores events and their ledger entries in one SQLite transaction."""

    def __init__(self, datastore: SQLiteDatastore, *, origin: str) -> None:
        self.origin = origin
        self.hasher = EntryHasher(origin)
        self.heads = HeadCache()
        self.recent = RecentEntries()
        self.group = GroupCommitter(self.write_batch)
        self._own: SQLiteConnection | None = None  # see _writer
        self._own_pid = 0
        self._data_version: int | None = None
        self._log_head: tuple[int, int] | None = None  # (leaf index, recorded time, µs)
        super().__init__(datastore, events_table_name=EVENTS_TABLE)

    def construct_create_table_statements(self) -> list[str]:
        statements = super().construct_create_table_statements() + CREATE_LEDGER_TABLES
        for table in APPEND_ONLY_TABLES:
            statements += _append_only_triggers(table)
        return statements + KEY_TRIGGERS

    def create_table(self) -> None:
        """Create tables and triggers, then pin the log origin (first writer wins)."""
        super().create_table()
        with self.datastore.transaction(commit=True) as c:
            c.execute(INSERT_ORIGIN, (self.origin,))
        self.check_origin()

    def check_origin(self) -> None:
        """Refuse a database that belongs to another log, or has no ledger tables yet."""
        try:
            with self.datastore.transaction(commit=False) as c:
                c.execute(SELECT_ORIGIN)
                row = c.fetchone()
        except OperationalError as e:
            raise OriginMismatch(f"no ledger tables ({e}): run `lapor-ledger init-db`") from None
        stored = None if row is None else row[0]
        if stored != self.origin:
            raise OriginMismatch(
                f"database holds log {stored!r}, configured origin is {self.origin!r}"
            )

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Insert events and their ledger entries atomically; returns notification ids.

        Concurrent callers share transactions (group commit); each still gets its own outcome.
        """
        return append_one(self.group, stored_events, kwargs)

    def write_batch(self, requests: list[AppendRequest]) -> None:
        """One transaction for a batch: write lock, admit per request, sequence, insert, commit.

        Idempotency keys passed with a request are completed in this transaction
        (`ledger.storage.key_completion`).
        """
        with self._writer() as (conn, own), _translated_errors():
            c = conn.cursor()
            c.execute("BEGIN IMMEDIATE")  # take the write lock before reading the head
            try:
                ids, rows, read, events = self._write_locked(c, requests, self._known_head(c, own))
            except BaseException:
                self._forget()
                conn.rollback()
                raise
            try:
                conn.commit()
            except BaseException:
                self._forget()
                raise
        self.heads.committed(rows, read)
        self.recent.remember(rows, events)
        if rows and own:
            self._log_head = (rows[-1].leaf_index, rows[-1].recorded_at_us)
        for request, notification_ids in ids:
            request.succeed(notification_ids)

    @contextmanager
    def _writer(self) -> Iterator[tuple[SQLiteConnection, bool]]:
        """The connection appends go through, and whether it is the recorder's own.

        A file database gets one connection of the recorder's own (made in this process),
        used under the pool's writer interlock so writers of this process still take turns
        without SQLite's busy waits. Its `PRAGMA data_version` tells whether any other
        connection committed since this one's last append (`_known_head`). An in-memory
        database (shared cache) keeps to the pool's connections.
        """
        pool = self.datastore.pool
        if pool.is_sqlite_memory_mode:
            with self.datastore.get_connection(commit=True) as conn:
                yield conn, False
            return
        lock = pool._writer_lock  # eventsourcing's own writer interlock (version pinned)
        if not lock.acquire(timeout=pool.pool_timeout):
            raise OperationalError("timed out waiting for the writer of this process")
        try:
            if self._own is None or self._own_pid != os.getpid():
                self._own, self._own_pid = pool._create_connection(), os.getpid()
                self._data_version, self._log_head = None, None
            yield self._own, True
        finally:
            lock.release()

    def _known_head(self, c: SQLiteCursor, own: bool) -> tuple[int, int] | EllipsisType:
        """The log head (leaf index, recorded time) if no other connection committed since
        this recorder's last append on its own connection, else `...` (read it).

        Called under the write lock: nobody can commit between this check and the append.
        """
        if not own:
            return ...
        c.execute("PRAGMA data_version")
        version = c.fetchone()[0]
        known = self._log_head if version == self._data_version else None
        self._data_version = version
        return ... if known is None else known

    def _forget(self) -> None:
        self.heads.clear()
        self._log_head = None

    def close_writer(self) -> None:
        """Close the recorder's own connection (the pool's are closed with the datastore)."""
        with self.datastore.pool._writer_lock:
            if self._own is not None and self._own_pid == os.getpid():
                self._own.close()
            self._own, self._log_head = None, None

    def _write_locked(
        self,
        c: SQLiteCursor,
        requests: list[AppendRequest],
        known: tuple[int, int] | EllipsisType,
    ) -> tuple[
        list[tuple[AppendRequest, list[int]]], list[LedgerRow], dict[UUID, Head], list[StoredEvent]
    ]:
        if known is ...:
            c.execute(SELECT_HEAD)
            row = c.fetchone()
            head = None if row is None else (row[0], row[1])
        else:
            head = known
        streams = {_uuid(s.originator_id) for r in requests for s in r.events}
        heads = (
            self.heads.lookup(streams)
            if self.heads.is_current(None if head is None else head[0])
            else {}
        )
        read = self._stream_heads(c, streams.difference(heads))
        heads.update(read)
        reasons = admit([r.events for r in requests], {k: v[0] for k, v in heads.items()})
        accepted = []
        for request, why in zip(requests, reasons, strict=True):
            if why is None:
                accepted.append(request)
            else:
                request.fail(IntegrityError(why))
        wanted = completions(accepted)
        if wanted:  # idempotency claims this transaction completes must still be held
            accepted = keep_owned(accepted, sqlite_held(c, wanted))
        events = [s for r in accepted for s in r.events]
        rows = sequence(
            self.hasher,
            events,
            next_leaf=0 if head is None else head[0] + 1,
            last_recorded_at_us=0 if head is None else head[1],
            prev_hashes={k: v[1] for k, v in heads.items()},
        )
        notification_ids = list(super()._insert_events(c, events) or [])
        c.executemany(
            INSERT_ENTRY,
            [
                (r[0], event_id, r[1].bytes, r[2], r[3], r[4], r[5])
                for r, event_id in zip(rows, notification_ids, strict=True)
            ],
        )
        keys: list[WrappedKey] = [k for r in accepted for k in r.kwargs.get("data_keys") or ()]
        if keys:
            now_us = time.time_ns() // 1000
            c.executemany(
                INSERT_KEY, [(k.report_id.hex, k.key_id, k.kek_id, k.wrapped, now_us) for k in keys]
            )
        answered = render_all(accepted, rows)
        if answered:
            c.executemany(SQLITE_COMPLETE, answered)
        ids = list(zip(accepted, share_ids(accepted, notification_ids), strict=True))
        return ids, rows, read, events

    @staticmethod
    def _stream_heads(c: SQLiteCursor, streams: set[UUID]) -> dict[UUID, Head]:
        """Each report's last linked version and entry hash, checked to belong together."""
        heads: dict[UUID, Head] = {}
        for sid in streams:
            c.execute(SELECT_STREAM_HEAD, (sid.hex,))
            row = c.fetchone()
            if row is None:
                continue
            version, stream_id, entry_version, entry_hash = row
            if stream_id != sid.bytes or entry_version != version:
                raise ChainIntegrityError(
                    f"stream {sid} version {version}: its entry is for "
                    f"{UUID(bytes=bytes(stream_id))} version {entry_version}"
                )
            heads[sid] = (version, entry_hash)
        return heads

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

    def committed_entry(self, stream_id: UUID, version: int) -> EntryRecord | None:
        """An entry this recorder committed recently (see `RecentEntries`), else read."""
        return self.recent.get(stream_id, version) or self.stream_entry(stream_id, version)

    def stream_entries(self, stream_id: UUID) -> list[EntryRecord]:
        """All entries of one report, in version order."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(SELECT_STREAM_ENTRIES, (stream_id.hex,))
            return [_record(row) for row in c.fetchall()]

    def iter_unlinked_events(self) -> Iterator[UnlinkedEvent]:
        """Stored events that have no ledger entry (only tampering produces them)."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(SELECT_UNLINKED)
            rows = c.fetchall()
        for row in rows:
            yield UnlinkedEvent(UUID(row[0]), row[1], row[2], bytes(row[3]))

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
