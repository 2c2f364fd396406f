"""PostgreSQL integrity recorder: eventsourcing's application recorder plus the ledger tables.

Under the EXCLUSIVE table lock that already orders inserts, one transaction stores the
events, their gap-free leaf indexes, chain links and entry hashes. Triggers refuse UPDATE,
DELETE and TRUNCATE on the event and ledger tables; `report_keys` only lets a wrapped key be
destroyed. Notification ids are not gap-free and are never used as log positions.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
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
from ledger.storage.recent import RecentEntries
from ledger.storage.records import EntryRecord, OriginMismatch, UnlinkedEvent

EVENTS_TABLE = "ledger_events"

CREATE_LEDGER_TABLES = [
    "CREATE TABLE IF NOT EXISTS {schema}.ledger_entries ("
    " leaf_index bigint PRIMARY KEY,"
    " stream_id uuid NOT NULL,"
    " stream_version bigint NOT NULL,"
    " recorded_at_us bigint NOT NULL,"
    " prev_hash bytea NOT NULL CHECK (length(prev_hash) = 32),"
    " entry_hash bytea NOT NULL CHECK (length(entry_hash) = 32),"
    " UNIQUE (stream_id, stream_version))",
    "CREATE TABLE IF NOT EXISTS {schema}.ledger_meta (key text PRIMARY KEY, value text NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {schema}.report_keys ("
    " report_id uuid PRIMARY KEY,"
    " key_id text NOT NULL,"
    " kek_id text NOT NULL,"
    " wrapped bytea,"
    " created_at_us bigint NOT NULL,"
    " destroyed_at_us bigint)",
    "CREATE OR REPLACE FUNCTION {schema}.ledger_refuse_change() RETURNS trigger"
    " LANGUAGE plpgsql AS $$ BEGIN"
    " RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP"
    " USING ERRCODE = 'insufficient_privilege'; END $$",
    "CREATE OR REPLACE FUNCTION {schema}.ledger_keys_only_destroy() RETURNS trigger"
    " LANGUAGE plpgsql AS $$ BEGIN"
    " IF TG_OP = 'UPDATE' AND OLD.wrapped IS NOT NULL AND NEW.wrapped IS NULL"
    " AND NEW.destroyed_at_us IS NOT NULL AND NEW.report_id = OLD.report_id"
    " AND NEW.key_id = OLD.key_id AND NEW.kek_id = OLD.kek_id"
    " AND NEW.created_at_us = OLD.created_at_us THEN RETURN NEW; END IF;"
    " RAISE EXCEPTION 'report_keys: only destroying a wrapped key is allowed (% refused)', TG_OP"
    " USING ERRCODE = 'insufficient_privilege'; END $$",
    "CREATE OR REPLACE TRIGGER report_keys_only_destroy BEFORE UPDATE OR DELETE"
    " ON {schema}.report_keys FOR EACH ROW EXECUTE FUNCTION {schema}.ledger_keys_only_destroy()",
    "CREATE OR REPLACE TRIGGER report_keys_no_truncate BEFORE TRUNCATE"
    " ON {schema}.report_keys FOR EACH STATEMENT EXECUTE FUNCTION {schema}.ledger_refuse_change()",
]
APPEND_ONLY_TABLES = (EVENTS_TABLE, "ledger_entries", "ledger_meta")
APPEND_ONLY_TRIGGERS = [
    "CREATE OR REPLACE TRIGGER {append_only} BEFORE UPDATE OR DELETE ON {schema}.{table}"
    " FOR EACH ROW EXECUTE FUNCTION {schema}.ledger_refuse_change()",
    "CREATE OR REPLACE TRIGGER {no_truncate} BEFORE TRUNCATE ON {schema}.{table}"
    " FOR EACH STATEMENT EXECUTE FUNCTION {schema}.ledger_refuse_change()",
]

# The log head (the row whose stream_id is NULL) and, for each report in the batch, its last
# entry: one index probe per report whatever the length of its history.
SELECT_HEADS = (
    "SELECT NULL::uuid AS stream_id, leaf_index AS version, recorded_at_us, NULL::bytea AS hash"
    " FROM (SELECT leaf_index, recorded_at_us FROM {schema}.ledger_entries"
    " ORDER BY leaf_index DESC LIMIT 1) AS head"
    " UNION ALL"
    " SELECT k.sid, h.stream_version, NULL, h.entry_hash FROM unnest(%b::uuid[]) AS k(sid)"
    " CROSS JOIN LATERAL (SELECT l.stream_version, l.entry_hash FROM {schema}.ledger_entries l"
    " WHERE l.stream_id = k.sid ORDER BY l.stream_version DESC LIMIT 1) AS h"
)
# The events and their entries in one statement; notification ids come back in event order.
INSERT_EVENTS_AND_ENTRIES = (
    "WITH ev AS (INSERT INTO {schema}.{events} (originator_id, originator_version, topic, state)"
    " SELECT originator_id, originator_version, topic, state"
    " FROM unnest(%s::{schema}.{event_type}[])"
    " RETURNING notification_id),"
    " en AS (INSERT INTO {schema}.ledger_entries"
    " SELECT * FROM unnest(%b::bigint[], %b::uuid[], %b::bigint[], %b::bigint[],"
    " %b::bytea[], %b::bytea[]))"
    " SELECT notification_id FROM ev ORDER BY notification_id"
)
# The same insert when this recorder already knows the log head: it writes only if the log's
# last leaf is still the given one (nobody appended since this recorder's last commit), so
# lock, insert and COMMIT go in one round trip; no rows back means nothing was written.
INSERT_AT_KNOWN_HEAD = (
    "WITH guard AS (SELECT 1 FROM (SELECT leaf_index FROM {schema}.ledger_entries"
    " ORDER BY leaf_index DESC LIMIT 1) AS head WHERE head.leaf_index = %b),"
    " ev AS (INSERT INTO {schema}.{events} (originator_id, originator_version, topic, state)"
    " SELECT originator_id, originator_version, topic, state"
    " FROM unnest(%s::{schema}.{event_type}[]) WHERE EXISTS (SELECT FROM guard)"
    " RETURNING notification_id),"
    " en AS (INSERT INTO {schema}.ledger_entries"
    " SELECT * FROM unnest(%b::bigint[], %b::uuid[], %b::bigint[], %b::bigint[],"
    " %b::bytea[], %b::bytea[]) WHERE EXISTS (SELECT FROM guard))"
    " SELECT notification_id FROM ev ORDER BY notification_id"
)
INSERT_KEY = "INSERT INTO {schema}.report_keys VALUES (%s, %s, %s, %s, %s, NULL)"
SELECT_KEY = "SELECT key_id, kek_id, wrapped FROM {schema}.report_keys WHERE report_id = %s"
DESTROY_KEY = (
    "UPDATE {schema}.report_keys SET wrapped = NULL, destroyed_at_us = %s"
    " WHERE report_id = %s AND wrapped IS NOT NULL"
)
INSERT_ORIGIN = "INSERT INTO {schema}.ledger_meta VALUES ('origin', %s) ON CONFLICT DO NOTHING"
SELECT_ORIGIN = "SELECT value FROM {schema}.ledger_meta WHERE key = 'origin'"
SELECT_TREE_SIZE = "SELECT COALESCE(MAX(leaf_index) + 1, 0) AS size FROM {schema}.ledger_entries"
_ENTRY_COLUMNS = (
    "SELECT l.leaf_index, l.stream_id, l.stream_version, l.recorded_at_us, l.prev_hash,"
    " l.entry_hash, e.topic, e.state FROM {schema}.ledger_entries l"
    " LEFT JOIN {schema}.{events} e"
    " ON e.originator_id = l.stream_id AND e.originator_version = l.stream_version"
)
SELECT_ENTRIES = (
    _ENTRY_COLUMNS
    + " WHERE l.leaf_index >= %s AND l.leaf_index < %s ORDER BY l.leaf_index LIMIT %s"
)
SELECT_STREAM_ENTRIES = _ENTRY_COLUMNS + " WHERE l.stream_id = %s ORDER BY l.stream_version"
SELECT_STREAM_ENTRY = _ENTRY_COLUMNS + " WHERE l.stream_id = %s AND l.stream_version = %s"
SELECT_UNLINKED = (
    "SELECT e.originator_id, e.originator_version, e.topic, e.state FROM {schema}.{events} e"
    " LEFT JOIN {schema}.ledger_entries l"
    " ON l.stream_id = e.originator_id AND l.stream_version = e.originator_version"
    " WHERE l.leaf_index IS NULL ORDER BY e.notification_id"
)
PAGE = 5000


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


class LedgerPostgresRecorder(PostgresApplicationRecorder):
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
            self.sql_create_statements.append(self._sql(statement))
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
            select_heads=self._sql(SELECT_HEADS).as_string(None),
            insert=self._sql(INSERT_EVENTS_AND_ENTRIES).as_string(None),
            insert_at_known_head=self._sql(INSERT_AT_KNOWN_HEAD).as_string(None),
            insert_key=self._sql(INSERT_KEY).as_string(None),
            held=self._sql(PG_HELD).as_string(None),
            complete=self._sql(PG_COMPLETE).as_string(None),
            lock=[_text(s) for s in self.lock_table_statements],
            notify=SQL("NOTIFY {0}").format(Identifier(self.channel_name)).as_string(None),
        )

    def _lock_table(self, curs: Any) -> None:
        for statement in self._statements.lock:
            curs.execute(statement, prepare=True)

    def _notify_channel(self, curs: Any) -> None:
        curs.execute(self._statements.notify)

    def _sql(self, statement: str) -> Composed:
        return SQL(statement).format(
            schema=Identifier(self.datastore.schema),
            events=Identifier(self.events_table_name),
            event_type=Identifier(self.stored_event_type_name),
        )

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
        pg_events = [
            self.construct_pg_stored_event(s.originator_id, s.originator_version, s.topic, s.state)
            for s in events
        ]
        columns = [list(c) for c in zip(*rows, strict=True)]
        try:
            with self.datastore.get_connection() as conn, conn.pipeline() as pipeline:
                curs = conn.cursor()
                with conn.transaction():
                    self._lock_table(curs)
                    self._notify_channel(curs)
                    curs.execute(
                        self._statements.insert_at_known_head,
                        (head[0], pg_events, *columns),
                        prepare=True,
                    )
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
        pg_events = [
            self.construct_pg_stored_event(s.originator_id, s.originator_version, s.topic, s.state)
            for s in events
        ]
        columns = list(zip(*rows, strict=True)) if rows else [()] * 6
        curs.execute(
            self._statements.insert, (pg_events, *(list(c) for c in columns)), prepare=True
        )

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

    def committed_entry(self, stream_id: UUID, version: int) -> EntryRecord | None:
        """An entry this recorder committed recently (see `RecentEntries`), else read."""
        return self.recent.get(stream_id, version) or self.stream_entry(stream_id, version)

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
