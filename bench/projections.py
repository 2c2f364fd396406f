"""Projections benchmark: rebuild rate over eventsourcing's decode rate, and query latency.

On one SQLite log (built with `ledger.demo.run_demo`, or an existing file such as the one
`bench/log.py --db PATH` grew), in one run:

1. Rebuild rate: events/s of `Projections.rebuild()` (every view emptied and replayed), in
   the parts it chooses (one per CPU at this size; `--parts N` to choose).
2. Plain decode rate of the same log: `recorder.select_notifications` in pages of 500 and
   eventsourcing's own `Mapper.to_domain_event` (with the ledger's transcoder, no cipher) on
   every event. Measured before and after the rebuild (decode, rebuild, decode, …); the
   ratio is the rebuild's median rate over the decode's. Target: at least 0.5. The CPU time
   per event of each (the rebuild's other processes included) is shown beside it, with the
   cores each run kept busy on average.
3. Where the rebuild's time goes: over the first `--breakdown-events` events, with the
   rebuild's own reader and batches (`projections.rebuild`), the time per event of reading the
   stored rows, parsing clear headers from their payloads, folding them in memory into each
   view's batch, and computing each touched report's clocks once (no database writes); the rest
   of the rebuild's time per event is building and writing rows and counters, and committing.
4. Query latency at that size: p50/p99 over 200 calls of each query of the views
   (verification_queue, inbox, overdue, compliance by agency/hub/national, daily_stats),
   called round-robin. Target: p99 of the queue and compliance queries under 50 ms.

    .venv/bin/python bench/projections.py --db /tmp/benchlog/log.sqlite3  # reuse a log
    .venv/bin/python bench/projections.py --events 100000                 # build one
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from append import ORIGIN
from common import code_version, describe_machine, load_average, now_utc
from eventsourcing.persistence import Mapper
from rich.console import Console
from rich.table import Table

from ledger.application import LedgerApplication
from ledger.bootstrap import build_ledger
from ledger.demo import run_demo
from ledger.settings import DatabaseUrl, Settings
from ledger.storage.keys import KeyRing

# This file's name shadows the `projections` package while bench/ leads sys.path: look for
# packages in the project first (common and append are already imported).
_BENCH = Path(__file__).resolve().parent
sys.path[:] = [str(_BENCH.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.append(str(_BENCH))

from projections.compliance import compliance, daily_stats  # noqa: E402
from projections.daily import DailyBatch  # noqa: E402
from projections.lists import inbox, overdue, verification_queue  # noqa: E402
from projections.parallel import default_parts  # noqa: E402
from projections.rebuild import PAGE  # noqa: E402
from projections.runner import Projections  # noqa: E402

REBUILD_TARGET = 0.5
QUERY_P99_TARGET_MS = 50.0
DECODE_PAGE = 500
TARGETED = ("verification_queue", "inbox", "overdue", "compliance")

err = Console(stderr=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[k]


def open_app(path: Path) -> LedgerApplication:
    key_dir = Path(f"{path}.keys")
    key_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings(database=DatabaseUrl.parse(f"sqlite:///{path}"), origin=ORIGIN)
    return build_ledger(settings, keyring=KeyRing.load(key_dir, create=True))


def cpu_seconds() -> float:
    """CPU time (user and system) of this process and of its child processes that have ended,
    such as the processes of a rebuild's parts."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    ended = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + ended.ru_utime + ended.ru_stime


def plain_decode(app: LedgerApplication) -> tuple[int, float, float]:
    """Read the whole notification log and decode every event with eventsourcing's Mapper:
    events, events/s and CPU µs per event."""
    mapper: Mapper[UUID] = Mapper(transcoder=app.construct_transcoder())
    recorder: Any = app.recorder
    gc.collect()
    t, cpu = time.perf_counter(), cpu_seconds()
    n = 0
    start = 1
    while True:
        page = recorder.select_notifications(start, DECODE_PAGE)
        if not page:
            break
        for notification in page:
            mapper.to_domain_event(notification)
        n += len(page)
        start = page[-1].id + 1
    return n, n / (time.perf_counter() - t), (cpu_seconds() - cpu) / max(n, 1) * 1e6


def rebuild(p: Projections, parts: int | None) -> tuple[int, float, float]:
    """Rebuild every view: events, events/s and CPU µs per event (the parts' included)."""
    gc.collect()
    t, cpu = time.perf_counter(), cpu_seconds()
    done = p.rebuild(parts=parts)
    elapsed = time.perf_counter() - t
    used = cpu_seconds() - cpu
    failed = [c for c in done if getattr(c, "failure", None)]
    if failed:
        raise RuntimeError(f"rebuild failed: {failed[0]}")
    top = p.log.max_id()
    return top, top / elapsed, used / max(top, 1) * 1e6


def breakdown(p: Projections, limit: int) -> tuple[int, dict[str, float]]:
    """Microseconds per event of each in-memory step of a rebuild, over the first events:
    the rebuild's own reader, pages and batches, one chunk, no database writes."""
    steps = ("read stored rows", "clear headers", "fold reports", "fold daily", "clocks")
    spent = dict.fromkeys(steps, 0.0)
    reports, daily = p.views["reports"].projector.rebuilding(), DailyBatch({})
    position: int | None = None
    n = 0
    gc.collect()
    gc.disable()  # as the rebuild does
    try:
        while n < limit:
            t0 = time.perf_counter()
            page = p.log.stored_after(position, min(PAGE, limit - n))
            if not page:
                break
            t1 = time.perf_counter()
            headers = [p.log.header(row) for row in page]
            t2 = time.perf_counter()
            for header in headers:
                reports.fold(header)
            t3 = time.perf_counter()
            for header in headers:
                daily.fold(header)
            t4 = time.perf_counter()
            for key, a, b in zip(steps, (t0, t1, t2, t3), (t1, t2, t3, t4), strict=False):
                spent[key] += b - a
            n += len(page)
            position = page[-1].id
        t = time.perf_counter()
        reports.settle()
        spent["clocks"] += time.perf_counter() - t
    finally:
        gc.enable()
    return n, {k: v / max(n, 1) * 1e6 for k, v in spent.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", help="an existing SQLite log to reuse (grown if too small)")
    parser.add_argument("--events", type=int, default=0, help="grow the log to this many")
    parser.add_argument("--rounds", type=int, default=1, help="rebuilds (each between decodes)")
    parser.add_argument(
        "--parts",
        type=int,
        default=None,
        help="rebuild in this many parts (default: the rebuild's own choice, one per CPU)",
    )
    parser.add_argument("--calls", type=int, default=200, help="calls per query")
    parser.add_argument(
        "--breakdown-events", type=int, default=200_000, help="events in the time breakdown"
    )
    parser.add_argument(
        "--query-seconds",
        type=float,
        default=60.0,
        help="stop calling a query after this much time in it (at least 5 calls)",
    )
    args = parser.parse_args(argv)
    out = Console(width=200)
    started = now_utc()
    version = code_version("projections", "ledger/storage", label="projections and storage")
    err.print(f"Started {started}, code {version}, load {load_average()}")
    tmp = None
    if args.db:
        path = Path(args.db).resolve()
    else:
        tmp = tempfile.TemporaryDirectory(prefix="bench-projections-")
        path = Path(tmp.name) / "log.sqlite3"
    app = open_app(path)
    try:
        seed = 4242
        while app.ledger.tree_size() < args.events:
            left = args.events - app.ledger.tree_size()
            run_demo(app, reports=max(10, min(20_000, left // 8 + 1)), seed=seed)
            seed += 1
            err.print(f"  grew to {app.ledger.tree_size():,} entries")
        p = Projections(app)
        events = p.log.max_id()
        err.print(f"Log of {events:,} events in {path}")
        decodes: list[float] = []
        rebuilds: list[float] = []
        decode_cpu: list[float] = []  # µs per event
        rebuild_cpu: list[float] = []
        n, r, c = plain_decode(app)
        decodes.append(r)
        decode_cpu.append(c)
        err.print(f"  plain decode: {n:,} events, {r:,.0f} events/s (load {load_average()})")
        for _ in range(args.rounds):
            n, r, c = rebuild(p, args.parts)
            rebuilds.append(r)
            rebuild_cpu.append(c)
            err.print(f"  rebuild: {n:,} events, {r:,.0f} events/s (load {load_average()})")
            n, r, c = plain_decode(app)
            decodes.append(r)
            decode_cpu.append(c)
            err.print(f"  plain decode: {n:,} events, {r:,.0f} events/s (load {load_average()})")
        steps_n, steps = breakdown(p, args.breakdown_events)
        err.print(f"  breakdown over {steps_n:,} events: {steps}")

        registry = p.registry
        agencies = [a.id for a in registry.all() if a.level != "national"]
        hubs = [a.id for a in registry.all() if a.is_hub]
        now = datetime(2026, 6, 1, tzinfo=UTC)
        rng = random.Random(5)
        queries: dict[str, Callable[[], object]] = {
            "verification_queue": lambda: verification_queue(p),
            "verification_queue hub": lambda: verification_queue(p, hub=rng.choice(hubs)),
            "inbox": lambda: inbox(p, rng.choice(agencies)),
            "overdue": lambda: overdue(p, now),
            "overdue agency": lambda: overdue(p, now, rng.choice(agencies)),
            "compliance agency": lambda: compliance(p, group_by="agency", as_of=now),
            "compliance hub": lambda: compliance(p, group_by="hub", as_of=now),
            "compliance national": lambda: compliance(p, group_by="national", as_of=now),
            "daily_stats": lambda: daily_stats(p),
        }
        times: dict[str, list[float]] = {k: [] for k in queries}
        for q in queries.values():  # warm-up
            q()
        load_q = load_average()
        budget_ms = args.query_seconds * 1000
        for _ in range(args.calls):
            for name, q in queries.items():
                if len(times[name]) >= 5 and sum(times[name]) > budget_ms:
                    continue  # a slow query: keep its first calls, bounded in time
                t = time.perf_counter()
                q()
                times[name].append((time.perf_counter() - t) * 1000)
    finally:
        app.close()
        if tmp is not None:
            tmp.cleanup()

    machine = describe_machine()
    out.print(f"Projections benchmark, started {started}, code {version}")
    table = Table(title="Machine")
    table.add_column("")
    table.add_column("")
    for k, v in machine.rows():
        table.add_row(k, v)
    out.print(table)
    ratio = statistics.median(rebuilds) / statistics.median(decodes)
    parts = default_parts(events) if args.parts is None else args.parts
    table = Table(title=f"Rebuild rate over plain eventsourcing decode, {events:,} events (SQLite)")
    for c in (
        "parts",
        "rebuild ev/s",
        "decode ev/s",
        "ratio",
        "runs (rebuild | decode)",
        "target",
        "result",
    ):
        table.add_column(c, justify="right")
    table.add_row(
        str(parts),
        f"{statistics.median(rebuilds):,.0f}",
        f"{statistics.median(decodes):,.0f}",
        f"{ratio:.3f}",
        " ".join(f"{x:,.0f}" for x in rebuilds) + " | " + " ".join(f"{x:,.0f}" for x in decodes),
        f">= {REBUILD_TARGET}",
        "pass" if ratio >= REBUILD_TARGET else "FAIL",
    )
    out.print(table)
    # CPU time varies less than wall time on a shared machine; the cores a run kept busy on
    # average say how much of the rebuild's time the parts ran side by side.
    table = Table(title="CPU time per event (user and system, the rebuild's parts included)")
    for c in ("", "CPU µs/event", "runs", "cores busy (runs)"):
        table.add_column(c, justify="right")
    for name, cpus, rates in (("rebuild", rebuild_cpu, rebuilds), ("decode", decode_cpu, decodes)):
        table.add_row(
            name,
            f"{statistics.median(cpus):,.1f}",
            " ".join(f"{x:,.1f}" for x in cpus),
            " ".join(f"{c * r / 1e6:.2f}" for c, r in zip(cpus, rates, strict=True)),
        )
    out.print(table)
    rebuild_us = 1e6 / statistics.median(rebuilds)
    title = f"Rebuild time per event (steps timed over the first {steps_n:,} events, one process)"
    table = Table(title=title)
    table.add_column("step")
    table.add_column("µs/event", justify="right")
    table.add_column("share of the rebuild", justify="right")
    for name, value in [
        *steps.items(),
        ("rows, database writes, counters, commits (the rest)", 0.0),
    ]:
        if name.startswith("rows"):
            if parts > 1:  # the parts run side by side: the wall time is not the steps' sum
                table.add_row(name, "", f"(the rebuild ran in {parts} parts side by side)")
                continue
            value = rebuild_us - sum(steps.values())
        table.add_row(name, f"{value:,.1f}", f"{value / rebuild_us:.0%}")
    table.add_row("rebuild (median rate)", f"{rebuild_us:,.1f}", "100%")
    table.add_row("plain eventsourcing decode", f"{1e6 / statistics.median(decodes):,.1f}", "")
    out.print(table)
    table = Table(title=f"Query latency at {events:,} events, up to {args.calls} calls each, ms")
    for c in ("query", "calls", "p50", "p99", "max", "target", "result"):
        table.add_column(c, justify="right")
    for name, ts in times.items():
        targeted = name.split()[0] in TARGETED
        p99 = percentile(ts, 99)
        table.add_row(
            name,
            str(len(ts)),
            f"{statistics.median(ts):.2f}",
            f"{p99:.2f}",
            f"{max(ts):.2f}",
            f"< {QUERY_P99_TARGET_MS:.0f}" if targeted else "",
            ("pass" if p99 < QUERY_P99_TARGET_MS else "FAIL") if targeted else "",
        )
    out.print(table)
    out.print(f"Load average during the queries: {load_q}")
    out.print(f"Finished {now_utc()}, load average {load_average()}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
