"""Load the reports of a batch with one query instead of one per report.

The events are read from the recorder's own events table and projected as eventsourcing's
repository does (`mutate_aggregate` over the mapped domain events, the sealing mapper
opening sealed fields). Where the repository would do more than that (an aggregate cache
or snapshots) or the report was erased, the report is loaded through
`LedgerApplication.get_report` instead, so the result is always the same.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from contextlib import suppress
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder
from eventsourcing.sqlite import SQLiteAggregateRecorder
from psycopg.sql import SQL, Identifier

from ledger.application import LedgerApplication
from ledger.domain import Report

_PG_ENTRIES = (
    "SELECT stream_id, stream_version, leaf_index, entry_hash, recorded_at_us"
    " FROM {schema}.ledger_entries WHERE (stream_id, stream_version) IN"
    " (SELECT * FROM unnest(%s::uuid[], %s::bigint[]))"
)
_PG = "SELECT * FROM {schema}.{table} WHERE originator_id = ANY(%s) ORDER BY originator_version"


def load_reports(app: LedgerApplication, ids: Iterable[UUID]) -> dict[UUID, Report]:
    """The reports with these ids that exist (absent ids are left out)."""
    wanted = list(dict.fromkeys(ids))
    repository = app.repository
    if not wanted:
        return {}
    if repository.cache is not None or repository.snapshot_store is not None:
        return _one_by_one(app, wanted)
    by_report: dict[UUID, list[StoredEvent]] = defaultdict(list)
    for stored in _select(app.recorder, wanted):
        by_report[UUID(str(stored.originator_id))].append(stored)
    reports: dict[UUID, Report] = {}
    for rid, stored_events in by_report.items():
        report: Any = None
        for stored in stored_events:  # as project_aggregate, without its protocol checks
            event: Any = app.mapper.to_domain_event(stored)
            report = event.mutate(report)
        if not isinstance(report, Report) or report.erased:
            reports |= _one_by_one(app, [rid])
        else:
            reports[rid] = report
    return reports


def _one_by_one(app: LedgerApplication, ids: list[UUID]) -> dict[UUID, Report]:
    from ledger.domain import ReportNotFound

    found = {}
    for rid in ids:
        with suppress(ReportNotFound):
            found[rid] = app.get_report(rid)
    return found


def _select(recorder: Any, ids: list[UUID]) -> list[StoredEvent]:
    if isinstance(recorder, PostgresAggregateRecorder):
        statement = SQL(_PG).format(
            schema=Identifier(recorder.datastore.schema),
            table=Identifier(recorder.events_table_name),
        )
        with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, (ids,), prepare=True)
            rows = curs.fetchall()
        return [
            StoredEvent(r["originator_id"], r["originator_version"], r["topic"], bytes(r["state"]))
            for r in rows
        ]
    if isinstance(recorder, SQLiteAggregateRecorder):
        marks = ",".join("?" * len(ids))
        query = (
            f"SELECT * FROM {recorder.events_table_name} "  # noqa: S608 - the recorder's own table name
            f"WHERE originator_id IN ({marks}) ORDER BY originator_version"
        )
        with recorder.datastore.transaction(commit=False) as c:
            c.execute(query, [i.hex for i in ids])
            rows = c.fetchall()
        return [
            StoredEvent(
                recorder.convert_originator_id(r["originator_id"]),
                r["originator_version"],
                r["topic"],
                bytes(r["state"]),
            )
            for r in rows
        ]
    raise TypeError(f"no batch loading for {type(recorder).__name__}")


Entry = tuple[int, bytes, int]  # leaf index, entry hash, recorded at (µs)


def load_entries(app: LedgerApplication, wanted: Iterable[tuple[UUID, int]]) -> dict[Any, Entry]:
    """Where these (report, version) pairs sit in the log: one query on PostgreSQL."""
    pairs = list(wanted)
    recorder = app.recorder
    if not isinstance(recorder, PostgresAggregateRecorder):
        found = {}
        for rid, version in pairs:
            e = app.entry(rid, version)
            found[(rid, version)] = (e.leaf_index, e.entry_hash, e.recorded_at_us)
        return found
    statement = SQL(_PG_ENTRIES).format(schema=Identifier(recorder.datastore.schema))
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
