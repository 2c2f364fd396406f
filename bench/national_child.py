"""The child processes of `national_year.py`: the generator alone, and the ingest.

Each prints JSON lines on stdout: `{"progress": n, "total": m}` as it goes, and one
`{"result": {...}}` at the end.
"""

from __future__ import annotations

import argparse
import json
import math
import threading
import time
from typing import Any
from uuid import UUID

from ledger.bootstrap import build_ledger
from ledger.deadlines import DeadlineStamper
from ledger.domain import Report
from ledger.load.library import run_library
from ledger.load.profile import load_profile, scaled_registry
from ledger.load.schedule import Schedule, build_schedule

PILOT_REPORTS = 2_000


def emit(obj: dict[str, Any]) -> None:
    print(json.dumps(obj), flush=True)


def national_stamper(agencies: int) -> DeadlineStamper:
    """The sample registry grown with synthetic agencies up to `agencies` (0: as it is)."""
    stamper = DeadlineStamper.load_default()
    if agencies <= 0:
        return stamper
    registry = scaled_registry(load_profile(), stamper.registry, agencies)
    return DeadlineStamper(registry, stamper.book, stamper.overrides)


def plan(reports: int, threads: int, seed: int, agencies: int) -> Schedule:
    """The schedule both children play: the same seed gives the same histories."""
    return build_schedule(
        load_profile(), national_stamper(agencies), reports=reports, threads=threads, seed=seed
    )


def reports_for(events: int, seed: int, agencies: int) -> tuple[int, float]:
    """How many reports give at least `events` events, from a pilot plan's events per report."""
    pilot = plan(PILOT_REPORTS, 1, seed + 1, agencies)
    per_report = pilot.events / PILOT_REPORTS
    return math.ceil(events / per_report * 1.02) + 10, per_report


class Ticker:
    """Emits progress lines at most every half second, from any thread."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.lock = threading.Lock()
        self.last = 0.0
        self.marks: list[tuple[float, int]] = []  # (seconds since start, events done)
        self.began = time.perf_counter()

    def __call__(self, done: int, total: int) -> None:
        now = time.perf_counter()
        with self.lock:
            if now - self.last < 0.5 and done < total:
                return
            self.last = now
            self.marks.append((now - self.began, done))
        emit({"progress": done, "total": total})


def halves(marks: list[tuple[float, int]]) -> dict[str, float]:
    """Events/s over the first and the second half of the events, from progress marks."""
    if len(marks) < 3:
        return {}
    end_t, end_n = marks[-1]
    mid = next((m for m in marks if m[1] >= end_n / 2), marks[-1])
    first = mid[1] / mid[0] if mid[0] > 0 else 0.0
    second = (end_n - mid[1]) / (end_t - mid[0]) if end_t > mid[0] else 0.0
    return {
        "first_half_events_per_s": round(first, 1),
        "second_half_events_per_s": round(second, 1),
    }


def generate(args: argparse.Namespace) -> dict[str, Any]:
    """Count the plan, then plan each lane again as its steps are applied to in-memory reports
    (no keys, no storage)."""
    began = time.perf_counter()
    schedule = plan(args.reports, args.threads, args.seed, args.agencies)
    plan_s = time.perf_counter() - began
    ticker = Ticker(schedule.events)
    began = time.perf_counter()
    done = 0
    for lane in schedule.lanes():
        live: dict[UUID, Report] = {}
        for planned in lane:
            step = planned.step
            if step.submit is not None:
                report = step.submit()
                live[report.id] = report
            else:
                assert step.command is not None
                report = live[step.report_id]
                step.command(report, step.at)
            report.collect_events()
            if planned.last:
                del live[report.id]
            done += 1
            if done % 5000 == 0:
                ticker(done, schedule.events)
    apply_s = time.perf_counter() - began
    ticker(done, schedule.events)
    return {
        "events": schedule.events,
        "reports": schedule.reports,
        "plan_s": round(plan_s, 2),
        "apply_s": round(apply_s, 2),
        "seconds": round(plan_s + apply_s, 2),
    }


def ingest(args: argparse.Namespace) -> dict[str, Any]:
    """Count the plan, then play flat out through `save_each` on the configured database, each
    writer thread planning its lane's reports as it goes."""
    began = time.perf_counter()
    schedule = plan(args.reports, args.threads, args.seed, args.agencies)
    plan_s = time.perf_counter() - began
    app = build_ledger()
    try:
        ticker = Ticker(schedule.events)
        stats = run_library(app, schedule, max_batch=args.max_batch, progress=ticker)
        tree_size = app.ledger.tree_size()
        stored = app.recorder.max_notification_id() or 0
    finally:
        app.close()
    summary = stats.summary()
    return {
        **summary,
        **halves(ticker.marks),
        "planned_events": schedule.events,
        "plan_s": round(plan_s, 2),
        "play_s": round(stats.elapsed, 2),  # the lanes plan their reports as they play
        "plan_in_play_s_all_threads": round(stats.planning, 2),
        "save_s_all_threads": round(sum(stats.latencies), 2),
        "save_calls": len(stats.latencies),
        "tree_size_before_export": tree_size,
        "stored_events": stored,
    }


def child_main(args: argparse.Namespace) -> int:
    result = generate(args) if args.child == "generate" else ingest(args)
    emit({"result": result})
    return 0
