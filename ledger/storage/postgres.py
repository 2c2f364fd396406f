"""PostgreSQL integrity recorder: eventsourcing's application recorder plus the ledger tables.

Under the EXCLUSIVE table lock that already orders inserts, one transaction stores the
events, their gap-free leaf indexes, chain links and entry hashes. Triggers refuse UPDATE,
DELETE and TRUNCATE on the event and ledger tables; `report_keys` only lets a wrapped key be
destroyed. Notification ids are not gap-free and are never used as log positions.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg.sql import SQL, Composed, Identifier

from ledger.integrity.chain import LedgerRow, admit, sequence
from ledger.integrity.entry import EntryHasher
from ledger.storage.group_commit import AppendRequest, GroupCommitter, append_one, share_ids
from ledger.storage.heads import Head, HeadCache
from ledger.storage.key_completion import (
    PG_COMPLETE,
    PG_HELD,
    KeyCompletion,
    completions,
    keep_owned,
    render_all,
)
from ledger.storage.keys import WrappedKey
from ledger.storage.postgres_reads import PostgresLedgerReads
from ledger.storage.postgres_sql import (
    APPEND_ONLY_TABLES,
    APPEND_ONLY_TRIGGERS,
    CREATE_LEDGER_TABLES,
    EVENTS_TABLE,
    INSERT_AT_KNOWN_HEAD,
    INSERT_EVENTS_AND_ENTRIES,
    INSERT_KEY,
    INSERT_ORIGIN,
    SELECT_HEADS,
    SELECT_ORIGIN,
)
from ledger.storage.recent import RecentEntries
from ledger.storage.records import OriginMismatch


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)


def _heads(rows: list[Any]) -> tuple[tuple[int, int] | None, dict[UUID, Head]]:
    """Split SELECT_HEADS rows into the log head (leaf index, recorded-at) and chain heads."""
    head = None
    heads: dict[UUID, Head] = {}
    for row in rows:
        if row["stream_id"] is None:
            head = (row["version"], row["recorded_at_us"])
        else:
            heads[row["stream_id"]] = (row["version"], bytes(row["hash"]))
    return head, heads


def _text(query: Any) -> str:
    return query if isinstance(query, str) else str(query.as_string(None))


class _Statements(NamedTuple):
    """The append path's statements, composed once (not on every save)."""

    select_heads: str
    insert: str
    insert_at_known_head: str
    insert_key: str
    held: str
    complete: str
    lock: list[str]
    notify: str


class LedgerPostgresRecorder(PostgresLedgerReads, PostgresApplicationRecorder):
    """Stores events and their ledger entries in one PostgreSQL transaction."""

    def __init__(self, datastore: PostgresDatastore, *, origin: str) -> None:
        self.origin = origin
        self.hasher = EntryHasher(origin)
        self.heads = HeadCache()
        self.recent = RecentEntries()
        self.group = GroupCommitter(self.write_batch)
        self._log_head: tuple[int, int] | None = None  # last committed (leaf, recorded µs)
        self._alone = False  # the last full append found no other writer's entries since
        super().__init__(datastore, events_table_name=EVENTS_TABLE)
        schema = Identifier(datastore.schema)
        for statement in CREATE_LEDGER_TABLES:
            self.sql_create_statements.append(Composed([SQL(self._sql(statement))]))
        for table in APPEND_ONLY_TABLES:
            for statement in APPEND_ONLY_TRIGGERS:
                self.sql_create_statements.append(
                    SQL(statement).format(
                        schema=schema,
                        table=Identifier(table),
                        append_only=Identifier(f"{table}_append_only"),
                        no_truncate=Identifier(f"{table}_no_truncate"),
                    )
                )
        self._statements = self._compose()

    def _compose(self) -> _Statements:
        return _Statements(
            select_heads=self._sql(SELECT_HEADS),
            insert=self._sql(INSERT_EVENTS_AND_ENTRIES),
            insert_at_known_head=self._sql(INSERT_AT_KNOWN_HEAD),
            insert_key=self._sql(INSERT_KEY),
            held=self._sql(PG_HELD),
            complete=self._sql(PG_COMPLETE),
            lock=[_text(s) for s in self.lock_table_statements],
            notify=SQL("NOTIFY {0}").format(Identifier(self.channel_name)).as_string(None),
        )

    def _lock_table(self, curs: Any) -> None:
        for statement in self._statements.lock:
            curs.execute(statement, prepare=True)

    def _notify_channel(self, curs: Any) -> None:
        curs.execute(self._statements.notify)

    def create_table(self) -> None:
        """Create tables and triggers, then pin the log origin (first writer wins)."""
        super().create_table()
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._sql(INSERT_ORIGIN), (self.origin,))
        self.check_origin()

    def check_origin(self) -> None:
        """Refuse a database that belongs to another log, or has no ledger tables yet."""
        try:
            with self.datastore.transaction(commit=False) as curs:
                curs.execute(self._sql(SELECT_ORIGIN))
                row = curs.fetchone()
        except ProgrammingError as e:
            raise OriginMismatch(f"no ledger tables ({e}): run `lapor-ledger init-db`") from None
        stored = None if row is None else row["value"]
        if stored != self.origin:
            raise OriginMismatch(
                f"database holds log {stored!r}, configured origin is {self.origin!r}"
            )

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Insert events and their ledger entries atomically; returns notification ids.

        Concurrent callers share transactions (group commit); each still gets its own outcome.
        """
        return append_one(self.group, stored_events, kwargs)

    def write_batch(self, requests: list[AppendRequest]) -> None:
        """One transaction for a batch: lock, admit per request, sequence, insert, commit.

        When this recorder made the last append and knows every report's chain head, one
        round trip (`_write_at_known_head`). Otherwise pipelined in three round trips, as
        plain eventsourcing's two plus the heads: BEGIN, lock, NOTIFY and the heads; the
        insert of events and entries (and of new reports' wrapped keys, and the completion of
        the requests' idempotency keys: see `ledger.storage.key_completion`); COMMIT.
        """
        if self._write_at_known_head(requests):
            return
        sql = self._statements
        streams = {_uuid(s.originator_id) for r in requests for s in r.events}
        cached = self.heads.lookup(streams)
        wanted = completions(requests)
        try:
            with (
                self.datastore.get_connection() as conn,
                conn.pipeline() as pipeline,
                conn.transaction(),
                conn.cursor() as curs,
            ):
                self._lock_table(curs)
                self._notify_channel(curs)
                curs.execute(sql.select_heads, (list(streams.difference(cached)),), prepare=True)
                held = self._lock_claims(conn, wanted)
                pipeline.sync()
                head, read = _heads(curs.fetchall())
                current = self.heads.is_current(None if head is None else head[0])
                self._alone = current  # nobody else appended since this recorder's last commit
                if not current and cached:
                    # Someone else appended since this recorder's last commit: read them all.
                    curs.execute(sql.select_heads, (list(cached),), prepare=True)
                    pipeline.sync()
                    read.update(_heads(curs.fetchall())[1])
                    cached = {}
                heads = cached | read
                accepted = self._admit(requests, heads)
                if wanted:
                    assert held is not None
                    claims = {(r["scope"], r["key"], r["created_at_us"]) for r in held.fetchall()}
                    held.close()
                    accepted = keep_owned(accepted, claims)
                if not accepted:
                    return
                events = [s for r in accepted for s in r.events]
                rows = sequence(
                    self.hasher,
                    events,
                    next_leaf=0 if head is None else head[0] + 1,
                    last_recorded_at_us=0 if head is None else head[1],
                    prev_hashes={k: v[1] for k, v in heads.items()},
                )
                self._insert(curs, events, rows)
                self._insert_keys(conn, accepted)
                self._complete(conn, accepted, rows)
                pipeline.sync()
                notification_ids = [r["notification_id"] for r in curs.fetchall()]
        except BaseException:
            self._forget()
            raise
        self._committed(rows, read, events)
        for request, ids in zip(accepted, share_ids(accepted, notification_ids), strict=True):
            request.succeed(ids)  # committed: each accepted request gets its own ids

    def _write_at_known_head(self, requests: list[AppendRequest]) -> bool:
        """Append in one round trip if the heads this recorder committed last are still the
        log's: lock, NOTIFY, the guarded insert and COMMIT pipelined together. True if done.

        Taken only for requests that extend reports whose heads are cached, all admissible
        against them, with no data keys or idempotency keys to write, and only while this
        recorder seems to be the only writer (its last full append found no one else's
        entries since its previous commit). If another writer appended since (the guard finds
        another last leaf), nothing is inserted, the caches are dropped and the caller takes
        the full path; no request has been answered yet. With several writing processes the
        full path is the usual one and a failed guard costs one round trip now and then.
        """
        head = self._log_head
        if (
            not self._alone
            or head is None
            or any(r.kwargs.get("data_keys") or completions([r]) for r in requests)
        ):
            return False
        streams = {_uuid(s.originator_id) for r in requests for s in r.events}
        cached = self.heads.lookup(streams)
        if len(cached) != len(streams) or not self.heads.is_current(head[0]):
            return False
        if any(admit([r.events for r in requests], {k: v[0] for k, v in cached.items()})):
            return False  # a conflict: let the full path read the heads and refuse it
        events = [s for r in requests for s in r.events]
        rows = sequence(
            self.hasher,
            events,
            next_leaf=head[0] + 1,
            last_recorded_at_us=head[1],
            prev_hashes={k: v[1] for k, v in cached.items()},
        )
        params = (head[0], *self._insert_params(events, rows))
        try:
            with self.datastore.get_connection() as conn, conn.pipeline() as pipeline:
                curs = conn.cursor()
                with conn.transaction():
                    self._lock_table(curs)
                    self._notify_channel(curs)
                    curs.execute(self._statements.insert_at_known_head, params, prepare=True)
                pipeline.sync()
                notification_ids = [r["notification_id"] for r in curs.fetchall()]
                curs.close()
        except BaseException:
            self._forget()
            raise
        if len(notification_ids) != len(events):  # another writer appended: nothing written
            self._forget()
            return False
        self._committed(rows, {}, events)
        for request, ids in zip(requests, share_ids(requests, notification_ids), strict=True):
            request.succeed(ids)
        return True

    def _committed(
        self, rows: list[LedgerRow], read: dict[UUID, Head], events: list[StoredEvent]
    ) -> None:
        self.heads.committed(rows, read)
        self.recent.remember(rows, events)
        if rows:
            self._log_head = (rows[-1].leaf_index, rows[-1].recorded_at_us)

    def _forget(self) -> None:
        self.heads.clear()
        self._log_head = None
        self._alone = False

    @staticmethod
    def _admit(requests: list[AppendRequest], heads: dict[UUID, Head]) -> list[AppendRequest]:
        reasons = admit([r.events for r in requests], {k: v[0] for k, v in heads.items()})
        for request, why in zip(requests, reasons, strict=True):
            if why is not None:
                request.fail(IntegrityError(why))
        return [r for r, why in zip(requests, reasons, strict=True) if why is None]

    def _insert(self, curs: Any, events: list[StoredEvent], rows: list[LedgerRow]) -> None:
        """Queue the one statement that inserts the events and their entries."""
        curs.execute(self._statements.insert, self._insert_params(events, rows), prepare=True)

    def _insert_params(self, events: list[StoredEvent], rows: list[LedgerRow]) -> tuple[Any, ...]:
        """The events as eventsourcing's composite type, then the entries column by column."""
        pg_events = [
            self.construct_pg_stored_event(s.originator_id, s.originator_version, s.topic, s.state)
            for s in events
        ]
        columns = list(zip(*rows, strict=True)) if rows else [()] * 6
        return (pg_events, *(list(c) for c in columns))

    def _lock_claims(self, conn: Any, wanted: list[KeyCompletion]) -> Any:
        """Queue the locking read of the claims this batch completes (None if none)."""
        if not wanted:
            return None
        curs = conn.cursor()
        params = ([c.scope for c in wanted], [c.key for c in wanted])
        curs.execute(self._statements.held, params, prepare=True)
        return curs

    def _complete(self, conn: Any, accepted: list[AppendRequest], rows: list[LedgerRow]) -> None:
        """Queue the completion of the accepted requests' idempotency keys, if any."""
        answered = render_all(accepted, rows)
        if answered:
            with conn.cursor() as curs:
                columns = [list(c) for c in zip(*answered, strict=True)]
                curs.execute(self._statements.complete, columns, prepare=True)

    def _insert_keys(self, conn: Any, accepted: list[AppendRequest]) -> None:
        """Queue the insert of new reports' wrapped data keys, if the batch has any."""
        keys: list[WrappedKey] = [k for r in accepted for k in r.kwargs.get("data_keys") or ()]
        if keys:
            now_us = time.time_ns() // 1000
            with conn.cursor() as curs:
                curs.executemany(
                    self._statements.insert_key,
                    [(k.report_id, k.key_id, k.kek_id, k.wrapped, now_us) for k in keys],
                )
