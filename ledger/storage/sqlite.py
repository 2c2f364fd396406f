"""SQLite integrity recorder: eventsourcing's application recorder on the ledger's tables.

Inside the insert transaction it assigns gap-free leaf indexes, links each event to its
report's previous entry and stores the entry hash, in the event's own row: on SQLite the
events table holds the entry columns, and a row's integer primary key (eventsourcing's
notification id) is its leaf index + 1 (docs/storage.md). Triggers make every table but
`report_keys` append-only; `report_keys` only allows its wrapped key to be destroyed.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Sequence
from types import EllipsisType
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    IntegrityError,
    Notification,
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

from ledger.integrity.chain import LedgerRow, admit, sequence
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
from ledger.storage.records import OriginMismatch
from ledger.storage.sqlite_reads import SQLiteLedgerReads
from ledger.storage.sqlite_sql import (
    APPEND_ONLY_TABLES,
    CREATE_LEDGER_TABLES,
    EVENTS_TABLE,
    FORMER_ENTRIES_TABLE,
    INSERT_EVENT,
    INSERT_KEY,
    INSERT_ORIGIN,
    KEY_TRIGGERS,
    SELECT_FORMER_LAYOUT,
    SELECT_HEAD,
    SELECT_NOTIFICATIONS,
    SELECT_ORIGIN,
    SELECT_STREAM_HEAD,
    append_only_triggers,
)


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)


class LedgerSQLiteRecorder(SQLiteLedgerReads, SQLiteApplicationRecorder):
    """Stores events and their ledger entries in one SQLite transaction."""

    def __init__(self, datastore: SQLiteDatastore, *, origin: str) -> None:
        self.origin = origin
        self.hasher = EntryHasher(origin)
        self.heads = HeadCache()
        self.recent = RecentEntries()
        self.group = GroupCommitter(self.write_batch)
        self._own: SQLiteConnection | None = None  # see write_batch
        self._own_pid = 0
        self._data_version: int | None = None
        self._log_head: tuple[int, int] | None = None  # (leaf index, recorded time, µs)
        super().__init__(datastore, events_table_name=EVENTS_TABLE)

    def construct_create_table_statements(self) -> list[str]:
        """The ledger's tables (its events table in place of eventsourcing's), triggers."""
        statements = list(CREATE_LEDGER_TABLES)
        for table in APPEND_ONLY_TABLES:
            statements += append_only_triggers(table)
        return statements + KEY_TRIGGERS

    def create_table(self) -> None:
        """Create tables and triggers, then pin the log origin (first writer wins)."""
        self._refuse_former_layout()
        super().create_table()
        with self.datastore.transaction(commit=True) as c:
            c.execute(INSERT_ORIGIN, (self.origin,))
        self.check_origin()

    def check_origin(self) -> None:
        """Refuse a database that belongs to another log, is in the former two-table layout,
        or has no ledger tables yet."""
        self._refuse_former_layout()
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

    def _refuse_former_layout(self) -> None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(SELECT_FORMER_LAYOUT)
            former = c.fetchone() is not None
        if former:
            raise OriginMismatch(
                f"this SQLite file keeps its entries in a separate {FORMER_ENTRIES_TABLE!r} table,"
                " the layout of pre-release versions: export it with the version that wrote it and"
                " start a new file (docs/storage.md)"
            )

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        """eventsourcing's notification log: events from `start` (a notification id, which on
        this layout is the leaf index + 1), at most `limit`, up to `stop`, of these `topics`."""
        where: list[str] = []
        params: list[int | str] = []
        if start is not None:
            where.append("notification_id >= ?" if inclusive_of_start else "notification_id > ?")
            params.append(start)
        if stop is not None:
            where.append("notification_id <= ?")
            params.append(stop)
        if topics:
            where.append(f"topic IN ({', '.join('?' * len(topics))})")
            params.extend(topics)
        statement = SELECT_NOTIFICATIONS
        if where:
            statement += " WHERE " + " AND ".join(where)
        statement += " ORDER BY notification_id LIMIT ?"
        params.append(limit)
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, params)
            return [
                Notification(
                    id=row[0],
                    originator_id=self.convert_originator_id(row[1]),
                    originator_version=row[2],
                    topic=row[3],
                    state=row[4],
                )
                for row in c.fetchall()
            ]

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

        A file database appends through one connection of the recorder's own (made in this
        process), under the pool's writer interlock so writers of this process still take turns
        without SQLite's busy waits; its `PRAGMA data_version` tells whether any other
        connection committed since this one's last append (`_known_head`). An in-memory
        database (shared cache) keeps to the pool's connections.
        """
        pool = self.datastore.pool
        if pool.is_sqlite_memory_mode:
            with self.datastore.get_connection(commit=True) as conn:
                self._write_on(conn, False, requests)
            return
        lock = pool._writer_lock  # eventsourcing's own writer interlock (version pinned)
        if not lock.acquire(timeout=pool.pool_timeout):
            raise OperationalError("timed out waiting for the writer of this process")
        try:
            if self._own is None or self._own_pid != os.getpid():
                self._own, self._own_pid = pool._create_connection(), os.getpid()
                self._data_version, self._log_head = None, None
            self._write_on(self._own, True, requests)
        finally:
            lock.release()

    def _write_on(self, conn: SQLiteConnection, own: bool, requests: list[AppendRequest]) -> None:
        try:
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
        except sqlite3.IntegrityError as e:  # as eventsourcing's own transactions translate
            raise IntegrityError(e) from e
        except sqlite3.OperationalError as e:
            raise OperationalError(e) from e
        except sqlite3.Error as e:
            raise PersistenceError(e) from e
        self.heads.committed(rows, read)
        self.recent.remember(rows, events)
        if rows and own:
            self._log_head = (rows[-1].leaf_index, rows[-1].recorded_at_us)
        for request, notification_ids in ids:
            request.succeed(notification_ids)

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
        c.executemany(  # each event with its entry, at notification id = leaf index + 1
            INSERT_EVENT,
            [
                (r[0] + 1, r[1].hex, r[2], s.topic, r[3], r[4], r[5], s.state)
                for r, s in zip(rows, events, strict=True)
            ],
        )
        notification_ids = [r[0] + 1 for r in rows]
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
        """Each report's last version and the entry hash stored with it."""
        heads: dict[UUID, Head] = {}
        for sid in streams:
            c.execute(SELECT_STREAM_HEAD, (sid.hex,))
            row = c.fetchone()
            if row is not None:
                heads[sid] = (row[0], row[1])
        return heads
