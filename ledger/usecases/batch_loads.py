"""Load the reports of a batch with one query instead of one per report.

Through the application's report cache (`ReportCache.load_many`): the events after each
cached version are read from the recorder's own events table and applied as eventsourcing's
repository does (`mutate` over the mapped domain events, the sealing mapper opening sealed
fields). Where the repository would do more than that (an aggregate cache or snapshots) or
the report was erased, the report is loaded through `LedgerApplication.get_report` instead,
so the result is always the same.
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

from ledger.application import LedgerApplication
from ledger.domain import Report
from ledger.storage.pg_names import pg_statement

_PG_ENTRIES = (
    "SELECT stream_id, stream_version, leaf_index, entry_hash, recorded_at_us"
    " FROM {schema}.ledger_entries WHERE (stream_id, stream_version) IN"
    " (SELECT * FROM unnest(%b::uuid[], %b::bigint[]))"
)
_PG = (
    "SELECT e.* FROM {schema}.{table} e"
    " JOIN unnest(%b::uuid[], %b::bigint[]) AS k(id, after)"
    " ON e.originator_id = k.id AND e.originator_version > k.after"
    " ORDER BY e.originator_id, e.originator_version"
)


def load_reports(app: LedgerApplication, ids: Iterable[UUID]) -> dict[UUID, Report]:
    """The reports with these ids that exist (absent ids are left out).

    Through the application's report cache: only the events stored after each cached
    version are read (one query on PostgreSQL) and decoded.
    """
    wanted = list(dict.fromkeys(ids))
    repository = app.repository
    if not wanted:
        return {}
    if repository.cache is not None or repository.snapshot_store is not None:
        return _one_by_one(app, wanted)
    reports = app.reports.load_many(wanted, lambda after: _events_after(app, after))
    for rid, report in list(reports.items()):
        if report.erased:  # as get_report does for a key another process destroyed
            del reports[rid]
            reports |= _one_by_one(app, [rid])
    return reports


def _events_after(app: LedgerApplication, after: dict[UUID, int | None]) -> dict[UUID, list[Any]]:
    """The domain events of each report after the given version (None: all of them)."""
    by_report: dict[UUID, list[Any]] = defaultdict(list)
    to_domain_event = app.mapper.to_domain_event
    for stored in _select(app.recorder, {rid: v or 0 for rid, v in after.items()}):
        by_report[UUID(str(stored.originator_id))].append(to_domain_event(stored))
    return by_report


def _one_by_one(app: LedgerApplication, ids: list[UUID]) -> dict[UUID, Report]:
    from ledger.domain import ReportNotFound

    found = {}
    for rid in ids:
        with suppress(ReportNotFound):
            found[rid] = app.get_report(rid)
    return found


def _select(recorder: Any, after: dict[UUID, int]) -> list[StoredEvent]:
    """Stored events of each report after its version, in version order per report."""
    if isinstance(recorder, PostgresAggregateRecorder):
        statement = pg_statement(
            _PG, schema=recorder.datastore.schema, table=recorder.events_table_name
        )
        with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, (list(after), list(after.values())), prepare=True)
            rows = curs.fetchall()
        return [
            StoredEvent(r["originator_id"], r["originator_version"], r["topic"], bytes(r["state"]))
            for r in rows
        ]
    if isinstance(recorder, SQLiteAggregateRecorder):
        query = (
            f"SELECT * FROM {recorder.events_table_name} "  # noqa: S608 - the recorder's own table name
            "WHERE originator_id = ? AND originator_version > ? ORDER BY originator_version"
        )
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


Entry = tuple[int, bytes, int]  # leaf index, entry hash, recorded at (µs)


def load_entries(app: LedgerApplication, wanted: Iterable[tuple[UUID, int]]) -> dict[Any, Entry]:
    """Where these (report, version) pairs sit in the log: one query on PostgreSQL."""
    pairs = list(wanted)
    recorder = app.recorder
    if not isinstance(recorder, PostgresAggregateRecorder):
        found = {}
        for rid, version in pairs:
            e = app.appended_entry(rid, version)
            found[(rid, version)] = (e.leaf_index, e.entry_hash, e.recorded_at_us)
        return found
    statement = pg_statement(_PG_ENTRIES, schema=recorder.datastore.schema)
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
