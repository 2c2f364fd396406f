"""Reads for a batch of reports: their events after given versions, their entries at versions.

On PostgreSQL each is one query for the whole batch (array parameters, prepared); on SQLite
the events are read report by report inside one read transaction. The batch use cases
(`ledger.usecases.batch_loads`) decode the events and fall back to loads one by one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder
from eventsourcing.sqlite import SQLiteAggregateRecorder

from ledger.storage.pg_names import pg_statement
from ledger.storage.records import EntryRecord

# `{table}`: the recorder's own events table.
PG_SELECT_EVENTS_AFTER = (
    "SELECT e.* FROM {schema}.{table} e"
    " JOIN unnest(%b::uuid[], %b::bigint[]) AS k(id, after)"
    " ON e.originator_id = k.id AND e.originator_version > k.after"
    " ORDER BY e.originator_id, e.originator_version"
)
PG_SELECT_ENTRIES_AT = (
    "SELECT stream_id, stream_version, leaf_index, entry_hash, recorded_at_us"
    " FROM {schema}.ledger_entries WHERE (stream_id, stream_version) IN"
    " (SELECT * FROM unnest(%b::uuid[], %b::bigint[]))"
)
SQLITE_SELECT_EVENTS_AFTER = (
    "SELECT * FROM {table} WHERE originator_id = ? AND originator_version > ?"
    " ORDER BY originator_version"
)

Entry = tuple[int, bytes, int]  # leaf index, entry hash, recorded at (µs)


def select_events_after(recorder: object, after: dict[UUID, int]) -> list[StoredEvent]:
    """Stored events of each report after its version, in version order per report."""
    if isinstance(recorder, PostgresAggregateRecorder):
        statement = pg_statement(
            PG_SELECT_EVENTS_AFTER,
            schema=recorder.datastore.schema,
            table=recorder.events_table_name,
        )
        with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, (list(after), list(after.values())), prepare=True)
            rows = curs.fetchall()
        return [
            StoredEvent(r["originator_id"], r["originator_version"], r["topic"], bytes(r["state"]))
            for r in rows
        ]
    if isinstance(recorder, SQLiteAggregateRecorder):
        query = SQLITE_SELECT_EVENTS_AFTER.format(table=recorder.events_table_name)
        found = []
        with recorder.datastore.transaction(commit=False) as c:
            for rid, version in after.items():
                c.execute(query, (rid.hex, version))
                found += [
                    StoredEvent(
                        recorder.convert_originator_id(r["originator_id"]),
                        r["originator_version"],
                        r["topic"],
                        bytes(r["state"]),
                    )
                    for r in c.fetchall()
                ]
        return found
    raise TypeError(f"no batch loading for {type(recorder).__name__}")


def select_entries_at(
    recorder: object,
    pairs: Sequence[tuple[UUID, int]],
    one: Callable[[UUID, int], EntryRecord],
) -> dict[Any, Entry]:
    """Where these (report, version) pairs sit in the log: one query on PostgreSQL.

    Other backends ask `one` for each pair (and get what it raises).
    """
    if not isinstance(recorder, PostgresAggregateRecorder):
        found = {}
        for rid, version in pairs:
            e = one(rid, version)
            found[(rid, version)] = (e.leaf_index, e.entry_hash, e.recorded_at_us)
        return found
    statement = pg_statement(PG_SELECT_ENTRIES_AT, schema=recorder.datastore.schema)
    params = ([rid for rid, _ in pairs], [version for _, version in pairs])
    with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
        curs.execute(statement, params, prepare=True)
        rows = curs.fetchall()
    return {
        (r["stream_id"], r["stream_version"]): (
            r["leaf_index"],
            bytes(r["entry_hash"]),
            r["recorded_at_us"],
        )
        for r in rows
    }
