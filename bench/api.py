"""API benchmark: appends per second through the HTTP service, over the library's own rate.

`lapor-ledger serve` (gunicorn) runs on a fresh PostgreSQL schema; 16 client threads, each
with one keep-alive `http.client` connection, append `annotate` actions (as an Ombudsman
auditor, with `If-Match`) to their own reports for a fixed time and record each request's
latency. In the same run, on the same database, 16 threads of the benchmark process append
the same action through the library (`LedgerApplication.change`). The two alternate
(HTTP, library, library, HTTP, …) and the table shows appends/s, p50/p99 latency and the ratio
HTTP/library of the median rates.

Each round also measures the CPU time per append of the server's workers, of PostgreSQL and
of the benchmark process (its HTTP clients, or the library side's own work): where the time
goes, side by side.

Target (issue 3): at least 250 appends/s through HTTP with p99 under 100 ms.

    .venv/bin/python bench/api.py                         # 2 rounds of 20 s per side
    .venv/bin/python bench/api.py --seconds 5 --rounds 1  # smoke run
    .venv/bin/python bench/api.py --workers 2 --threads 8 # gunicorn layout (serve's default)
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
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

from api_report import Round, report
from append import AUDITOR, NOTE, ORIGIN, LedgerSide
from common import (
    code_version,
    describe_machine,
    load_average,
    now_utc,
    postgres_base_url,
    postgres_schema,
)
from cpu import CpuMeter, children_of, named
from rich.console import Console

from ledger.application import LedgerApplication
from ledger.bootstrap import build_ledger
from ledger.domain import Report
from ledger.settings import DatabaseUrl, Settings
from ledger.storage.keys import KeyRing

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
API_PATH = ("api", "ledger")

err = Console(stderr=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Worker:
    reports: list[UUID]
    versions: dict[UUID, int]
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    appends: int = 0


def run_clients(
    workers: list[Worker],
    seconds: float,
    step: Callable[[Worker, int], bool],
    side: str,
    meter: CpuMeter | None = None,
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
    if meter is not None:
        meter.start()
    stop_at[0] = time.perf_counter() + seconds
    t0 = time.perf_counter()
    start.wait()
    for t in threads:
        t.join(seconds + 60)
    elapsed = time.perf_counter() - t0
    used = meter.stop() if meter is not None else {}
    return Round(
        side,
        sum(w.appends for w in workers),
        elapsed,
        [x for w in workers for x in w.latencies_ms],
        sum(w.errors for w in workers),
        load_average(),
        used,
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
    parser.add_argument("--workers", type=int, default=max(1, os.cpu_count() or 1))
    parser.add_argument("--threads", type=int, default=8)
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
                server = children_of(process.pid)  # gunicorn's workers
                # warm-up: a few seconds each, discarded
                for side, (ws, step) in steps.items():
                    run_clients(ws, 2.0, step, side)
                order = []
                for r in range(args.rounds):
                    order += ["http", "library"] if r % 2 == 0 else ["library", "http"]
                for side in order:
                    ws, step = steps[side]
                    groups = {"postgres": named("postgres"), "bench": [os.getpid()]}
                    if side == "http":
                        groups["server"] = server
                    rd = run_clients(ws, args.seconds, step, side, CpuMeter(groups))
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


if __name__ == "__main__":
    sys.exit(main())
