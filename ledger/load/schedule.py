"""Report plans from the profile, streamed per thread in time order and paced in compressed time.

Nothing is planned for the whole run at once: the arrivals come one at a time in time order
(`arrival_stream`), a report's steps are planned when its arrival comes up, from a random
generator of its own (`Random(f"{seed}:{n}")` for the n-th arrival), and each lane releases
its steps through a heap once no later arrival could come before them. Memory follows the
reports in flight (arrived, history not over), not the whole run, and the same seed gives the
same steps whatever the threads do.
"""

from __future__ import annotations

import heapq
import random
import threading
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ledger.deadlines import DeadlineStamper
from ledger.demo_plans import Catalogue, Mix, Step, plan_report
from ledger.load.profile import Arrival, Profile, agency_picker, arrival_stream, mix_of

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Planned:
    """A step as its lane gives it: with its report's arrival, and whether it is the report's
    last step (after which a player can forget the report)."""

    step: Step
    arrival: Arrival
    last: bool


class Planner:
    """Plans the n-th report of a run from the seed alone, and streams a lane's steps."""

    def __init__(self, profile: Profile, stamper: DeadlineStamper, reports: int, seed: int) -> None:
        self.profile = profile
        self.stamper = stamper
        self.reports = reports
        self.seed = seed
        self.mix: Mix = mix_of(profile)
        self.catalogue = Catalogue.of([a for a in stamper.registry.all() if a.level != "national"])
        self.pick = agency_picker(profile, stamper.registry)

    def arrivals(self) -> Iterator[Arrival]:
        """The run's arrivals in time order, the same on every call."""
        rng = random.Random(f"{self.seed}:arrivals")
        return arrival_stream(self.profile, rng, self.reports)

    def report(self, n: int, arrival: Arrival) -> list[Step]:
        """The steps of the n-th arrival's report: they depend on (seed, n) only."""
        rng = random.Random(f"{self.seed}:{n}")
        target = self.pick(rng, arrival.disaster)
        return plan_report(
            rng,
            self.stamper,
            self.catalogue,
            arrival.at,
            mix=self.mix,
            target=target,
            disaster=arrival.disaster,
        )

    def lane(self, index: int, lanes: int) -> Iterator[Planned]:
        """The steps of every `lanes`-th report from the `index`-th, in time order (ties: by
        report, then by step). The heap holds each report in flight once, keyed by its next
        step; a step leaves it once the next arrival is later, as no report has a step before
        its arrival."""
        heap: list[tuple[datetime, int, int, list[Step], Arrival]] = []  # next step first

        def release() -> Planned:
            _, n, k, rest, arrival = heap[0]  # rest: the report's steps to come, last first
            step = rest.pop()
            if rest:
                heapq.heapreplace(heap, (rest[-1].at, n, k + 1, rest, arrival))
            else:
                heapq.heappop(heap)
            return Planned(step, arrival, not rest)

        for n, arrival in enumerate(self.arrivals()):
            if n % lanes != index:
                continue
            while heap and heap[0][0] < arrival.at:
                yield release()
            steps = self.report(n, arrival)
            steps.sort(key=lambda s: s.at)  # stable: steps at the same time keep their order
            steps.reverse()
            heapq.heappush(heap, (steps[-1].at, n, 0, steps, arrival))
        while heap:
            yield release()


@dataclass(frozen=True)
class Schedule:
    """A planned run: its size and span, counted once; its steps streamed by `lanes()`."""

    planner: Planner
    threads: int
    reports: int
    events: int
    start: datetime
    end: datetime

    def lanes(self) -> list[Iterator[Planned]]:
        """One fresh stream per thread; a report's steps all go to one lane."""
        return [self.planner.lane(i, self.threads) for i in range(self.threads)]


def build_schedule(
    profile: Profile, stamper: DeadlineStamper, *, reports: int, threads: int, seed: int
) -> Schedule:
    """Plan `reports` reports from the profile: one counting pass over every report (planned
    and dropped at once) for the number of events and the span; the lanes plan them again."""
    planner = Planner(profile, stamper, reports, seed)
    events = 0
    start: datetime | None = None
    end: datetime | None = None
    for n, arrival in enumerate(planner.arrivals()):
        steps = planner.report(n, arrival)
        events += len(steps)
        first, latest = min(s.at for s in steps), max(s.at for s in steps)
        start = first if start is None or first < start else start
        end = latest if end is None or latest > end else end
    assert start is not None and end is not None, "at least one report is planned"
    return Schedule(planner, threads, reports, events, start, end)


@dataclass
class Stats:
    """What a run did, gathered from every thread."""

    total: int = 0
    events: int = 0
    reports: int = 0
    conflicts: int = 0
    latencies: array[float] = field(default_factory=lambda: array("d"))  # 8 B a call
    errors: Counter[str] = field(default_factory=Counter)
    by_classification: Counter[str] = field(default_factory=Counter)
    lebaran: int = 0
    disaster: int = 0
    elapsed: float = 0.0
    planning: float = 0.0  # seconds the lanes spent planning while playing, all threads
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


Batch = Callable[[Sequence[Planned], Stats], None]


def play(
    schedule: Schedule,
    batch: Callable[[], Batch],
    *,
    seconds: float | None,
    max_batch: int,
    progress: Progress | None = None,
) -> Stats:
    """Play each lane on its own thread, the span compressed into `seconds` (None: flat out);
    each thread plans its lane's reports as it goes."""
    span = (schedule.end - schedule.start).total_seconds() or 1.0
    scale = (seconds / span) if seconds else 0.0
    stats = Stats(total=schedule.events)
    began = time.perf_counter()

    def due(planned: Planned) -> float:
        return (planned.step.at - schedule.start).total_seconds() * scale

    def lane_worker(lane: Iterator[Planned]) -> None:
        run = batch()
        planning = 0.0

        def pull() -> Planned | None:
            nonlocal planning
            t = time.perf_counter()
            planned = next(lane, None)
            planning += time.perf_counter() - t
            return planned

        pending = pull()
        while pending is not None:
            now = time.perf_counter() - began
            if due(pending) > now:
                time.sleep(min(due(pending) - now, 0.05))
                continue
            chunk = [pending]
            pending = pull()
            while pending is not None and len(chunk) < max_batch and due(pending) <= now:
                chunk.append(pending)
                pending = pull()
            try:
                run(chunk, stats)
            except Exception as e:
                with stats.lock:
                    stats.errors[type(e).__name__] += len(chunk)
            if progress is not None:
                progress(stats.events, stats.total)
        with stats.lock:
            stats.planning += planning

    workers = [threading.Thread(target=lane_worker, args=(lane,)) for lane in schedule.lanes()]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    stats.elapsed = time.perf_counter() - began
    return stats
