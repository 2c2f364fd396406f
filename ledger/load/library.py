"""Drive the library: each thread plays its reports through `save_each` (group commit)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from uuid import UUID

from ledger.application import LedgerApplication
from ledger.domain import Report, VersionConflict
from ledger.load.schedule import Batch, Planned, Progress, Schedule, Stats, play
from ledger.storage.keys import WrappedKey


def library_batch(app: LedgerApplication) -> Batch:
    """A thread's writer: applies due steps to its live reports and saves them together; a
    report is dropped from memory after its last step."""
    live: dict[UUID, Report] = {}

    def run(steps: Sequence[Planned], stats: Stats) -> None:
        touched: dict[UUID, Report] = {}
        keys: dict[UUID, WrappedKey] = {}
        new: list[tuple[Report, Planned]] = []
        for planned in steps:
            step = planned.step
            if step.submit is not None:
                report = step.submit()
                keys[report.id] = app.data_keys.create(report.id)
                new.append((report, planned))
            else:
                report = live.get(step.report_id) or app.get_report(step.report_id)
                assert step.command is not None
                step.command(report, step.at)
            live[report.id] = report
            touched[report.id] = report
        reports = list(touched.values())
        began = time.perf_counter()
        outcomes = app.save_each(reports, new_keys=keys)
        latency = time.perf_counter() - began
        failed = {r.id for r, o in zip(reports, outcomes, strict=True) if o is not None}
        for report_id in failed:
            live.pop(report_id, None)  # reloaded from the ledger before its next step
        for planned in steps:
            if planned.last:
                live.pop(planned.step.report_id, None)
        with stats.lock:
            stats.latencies.append(latency)
            stats.events += sum(1 for p in steps if p.step.report_id not in failed)
            for o in outcomes:
                if isinstance(o, VersionConflict):
                    stats.conflicts += 1
                elif o is not None:
                    stats.errors[type(o).__name__] += 1
            for report, planned in new:
                if report.id not in failed:
                    stats.submitted(report.classification.value, planned.arrival)

    return run


def run_library(
    app: LedgerApplication,
    schedule: Schedule,
    *,
    seconds: float | None = None,
    max_batch: int = 50,
    progress: Progress | None = None,
) -> Stats:
    """Play the schedule against the library; returns what was written and how fast."""
    return play(
        schedule,
        lambda: library_batch(app),
        seconds=seconds,
        max_batch=max_batch,
        progress=progress,
    )
