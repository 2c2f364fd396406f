"""Load the reports of a batch with one query instead of one per report.

Through the application's report cache (`ReportCache.load_many`): the events after each
cached version are read from the recorder's own events table (`ledger.storage.batch_reads`)
and applied as eventsourcing's repository does (`mutate` over the mapped domain events, the
sealing mapper opening sealed fields). Where the repository would do more than that (an
aggregate cache or snapshots) or the report was erased, the report is loaded through
`LedgerApplication.get_report` instead, so the result is always the same.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from contextlib import suppress
from typing import Any
from uuid import UUID

from ledger.application import LedgerApplication
from ledger.domain import Report
from ledger.storage.batch_reads import Entry, select_entries_at, select_events_after


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
    for stored in select_events_after(app.recorder, {rid: v or 0 for rid, v in after.items()}):
        by_report[UUID(str(stored.originator_id))].append(to_domain_event(stored))
    return by_report


def _one_by_one(app: LedgerApplication, ids: list[UUID]) -> dict[UUID, Report]:
    from ledger.domain import ReportNotFound

    found = {}
    for rid in ids:
        with suppress(ReportNotFound):
            found[rid] = app.get_report(rid)
    return found


def load_entries(app: LedgerApplication, wanted: Iterable[tuple[UUID, int]]) -> dict[Any, Entry]:
    """Where these (report, version) pairs sit in the log: one query on PostgreSQL."""
    return select_entries_at(app.recorder, list(wanted), app.appended_entry)
