"""Decoded reports kept in memory, brought up to date from the event store on every load.

A load never trusts the cache alone: it reads the events stored after the cached version
(one indexed query) and applies them, so it sees every committed event, whichever process
wrote it, exactly as a full replay would. Only the decoding and replaying of the older events
is saved. The caller receives a copy: a command changes the copy, never the cached report.
Saving still checks the version in the database, so a load that raced with another writer
can at worst fail with a conflict, never append over an event it did not see.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from enum import Enum
from typing import Any
from uuid import UUID

from ledger.domain import Report

# Values a copy may share with the cached report: nothing can change them in place.
_IMMUTABLE = (str, bytes, int, float, bool, type(None), date, timedelta, UUID, Enum, frozenset)
_STRIPES = 64  # loads of one report run one at a time; of different reports, side by side

EventsAfter = Callable[[UUID, int | None], Iterable[Any]]
EventsAfterMany = Callable[[dict[UUID, int | None]], dict[UUID, list[Any]]]
"""Given each report's cached version (None: not cached), the events stored after it."""


def replay(report: Report | None, events: Iterable[Any]) -> Report | None:
    """Apply events in order (eventsourcing's projector, less a per-event protocol check)."""
    for event in events:
        report = event.mutate(report)
    return report


def copy_report(report: Report) -> Report:
    """A copy that shares only immutable values with the report (a cheaper deepcopy)."""
    copied = copy.copy(report)
    for name, value in vars(copied).items():
        if not isinstance(value, _IMMUTABLE):
            setattr(copied, name, copy.deepcopy(value))
    return copied


class ReportCache:
    """At most `size` reports, least recently used dropped first; safe across threads."""

    def __init__(self, events_after: EventsAfter, size: int = 10_000) -> None:
        self._events_after = events_after
        self._size = size
        self._reports: OrderedDict[UUID, Report] = OrderedDict()
        self._lock = threading.Lock()
        self._stripes = [threading.Lock() for _ in range(_STRIPES)]

    def load(self, report_id: UUID) -> Report | None:
        """A copy of the report with every stored event applied; None if it has none."""
        with self._stripes[hash(report_id) % _STRIPES]:
            with self._lock:
                cached = self._reports.pop(report_id, None)
            # Out of the cache while it is brought up to date: if that fails half way, the
            # next load replays the report in full.
            after = None if cached is None else cached.version
            report = replay(cached, self._events_after(report_id, after))
            if report is None:
                return None
            assert isinstance(report, Report)
            result = copy_report(report)
            self._keep(report_id, report)
            return result

    def _keep(self, report_id: UUID, report: Report) -> None:
        if self._size > 0:
            with self._lock:
                self._reports[report_id] = report
                while len(self._reports) > self._size:
                    self._reports.popitem(last=False)

    def load_many(
        self, report_ids: Iterable[UUID], events_after: EventsAfterMany
    ) -> dict[UUID, Report]:
        """Copies of these reports brought up to date as `load` does, with one call of
        `events_after` for all of them (reports with no event are left out).

        The reports are out of the cache while they are brought up to date; a concurrent
        `load` of one of them replays it in full, with the same result.
        """
        with self._lock:
            cached = {rid: self._reports.pop(rid, None) for rid in dict.fromkeys(report_ids)}
        new = events_after({rid: None if r is None else r.version for rid, r in cached.items()})
        found: dict[UUID, Report] = {}
        for rid, before in cached.items():
            report = replay(before, new.get(rid, ()))
            if report is None:
                continue
            assert isinstance(report, Report)
            found[rid] = copy_report(report)
            self._keep(rid, report)
        return found

    def clear(self) -> None:
        """Forget every cached report."""
        with self._lock:
            self._reports.clear()
