"""Report plans from the profile, laid out for threads and paced in compressed time."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from ledger.deadlines import DeadlineStamper
from ledger.demo_plans import Step, plan_report
from ledger.load.profile import Arrival, Profile, draw_arrivals, mix_of, pick_agency

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Schedule:
    """Every step of every planned report, per thread in time order, and each report's arrival."""

    lanes: tuple[tuple[Step, ...], ...]
    arrivals: dict[UUID, Arrival]
    start: datetime
    end: datetime

    @property
    def events(self) -> int:
        """How many steps (events) the schedule holds."""
        return sum(len(lane) for lane in self.lanes)


def build_schedule(
    profile: Profile, stamper: DeadlineStamper, *, reports: int, threads: int, seed: int
) -> Schedule:
    """Plan `reports` reports from the profile; one report's steps all go to one thread."""
    rng = random.Random(seed)
    mix = mix_of(profile)
    agencies = [a for a in stamper.registry.all() if a.level != "national"]
    lanes: list[list[Step]] = [[] for _ in range(threads)]
    arrivals: dict[UUID, Arrival] = {}
    for n, arrival in enumerate(draw_arrivals(profile, rng, reports)):
        target = pick_agency(profile, rng, stamper.registry, arrival.disaster)
        steps = plan_report(
            rng, stamper, agencies, arrival.at, mix=mix, target=target, disaster=arrival.disaster
        )
        arrivals[steps[0].report_id] = arrival
        lanes[n % threads].extend(steps)
    for lane in lanes:
        lane.sort(key=lambda s: s.at)
    every = [s.at for lane in lanes for s in lane]
    return Schedule(tuple(tuple(lane) for lane in lanes), arrivals, min(every), max(every))


@dataclass
class Stats:
    """What a run did, gathered from every thread."""

    total: int = 0
    events: int = 0
    reports: int = 0
    conflicts: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    by_classification: Counter[str] = field(default_factory=Counter)
    lebaran: int = 0
    disaster: int = 0
    elapsed: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def submitted(self, classification: str, arrival: Arrival) -> None:
        """Count a new report (call under `lock`)."""
        self.reports += 1
        self.by_classification[classification] += 1
        self.lebaran += arrival.lebaran
        self.disaster += arrival.disaster

    def percentile(self, q: float) -> float:
        """The q-quantile of the latencies in seconds (0 when none)."""
        ordered = sorted(self.latencies)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def summary(self) -> dict[str, object]:
        """The figures of the summary table, as plain data."""
        return {
            "events": self.events,
            "reports": self.reports,
            "seconds": round(self.elapsed, 3),
            "events_per_s": round(self.events / self.elapsed, 1) if self.elapsed else 0.0,
            "latency_p50_ms": round(self.percentile(0.50) * 1000, 2),
            "latency_p99_ms": round(self.percentile(0.99) * 1000, 2),
            "conflicts": self.conflicts,
            "errors": dict(self.errors),
            "by_classification": dict(sorted(self.by_classification.items())),
            "lebaran_share": round(self.lebaran / self.reports, 4) if self.reports else 0.0,
            "disaster_share": round(self.disaster / self.reports, 4) if self.reports else 0.0,
        }


Batch = Callable[[Sequence[Step], Stats], None]


def play(
    schedule: Schedule,
    batch: Callable[[], Batch],
    *,
    seconds: float | None,
    max_batch: int,
    progress: Progress | None = None,
) -> Stats:
    """Play each lane on its own thread, the span compressed into `seconds` (None: flat out)."""
    span = (schedule.end - schedule.start).total_seconds() or 1.0
    scale = (seconds / span) if seconds else 0.0
    stats = Stats(total=schedule.events)
    began = time.perf_counter()

    def lane_worker(lane: tuple[Step, ...]) -> None:
        run = batch()
        pos = 0
        while pos < len(lane):
            now = time.perf_counter() - began
            due = (lane[pos].at - schedule.start).total_seconds() * scale
            if due > now:
                time.sleep(min(due - now, 0.05))
                continue
            end = pos + 1
            while end < len(lane) and end - pos < max_batch:
                if (lane[end].at - schedule.start).total_seconds() * scale > now:
                    break
                end += 1
            try:
                run(lane[pos:end], stats)
            except Exception as e:
                with stats.lock:
                    stats.errors[type(e).__name__] += end - pos
            pos = end
            if progress is not None:
                progress(stats.events, stats.total)

    workers = [threading.Thread(target=lane_worker, args=(lane,)) for lane in schedule.lanes]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    stats.elapsed = time.perf_counter() - began
    return stats
