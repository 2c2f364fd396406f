"""Synthetic but realistic handling histories for demonstrations, tests and benchmarks.

Reports are planned one by one (classification mix, privacy, "bukan wewenang" chains,
follow-up delays, reporter responses, completions, a few erasures); their actions are then
played in time order across all reports, many reports per storage transaction, so the log
interleaves reports as a live system's would.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID

from ledger.agencies.registry import Agency
from ledger.application import LedgerApplication
from ledger.deadlines import DeadlineStamper
from ledger.demo_plans import Catalogue, Step, plan_report
from ledger.domain import Report
from ledger.storage.keys import WrappedKey

Progress = Callable[[int, int], None]


@dataclass
class DemoResult:
    """What a demo run wrote."""

    reports: int = 0
    events: int = 0
    by_classification: Counter[str] = field(default_factory=Counter)
    by_privacy: Counter[str] = field(default_factory=Counter)
    by_state: Counter[str] = field(default_factory=Counter)
    erased: int = 0


def _agencies(stamper: DeadlineStamper) -> list[Agency]:
    return [a for a in stamper.registry.all() if a.level != "national"]


def run_demo(
    app: LedgerApplication,
    *,
    reports: int,
    seed: int = 1708,
    start: datetime | None = None,
    days: int = 120,
    batch: int = 400,
    progress: Progress | None = None,
    stamper: DeadlineStamper | None = None,
) -> DemoResult:
    """Write `reports` synthetic report histories; returns counts of what was written."""
    rng = random.Random(seed)
    stamper = stamper or DeadlineStamper.load_default()
    begin = start or datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
    agencies = Catalogue.of(_agencies(stamper))  # worked out once, not per report
    queue: list[tuple[datetime, int, int, Step]] = []
    counter = 0
    for n in range(reports):
        submitted = begin + timedelta(seconds=rng.randrange(days * 86400))
        for step in plan_report(rng, stamper, agencies, submitted):
            heapq.heappush(queue, (step.at, counter, n, step))
            counter += 1
    total = counter
    result = DemoResult()
    live: dict[UUID, Report] = {}
    done = 0
    for chunk in _chunks(queue, batch):
        touched: dict[UUID, Report] = {}
        keys: list[WrappedKey] = []
        for _, _, _, step in chunk:
            if step.submit is not None:
                report = step.submit()
                keys.append(app.data_keys.create(report.id))
                result.reports += 1
                result.by_classification[report.classification.value] += 1
                result.by_privacy[report.privacy.value] += 1
            else:
                report = live[step.report_id]
                assert step.command is not None
                step.command(report, step.at)
                result.erased += step.erases
            live[report.id] = report
            touched[report.id] = report
        app.save(*touched.values(), data_keys=keys)
        done += len(chunk)
        result.events += len(chunk)
        if progress is not None:
            progress(done, total)
    result.by_state.update(r.state.value for r in live.values())
    return result


def _chunks(
    queue: list[tuple[datetime, int, int, Step]], size: int
) -> Iterator[list[tuple[datetime, int, int, Step]]]:
    chunk: list[tuple[datetime, int, int, Step]] = []
    while queue:
        chunk.append(heapq.heappop(queue))
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
