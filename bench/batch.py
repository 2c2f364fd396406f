"""Batch and 64-client appends through HTTP, beside plain eventsourcing, on one PostgreSQL.

`lapor-ledger serve` (gunicorn) runs on a fresh PostgreSQL schema. Three sides alternate in
rounds (the order rotates each round), all on that one database:

- batch: 8 clients, each with one keep-alive connection, POST `/v1/actions:batch` with 50
  `annotate` items (one per report, the next 50 of the client's own 1,000 round robin, each
  with its expected version and a fresh idempotency key); actions/s counts items answered 201
  (a request counts only if all 50 were).
- single: 64 clients POST `/v1/reports/{id}/actions/annotate` with `If-Match`, round robin
  over 32 reports each; appends/s.

The pools are large so that a report's history stays in the tens of events, as in service
(loading a report costs time in proportion to its history).
- plain: plain eventsourcing in this process saves one event per save, one after another
  (`bench/append.py`'s plain side, its payload padded to the ledger's annotate event size).

Targets (issue 6): batch ≥ 1,500 actions/s; single ≥ 1.5 times plain's one-event-save rate.

    .venv/bin/python bench/batch.py                           # 2 rounds of 10 s per side
    .venv/bin/python bench/batch.py --seconds 3 --rounds 1    # smoke run
    .venv/bin/python bench/batch.py --workers 2 --threads 32  # another gunicorn layout
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from append import AUDITOR, NOTE, ORIGIN, PlainSide
from batch_server import bench_api, serving
from common import code_version, describe_machine, load_average, now_utc, postgres_base_url
from cpu import CpuMeter, children_of, named
from rich.console import Console
from rich.table import Table

from ledger.settings import DatabaseUrl, Settings

BATCH_TARGET = 1500.0
SINGLE_RATIO_TARGET = 1.5
ITEMS = 50
PATH = ("api", "ledger")
err = Console(stderr=True)


def _slice(reports: list[Any], i: int) -> list[Any]:
    """The reports of request `i`: the next `ITEMS` of the pool, round robin."""
    start = (i * ITEMS) % len(reports)
    return (reports[start:] + reports[:start])[:ITEMS]


def batch_step(port: int, token: str) -> Callable[[Any, int], bool]:
    """One request of `ITEMS` annotate items, one per report of the worker."""
    local = threading.local()

    def step(w: Any, i: int) -> bool:
        conn: http.client.HTTPConnection | None = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        items = [
            {
                "report_id": str(rid),
                "action": "annotate",
                "args": {"note": NOTE},
                "expected_version": w.versions[rid],
                "idempotency_key": uuid.uuid4().hex,
            }
            for rid in _slice(w.reports, i)
        ]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        try:
            conn.request("POST", "/v1/actions:batch", json.dumps({"items": items}), headers)
            resp = conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException):
            conn.close()
            local.conn = None
            return False
        if resp.status != 200:
            if w.errors < 3:
                err.print(f"  batch HTTP {resp.status}: {data[:200]!r}")
            return False
        body = json.loads(data)
        for result in body["results"]:
            if result["status"] == 201:
                w.versions[UUID(result["result"]["report_id"])] = result["result"]["version"]
        if body["failed"] and w.errors < 3:
            err.print(f"  batch: {body['failed']} items failed: {body['results'][0]}")
        return body["failed"] == 0

    return step


def plain_round(plain: PlainSide, seconds: float, meter: CpuMeter | None = None) -> Any:
    """Plain eventsourcing, one event per save, one after another, for `seconds`."""
    block = plain.block("clear", 1)
    if meter is not None:
        meter.start()
    saves, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        saves += block(10)
    elapsed = time.perf_counter() - t0
    used = meter.stop() if meter is not None else {}
    return bench_api.Round("plain", saves, elapsed, [], 0, load_average(), used)


def annotate_size(app: object) -> int:
    """Stored bytes of one ledger annotate event (the plain side is padded to it)."""
    from append import LedgerSide

    from ledger.application import LedgerApplication

    assert isinstance(app, LedgerApplication)
    report = LedgerSide._new_report(0)
    report.annotate(AUDITOR, datetime.now(UTC), note=NOTE)
    event = report.collect_events()[-1]
    return len(app.mapper.to_stored_event(event).state)


@contextmanager
def plain_side(url: str) -> Iterator[PlainSide]:
    plain = PlainSide(Settings(database=DatabaseUrl.parse(url), origin=ORIGIN))
    try:
        yield plain
    finally:
        plain.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per round and side")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--batch-clients", type=int, default=8)
    parser.add_argument("--single-clients", type=int, default=64)
    parser.add_argument(
        "--batch-pool", type=int, default=1000, help="reports per batch client (round robin)"
    )
    parser.add_argument("--single-pool", type=int, default=32, help="reports per single client")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--server-log", help="copy the server's output to this file")
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment of the server, e.g. LEDGER_TLOG_PUBLISHER=off (repeatable)",
    )
    args = parser.parse_args(argv)
    started, version = now_utc(), code_version(*PATH, label="api and ledger")
    base = postgres_base_url()
    err.print(f"Started {started}, code {version}, load {load_average()}")
    rounds: list[Any] = []
    extra = dict(pair.split("=", 1) for pair in args.server_env)
    with (
        tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp,
        serving(base, Path(tmp), args.workers, args.threads, args.server_log, extra) as server,
        plain_side(server.url) as plain,
    ):
        app = server.app
        batch_ws = bench_api.make_workers(app, args.batch_clients, args.batch_pool)
        single_ws = bench_api.make_workers(app, args.single_clients, args.single_pool)
        pooled = sum(len(w.reports) for w in [*batch_ws, *single_ws])
        err.print(f"  {pooled:,} reports ready, load {load_average()}")
        plain.new_pool(1000)
        plain.size_text("clear", annotate_size(app))

        def meter() -> CpuMeter:  # CPU by component over one round (bench/cpu.py)
            groups = {"server": children_of(server.pid), "postgres": named("postgres")}
            return CpuMeter(groups | {"bench": [os.getpid()]})

        sides: dict[str, Callable[[float], Any]] = {
            "batch": lambda s: bench_api.run_clients(
                batch_ws, s, batch_step(server.port, server.token), "batch", meter()
            ),
            "single": lambda s: bench_api.run_clients(
                single_ws, s, bench_api.http_step(server.port, server.token), "single", meter()
            ),
            "plain": lambda s: plain_round(plain, s, meter()),
        }
        for run in sides.values():  # warm-up, discarded
            run(2.0)
        names = list(sides)
        for r in range(args.rounds):
            for name in names[r % 3 :] + names[: r % 3]:
                rd = sides[name](args.seconds)
                rounds.append(rd)
                err.print(f"  {name}: {per_s(rd):,.1f}/s, errors {rd.errors}, {rd.load}")
    report(Console(width=200), args, started, version, describe_machine(base).rows(), rounds)
    return 0


def cpu_table(out: Console, rounds: list[Any]) -> None:
    """CPU milliseconds per action of each component, round by round."""
    t = Table(title="CPU ms per action, by component")
    components = ("server", "postgres", "bench", "machine")
    for c in ("side", *components):
        t.add_column(c, justify="right")
    for r in rounds:
        actions = r.appends * (ITEMS if r.side == "batch" else 1)
        per_action = {c: r.cpu[c] / actions * 1000 for c in r.cpu} if actions else {}
        t.add_row(r.side, *(f"{per_action[c]:.2f}" if c in per_action else "" for c in components))
    out.print(t)
    out.print(
        "server: gunicorn's workers (idle on the plain side, its follower and publisher aside); "
        "postgres: every PostgreSQL process; bench: this process (the HTTP clients, or plain "
        "eventsourcing's saves); machine: everything that ran"
    )


def per_s(rd: Any) -> float:
    """Actions per second: a batch request that succeeded carries `ITEMS` actions."""
    return rd.rate * (ITEMS if rd.side == "batch" else 1)


def report(
    out: Console,
    args: argparse.Namespace,
    started: str,
    version: str,
    machine: list[tuple[str, str]],
    rounds: list[Any],
) -> None:
    out.print(f"Batch and 64-client benchmark, started {started}, code {version}")
    t = Table(title="Machine")
    t.add_column("")
    t.add_column("")
    for k, v in machine:
        t.add_row(k, v)
    out.print(t)
    out.print(
        f"gunicorn: {args.workers} workers x {args.threads} threads"
        f"{''.join(f', {pair}' for pair in args.server_env)}; PostgreSQL; "
        f"batch: {args.batch_clients} clients x {ITEMS} annotate items with expected version "
        f"and idempotency key; single: {args.single_clients} clients, annotate with If-Match; "
        f"plain: eventsourcing, one event per save, one thread; {args.seconds:.0f} s per round"
    )
    t = Table(title="Rounds, in the order run")
    for c in ("side", "requests", "actions/s", "p50 ms", "p99 ms", "errors", "load average"):
        t.add_column(c, justify="right")
    for r in rounds:
        lat = bool(r.latencies_ms)
        t.add_row(
            r.side,
            f"{r.appends:,}",
            f"{per_s(r):,.1f}",
            f"{r.p50:.1f}" if lat else "",
            f"{r.p99:.1f}" if lat else "",
            str(r.errors),
            r.load,
        )
    out.print(t)
    cpu_table(out, rounds)
    med = {
        s: statistics.median(per_s(r) for r in rounds if r.side == s)
        for s in ("batch", "single", "plain")
    }
    ratio = med["single"] / med["plain"]
    t = Table(title="Summary (median of rounds)")
    for c in ("figure", "value", "target", "result"):
        t.add_column(c, justify="right")
    t.add_row(
        "batch actions/s",
        f"{med['batch']:,.1f}",
        f">= {BATCH_TARGET:,.0f}",
        "pass" if med["batch"] >= BATCH_TARGET else "FAIL",
    )
    t.add_row("single appends/s (HTTP)", f"{med['single']:,.1f}", "", "")
    t.add_row("plain one-event saves/s", f"{med['plain']:,.1f}", "", "")
    t.add_row(
        "single / plain",
        f"{ratio:.2f}",
        f">= {SINGLE_RATIO_TARGET}",
        "pass" if ratio >= SINGLE_RATIO_TARGET else "FAIL",
    )
    out.print(t)
    out.print(f"Finished {now_utc()}, load average {load_average()}.")


if __name__ == "__main__":
    sys.exit(main())
