"""Finishing erasures (UU 27/2022 on personal data).

Saving a `PersonalDataErased` event destroys the report's data key right after the commit
(`LedgerApplication.save`). A process that stops between the two leaves the event recorded and
the key still stored: readers already treat the report as erased, but the wrapped key could
still open the sealed fields. `finish_erasures` scans the log for erasure events whose key
is still stored and destroys those keys; running it again finds nothing to do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from uuid import UUID

from eventsourcing.utils import get_topic

from ledger.application import LedgerApplication
from ledger.domain import Report

ERASED_TOPIC = get_topic(Report.PersonalDataErased)


def erased_reports(
    app: LedgerApplication, progress: Callable[[int], None] | None = None
) -> Iterator[UUID]:
    """Every report with an erasure event in the log, in log order; `progress(n)` per entry read."""
    seen: set[UUID] = set()
    for entry in app.iter_entries():
        if progress is not None:
            progress(1)
        if entry.event_type == ERASED_TOPIC and entry.stream_id not in seen:
            seen.add(entry.stream_id)
            yield entry.stream_id


def pending_erasures(
    app: LedgerApplication, progress: Callable[[int], None] | None = None
) -> list[UUID]:
    """Reports whose erasure is recorded but whose data key is still stored."""
    table = app.data_keys.table
    return [rid for rid in erased_reports(app, progress) if table.fetch_data_key(rid) is not None]


def finish_erasures(
    app: LedgerApplication, progress: Callable[[int], None] | None = None
) -> list[UUID]:
    """Destroy the data key of every report whose erasure is recorded; the reports done now."""
    return [rid for rid in pending_erasures(app, progress) if app.data_keys.destroy(rid)]
