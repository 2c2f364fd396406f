"""API benchmark: appends per second through the HTTP service, over the library's own rate.

`lapor-ledger serve` (gunicorn) runs on a fresh PostgreSQL schema; 16 client threads, each
with one keep-alive `http.client` connection, append `annotate` actions (as an Ombudsman
auditor, with `If-Match`) to their own reports for a fixed time and record each request's
latency. In the same run, on the same database, 16 threads of the benchmark process append
the same action through the library (`LedgerApplication.change`). The two alternate
(HTTP, library, library, HTTP, …) and the table shows appends/s, p50/p99 latency and the ratio
HTTP/library of the median rates.

Target (issue 3): at least 250 appends/s through HTTP with p99 under 100 ms.

    .venv/bin/python bench/api.py                         # 2 rounds of 20 s per side
    .venv/bin/python bench/api.py --seconds 5 --rounds 1  # smoke run
    .venv/bin/python bench/api.py --workers 5 --threads 4 # gunicorn layout
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

from append import AUDITOR, NOTE, ORIGIN, LedgerSide
from common import (
    code_version,
    describe_machine,
    load_average,
    now_utc,
    postgres_base_url,
    postgres_schema,
)
from rich.console import Console
from rich.table import Table

from ledger.application import LedgerApplication
from ledger.bootstrap import build_ledger
from ledger.domain import Report
from ledger.settings import DatabaseUrl, Settings
from ledger.storage.keys import KeyRing

RATE_TARGET = 250.0
P99_TARGET_MS = 100.0
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
API_PATH = ("api", "ledger")

err = Console(stderr=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[k]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Round:
    side: str
    appends: int
    seconds: float
    latencies_ms: list[float]
    errors: int
    load: str

    @property
    def rate(self) -> float:
        return self.appends / self.seconds

    @property
    def p50(self) -> float:
        return percentile(self.latencies_ms, 50)

    @property
    def p99(self) -> float:
        return percentile(self.latencies_ms, 99)


@dataclass
class Worker:
    reports: list[UUID]
    versions: dict[UUID, int]
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    appends: int = 0


def run_clients(
    workers: list[Worker], seconds: float, step: Callable[[Worker, int], bool], side: str
) -> Round:
    """Run `step(worker, i)` in one thread per worker until `seconds` have passed."""
    start = threading.Barrier(len(workers) + 1)
    stop_at = [0.0]

    def loop(w: Worker) -> None:
        w.latencies_ms, w.errors, w.appends = [], 0, 0
        start.wait()
        i = 0
        while time.perf_counter() < stop_at[0] and i < 1_000_000:
            t = time.perf_counter()
            ok = step(w, i)
            if ok:
                w.latencies_ms.append((time.perf_counter() - t) * 1000)
                w.appends += 1
            else:
                w.errors += 1
            i += 1

    threads = [threading.Thread(target=loop, args=(w,), daemon=True) for w in workers]
    for t in threads:
        t.start()
    stop_at[0] = time.perf_counter() + seconds
    t0 = time.perf_counter()
    start.wait()
    for t in threads:
        t.join(seconds + 60)
    elapsed = time.perf_counter() - t0
    return Round(
        side,
        sum(w.appends for w in workers),
        elapsed,
        [x for w in workers for x in w.latencies_ms],
        sum(w.errors for w in workers),
        load_average(),
    )


def http_step(port: int, token: str) -> Callable[[Worker, int], bool]:
    local = threading.local()
    body = json.dumps({"note": NOTE}).encode()

    def step(w: Worker, i: int) -> bool:
        conn: http.client.HTTPConnection | None = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        rid = w.reports[i % len(w.reports)]
        headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "If-Match": f'"{w.versions[rid]}"',
        }
        try:
            conn.request("POST", f"/v1/reports/{rid}/actions/annotate", body, headers)
            resp = conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException):
            conn.close()
            local.conn = None
            return False
        if resp.status != 201:
            if w.errors < 3:
                err.print(f"  HTTP {resp.status}: {data[:200]!r}")
            return False
        w.versions[rid] = int(json.loads(data)["version"])
        return True

    return step


def library_step(app: LedgerApplication) -> Callable[[Worker, int], bool]:
    def annotate(r: Report) -> None:
        r.annotate(AUDITOR, datetime.now(UTC), note=NOTE)

    def step(w: Worker, i: int) -> bool:
        rid = w.reports[i % len(w.reports)]
        try:
            done = app.change(rid, annotate, expected_version=w.versions[rid])
        except Exception as e:  # count and go on: a benchmark, not a test
            if w.errors < 3:
                err.print(f"  library: {type(e).__name__}: {e}")
            return False
        w.versions[rid] = done.version
        return True

    return step


def make_workers(app: LedgerApplication, clients: int, per_client: int) -> list[Worker]:
    reports = [LedgerSide._new_report(i) for i in range(clients * per_client)]
    for s in range(0, len(reports), 50):
        chunk = reports[s : s + 50]
        app.save(*chunk, data_keys=[app.data_keys.create(r.id) for r in chunk])
    out = []
    for c in range(clients):
        mine = reports[c * per_client : (c + 1) * per_client]
        out.append(Worker([r.id for r in mine], {r.id: r.version for r in mine}))
    return out


def wait_ready(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not become ready in 60 s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0, help="per round and side")
    parser.add_argument("--rounds", type=int, default=2, help="rounds per side (alternating)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--reports-per-client", type=int, default=16)
    parser.add_argument("--server-log", help="copy the server's output to this file")
    args = parser.parse_args(argv)
    out = Console(width=200)
    started = now_utc()
    version = code_version(*API_PATH, label="api and ledger")
    base = postgres_base_url()
    err.print(f"Started {started}, code {version}, load {load_average()}")
    rounds: list[Round] = []
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp, postgres_schema(base) as url:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
        env |= {
            "LEDGER_DATABASE_URL": url,
            "LEDGER_KEY_DIR": str(Path(tmp) / "keys"),
            "LEDGER_LOG_ORIGIN": ORIGIN,
            "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        }
        port = free_port()
        log = Path(tmp) / "server.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [
                    str(BIN / "lapor-ledger"),
                    "serve",
                    "--port",
                    str(port),
                    "--workers",
                    str(args.workers),
                    "--threads",
                    str(args.threads),
                ],
                cwd=ROOT,
                env=env,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_ready(port, process, log)
            err.print(
                f"gunicorn ready on port {port}: {args.workers} workers x {args.threads} threads"
            )
            token = (
                subprocess.run(
                    [
                        str(BIN / "lapor-ledger"),
                        "tokens",
                        "create",
                        "--role",
                        "ombudsman_auditor",
                        "--agency",
                        "ombudsman-ri",
                        "--label",
                        "bench",
                    ],
                    env=env,
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    check=True,
                    timeout=60,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            settings = Settings(database=DatabaseUrl.parse(url), origin=ORIGIN)
            app = build_ledger(settings, keyring=KeyRing.load(Path(tmp) / "keys", create=False))
            try:
                http_workers = make_workers(app, args.clients, args.reports_per_client)
                lib_workers = make_workers(app, args.clients, args.reports_per_client)
                steps = {
                    "http": (http_workers, http_step(port, token)),
                    "library": (lib_workers, library_step(app)),
                }
                # warm-up: a few seconds each, discarded
                for side, (ws, step) in steps.items():
                    run_clients(ws, 2.0, step, side)
                order = []
                for r in range(args.rounds):
                    order += ["http", "library"] if r % 2 == 0 else ["library", "http"]
                for side in order:
                    ws, step = steps[side]
                    rd = run_clients(ws, args.seconds, step, side)
                    rounds.append(rd)
                    err.print(
                        f"  {side}: {rd.rate:,.1f} appends/s, p50 {rd.p50:.1f} ms, "
                        f"p99 {rd.p99:.1f} ms, errors {rd.errors}, load {rd.load}"
                    )
            finally:
                app.close()
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if args.server_log:
                Path(args.server_log).write_bytes(log.read_bytes())
    machine = describe_machine(base)
    report(out, args, started, version, machine.rows(), rounds)
    return 0


def report(
    out: Console,
    args: argparse.Namespace,
    started: str,
    version: str,
    machine: list[tuple[str, str]],
    rounds: list[Round],
) -> None:
    out.print(f"API benchmark, started {started}, code {version}")
    t = Table(title="Machine")
    t.add_column("")
    t.add_column("")
    for k, v in machine:
        t.add_row(k, v)
    out.print(t)
    out.print(
        f"gunicorn: {args.workers} workers x {args.threads} threads; {args.clients} clients; "
        f"{args.seconds:.0f} s per round; PostgreSQL; action annotate with If-Match"
    )
    t = Table(title="Rounds, in the order run")
    for c in ("side", "appends", "appends/s", "p50 ms", "p99 ms", "errors", "load average"):
        t.add_column(c, justify="right")
    for r in rounds:
        t.add_row(
            r.side,
            f"{r.appends:,}",
            f"{r.rate:,.1f}",
            f"{r.p50:.1f}",
            f"{r.p99:.1f}",
            str(r.errors),
            r.load,
        )
    out.print(t)
    sides = {s: [r for r in rounds if r.side == s] for s in ("http", "library")}
    med = {s: statistics.median(r.rate for r in rs) for s, rs in sides.items()}
    lat = {s: [x for r in rs for x in r.latencies_ms] for s, rs in sides.items()}
    t = Table(title="Summary (median rate of rounds; latency over all rounds)")
    for c in ("side", "appends/s", "p50 ms", "p99 ms", "target", "result"):
        t.add_column(c, justify="right")
    http_p99 = percentile(lat["http"], 99)
    ok = med["http"] >= RATE_TARGET and http_p99 < P99_TARGET_MS
    t.add_row(
        "http",
        f"{med['http']:,.1f}",
        f"{percentile(lat['http'], 50):.1f}",
        f"{http_p99:.1f}",
        f">= {RATE_TARGET:.0f}/s, p99 < {P99_TARGET_MS:.0f} ms",
        "pass" if ok else "FAIL",
    )
    t.add_row(
        "library",
        f"{med['library']:,.1f}",
        f"{percentile(lat['library'], 50):.1f}",
        f"{percentile(lat['library'], 99):.1f}",
        "",
        "",
    )
    out.print(t)
    ratios = [a.rate / b.rate for a, b in zip(sides["http"], sides["library"], strict=False)]
    out.print(
        f"Ratio HTTP/library (median rates): {med['http'] / med['library']:.2f}; "
        f"per round: {', '.join(f'{r:.2f}' for r in ratios)}"
    )
    out.print(f"Finished {now_utc()}, load average {load_average()}.")


if __name__ == "__main__":
    sys.exit(main())
