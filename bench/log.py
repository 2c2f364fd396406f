"""Transparency-log benchmark: proof time by log size, integration lag, verifier rate.

Three measurements in one run, on one SQLite log grown with `ledger.demo.run_demo`:

1. Inclusion-proof generation (`TransparencyLog.inclusion_proof`) at 10^3, 10^5 and 10^6
   entries: the log grows 10^3 -> 10^5 -> 10^6 (integrated after each step) and 1,000 random
   proofs are sampled at each size as it is reached; at the end the three tree sizes are
   sampled again side by side, round-robin, in the full tree. Target: p99 under 10 ms at
   10^6 and growth logarithmic in the size.
2. Integration lag: a writer appends 200 events/s (one `annotate` per save) for 20 s while a
   `TlogPublisher` (interval 0.5 s) runs; for each append, the time until a signed checkpoint
   covers its leaf (`wait_for_checkpoint`). Target: p99 under 2 s.
3. Verifier rate: `verify_bundle` over an export of the whole log (with its checkpoint) over
   `hashlib.sha256` of the same entry bytes, alternating rounds. Target: at least 0.2.

    .venv/bin/python bench/log.py                           # 10^6 entries (build ~6-10 min)
    .venv/bin/python bench/log.py --max-entries 100000      # 10^3, 10^4, 10^5
    .venv/bin/python bench/log.py --db /tmp/log.sqlite3     # keep (or reuse) the log file

With `--db`, the file and its keys (`<db>.keys/`) are kept and reused: a log already at the
largest size is not grown again (bench/projections.py can reuse the same file).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from append import AUDITOR, NOTE, ORIGIN, LedgerSide
from common import code_version, describe_machine, load_average, now_utc
from log_verify import VerifyResult, measure, write_synthetic_bundle
from rich.console import Console
from rich.table import Table

from ledger.application import LedgerApplication
from ledger.bootstrap import build_ledger
from ledger.demo import run_demo
from ledger.domain import Report
from ledger.export import write_signed_bundle
from ledger.settings import DatabaseUrl, Settings
from ledger.storage.keys import KeyRing
from ledger.tlog import TlogConfig, TlogPublisher, TransparencyLog, build_tlog

PROOF_P99_TARGET_MS = 10.0
LAG_P99_TARGET_S = 2.0
VERIFY_TARGET = 0.2
RSS_TARGET_BYTES = 200 * 10**6  # issue 6: peak memory under 200 MB
LOG_PATH = ("ledger/tlog", "ledger/storage", "ledger/export.py", "verify")

err = Console(stderr=True)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), nearest-rank on the sorted values."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[k]


# -- the log -------------------------------------------------------------------------------


@dataclass
class Log:
    app: LedgerApplication
    tlog: TransparencyLog
    path: Path
    key_dir: Path


def open_log(path: Path) -> Log:
    key_dir = Path(f"{path}.keys")
    key_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings(database=DatabaseUrl.parse(f"sqlite:///{path}"), origin=ORIGIN)
    app = build_ledger(settings, keyring=KeyRing.load(key_dir, create=True))
    tlog = build_tlog(app, TlogConfig(origin=ORIGIN, key_dir=key_dir / "log"))
    return Log(app, tlog, path, key_dir)


def grow(log: Log, target: int) -> float:
    """Append demo histories until the log holds at least `target` entries; seconds taken."""
    start = time.perf_counter()
    size = log.app.ledger.tree_size()
    seed = 1708 + size  # new seeds make new reports
    per_report = 8.0
    while size < target:
        reports = max(10, min(20_000, int((target - size) / per_report) + 1))
        t = time.perf_counter()
        result = run_demo(log.app, reports=reports, seed=seed)
        seed += 1
        per_report = max(1.0, result.events / max(1, result.reports))
        size = log.app.ledger.tree_size()
        rate = result.events / (time.perf_counter() - t)
        err.print(f"  grew to {size:,} entries ({rate:,.0f} events/s, load {load_average()})")
    return time.perf_counter() - start


def sample_proofs(tlog: TransparencyLog, size: int, n: int, rng: random.Random) -> list[float]:
    """Milliseconds of `n` inclusion proofs of random leaves in the tree of `size`."""
    out = []
    for _ in range(n):
        leaf = rng.randrange(size)
        t = time.perf_counter()
        tlog.inclusion_proof(leaf, size)
        out.append((time.perf_counter() - t) * 1000)
    return out


@dataclass
class ProofRow:
    size: int
    when: str
    times_ms: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p99(self) -> float:
        return percentile(self.times_ms, 99)


# -- integration lag -----------------------------------------------------------------------


@dataclass
class LagResult:
    lags_s: list[float] = field(default_factory=list)
    appends: int = 0
    seconds: float = 0.0
    missed: int = 0
    checkpoints: int = 0

    @property
    def rate(self) -> float:
        return self.appends / self.seconds if self.seconds else 0.0


def measure_lag(log: Log, rate: float, seconds: float, interval: float) -> LagResult:
    """Append `rate` events/s for `seconds` with a publisher running; lag per append."""
    app, tlog = log.app, log.tlog
    pool = [LedgerSide._new_report(i) for i in range(200)]
    for start in range(0, len(pool), 50):
        chunk = pool[start : start + 50]
        app.save(*chunk, data_keys=[app.data_keys.create(r.id) for r in chunk])
    tlog.publish_once()
    pending: deque[tuple[int, float]] = deque()
    lock = threading.Condition()
    result = LagResult()
    done = threading.Event()

    def monitor() -> None:
        while True:
            with lock:
                while not pending and not done.is_set():
                    lock.wait(0.1)
                if not pending and done.is_set():
                    return
                leaf = pending[0][0]
            try:
                cp = tlog.wait_for_checkpoint(leaf, timeout=10.0)
            except Exception:
                with lock:
                    result.missed += len(pending)
                    pending.clear()
                continue
            now = time.perf_counter()
            with lock:
                while pending and pending[0][0] < cp.tree_size:
                    result.lags_s.append(now - pending.popleft()[1])

    publisher = TlogPublisher(tlog, interval)
    before = tlog.latest_checkpoint().tree_size
    watcher = threading.Thread(target=monitor, name="lag-monitor", daemon=True)
    watcher.start()
    publisher.start()
    t0 = time.perf_counter()
    i = 0
    try:
        while True:
            due = t0 + i / rate
            now = time.perf_counter()
            if now - t0 >= seconds:
                break
            if due > now:
                time.sleep(due - now)
            report: Report = pool[i % len(pool)]
            report.annotate(AUDITOR, datetime.now(UTC), note=NOTE)
            app.save(report)
            appended = time.perf_counter()
            leaf = app.ledger.tree_size() - 1  # one writer: the last leaf is ours
            with lock:
                pending.append((leaf, appended))
                lock.notify()
            i += 1
        result.seconds = time.perf_counter() - t0
        result.appends = i
        done.set()
        watcher.join(15)
    finally:
        done.set()
        publisher.stop()
    if publisher.failure is not None:
        raise publisher.failure
    result.checkpoints = tlog.latest_checkpoint().tree_size - before
    return result


# -- verifier rate (bench/log_verify.py) ---------------------------------------------------


def measure_verifier(log: Log, workdir: Path, rounds: int) -> VerifyResult:
    """Export the whole log (binary, with its checkpoint) and measure the verifier on it."""
    bundle = workdir / "bundle.bin"
    t = time.perf_counter()
    with bundle.open("wb") as out:
        checkpoint = write_signed_bundle(log.app.ledger, log.tlog, out)
    err.print(
        f"  exported {checkpoint.tree_size:,} entries in {time.perf_counter() - t:.1f} s "
        f"({bundle.stat().st_size / 1e6:,.0f} MB)"
    )
    result = measure(bundle, rounds, "exported log", err.print)
    bundle.unlink()
    return result


def measure_synthetic(entries: int, workdir: Path, rounds: int) -> VerifyResult:
    """Measure the verifier on a synthetic bundle of `entries` entries."""
    bundle = workdir / "synthetic.bin"
    t = time.perf_counter()
    write_synthetic_bundle(bundle, entries, ORIGIN)
    err.print(
        f"  wrote a synthetic bundle of {entries:,} entries in {time.perf_counter() - t:.1f} s "
        f"({bundle.stat().st_size / 1e6:,.0f} MB)"
    )
    result = measure(bundle, rounds, "synthetic", err.print)
    bundle.unlink()
    return result


# -- main ----------------------------------------------------------------------------------


def ladder(max_entries: int) -> list[int]:
    sizes = [10**3, 10**5, 10**6] if max_entries >= 10**6 else [10**3, 10**4, 10**5]
    return [s for s in sizes if s <= max_entries] or [max_entries]


@contextlib.contextmanager
def database(path: str | None) -> Iterator[tuple[Path, Path]]:
    if path is not None:
        p = Path(path).resolve()
        p.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="bench-log-"))
        yield p, work
        return
    with tempfile.TemporaryDirectory(prefix="bench-log-") as tmp:
        yield Path(tmp) / "log.sqlite3", Path(tmp)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--max-entries", type=int, default=10**6)
    parser.add_argument("--db", help="SQLite file to grow (or reuse) and keep")
    parser.add_argument("--proofs", type=int, default=1000, help="proofs sampled per size")
    parser.add_argument("--lag-rate", type=float, default=200.0)
    parser.add_argument("--lag-seconds", type=float, default=20.0)
    parser.add_argument("--interval", type=float, default=0.5, help="publisher interval (s)")
    parser.add_argument("--verify-rounds", type=int, default=3)
    parser.add_argument(
        "--verifier-only", action="store_true", help="grow the log, then only the verifier"
    )
    parser.add_argument(
        "--synthetic",
        type=int,
        metavar="N",
        help="only the verifier, on a synthetic bundle of N entries (no database)",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    out = Console()
    started = now_utc()
    version = code_version(*LOG_PATH, label="tlog, storage, export and verify")
    err.print(f"Started {started}, ledger at {version}, load {load_average()}")
    if args.synthetic is not None or args.verifier_only:
        with database(args.db) as (path, work):
            if args.synthetic is not None:
                err.print(f"Verifier on a synthetic bundle of {args.synthetic:,} entries")
                verified = measure_synthetic(args.synthetic, work, args.verify_rounds)
            else:
                log = open_log(path)
                try:
                    err.print(f"Growing the log to {args.max_entries:,} entries")
                    grow(log, args.max_entries)
                    verified = measure_verifier(log, work, args.verify_rounds)
                finally:
                    log.app.close()
        report_verifier(out, args, started, version, describe_machine().rows(), verified)
        return 0
    sizes = ladder(args.max_entries)
    rng = random.Random(6962)
    rows: list[ProofRow] = []
    builds: list[tuple[int, float, float]] = []
    with database(args.db) as (path, work):
        log = open_log(path)
        try:
            for size in sizes:
                err.print(f"Growing the log to {size:,} entries")
                grew = grow(log, size)
                t = time.perf_counter()
                integrated = log.tlog.integrate()
                builds.append((size, grew, time.perf_counter() - t))
                err.print(f"  integrated {integrated:,} leaves; sampling {args.proofs} proofs")
                sample_proofs(log.tlog, size, 50, rng)  # warm-up
                rows.append(
                    ProofRow(size, "as grown", sample_proofs(log.tlog, size, args.proofs, rng))
                )
            err.print("Proofs at every size, side by side in the full tree")
            side: dict[int, list[float]] = {s: [] for s in sizes}
            for _ in range(args.proofs):
                for s in sizes:
                    side[s].extend(sample_proofs(log.tlog, s, 1, rng))
            rows.extend(ProofRow(s, "side by side", side[s]) for s in sizes)

            err.print(
                f"Integration lag: {args.lag_rate:.0f} appends/s for {args.lag_seconds:.0f} s, "
                f"publisher every {args.interval} s"
            )
            load_before_lag = load_average()
            lag = measure_lag(log, args.lag_rate, args.lag_seconds, args.interval)

            err.print("Verifier rate over SHA-256 of the same entry bytes")
            verified = measure_verifier(log, work, args.verify_rounds)
            final_size = log.app.ledger.tree_size()
        finally:
            log.app.close()
    machine = describe_machine()
    report(
        out,
        args,
        started,
        version,
        machine.rows(),
        builds,
        rows,
        lag,
        load_before_lag,
        verified,
        final_size,
        sizes,
    )
    return 0


def verify_json(verified: VerifyResult) -> dict[str, object]:
    return {
        "source": verified.source,
        "entries": verified.entries,
        "bundle_bytes": verified.bundle_bytes,
        "entry_bytes": verified.entry_bytes,
        "verify_rates": verified.verify_rates,
        "sha_rates": verified.sha_rates,
        "ratio": verified.ratio,
        "max_rss_bytes": verified.max_rss_bytes,
    }


def verifier_table(verified: VerifyResult) -> Table:
    t = Table(
        title="Verifier (lapor-verify bundle, binary bundle, child process) full-log rate "
        "over raw SHA-256 of the same entry bytes"
    )
    for c in (
        "bundle",
        "entries",
        "bundle MB",
        "entry MB",
        "verify entries/s",
        "sha256 entries/s",
        "ratio",
        "rounds",
        "target",
        "peak RSS MiB",
        "target",
        "result",
    ):
        t.add_column(c, justify="right")
    verdict = verified.ratio >= VERIFY_TARGET and verified.max_rss_bytes < RSS_TARGET_BYTES
    t.add_row(
        verified.source,
        f"{verified.entries:,}",
        f"{verified.bundle_bytes / 1e6:,.0f}",
        f"{verified.entry_bytes / 1e6:,.0f}",
        f"{statistics.median(verified.verify_rates):,.0f}",
        f"{statistics.median(verified.sha_rates):,.0f}",
        f"{verified.ratio:.3f}",
        " ".join(f"{r:.3f}" for r in verified.ratios),
        f">= {VERIFY_TARGET}",
        f"{verified.max_rss_bytes / 2**20:,.0f}",
        f"< {RSS_TARGET_BYTES // 10**6} MB",
        "pass" if verdict else "FAIL",
    )
    return t


def report_verifier(
    out: Console,
    args: argparse.Namespace,
    started: str,
    version: str,
    machine: list[tuple[str, str]],
    verified: VerifyResult,
) -> None:
    if args.json:
        data = {"started": started, "code": version, "machine": dict(machine)}
        print(json.dumps({**data, "verify": verify_json(verified)}, indent=2))
        return
    out.print(f"Transparency log benchmark (verifier only), started {started}, code {version}")
    t = Table(title="Machine")
    t.add_column("")
    t.add_column("")
    for k, v in machine:
        t.add_row(k, v)
    out.print(t)
    out.print(verifier_table(verified))
    out.print(f"Finished {now_utc()}, load average {load_average()}.")


def report(
    out: Console,
    args: argparse.Namespace,
    started: str,
    version: str,
    machine: list[tuple[str, str]],
    builds: list[tuple[int, float, float]],
    rows: list[ProofRow],
    lag: LagResult,
    load_before_lag: str,
    verified: VerifyResult,
    final_size: int,
    sizes: list[int],
) -> None:
    big = sizes[-1]
    side = {r.size: r for r in rows if r.when == "side by side"}
    small = side[sizes[0]]
    growth = side[big].p50 / small.p50
    log_growth = math.log2(big) / math.log2(sizes[0])
    proof_pass = side[big].p99 < PROOF_P99_TARGET_MS
    growth_pass = growth <= 2 * log_growth
    lag_p99 = percentile(lag.lags_s, 99)
    lag_pass = lag_p99 < LAG_P99_TARGET_S and lag.missed == 0 and lag.rate >= 0.95 * args.lag_rate
    verify_pass = verified.ratio >= VERIFY_TARGET and verified.max_rss_bytes < RSS_TARGET_BYTES
    if args.json:
        print(
            json.dumps(
                {
                    "started": started,
                    "code": version,
                    "machine": dict(machine),
                    "proofs": [
                        {
                            "size": r.size,
                            "when": r.when,
                            "p50_ms": r.p50,
                            "p99_ms": r.p99,
                            "n": len(r.times_ms),
                        }
                        for r in rows
                    ],
                    "lag": {
                        "appends": lag.appends,
                        "rate": lag.rate,
                        "p50_s": percentile(lag.lags_s, 50),
                        "p99_s": lag_p99,
                        "max_s": max(lag.lags_s),
                        "missed": lag.missed,
                    },
                    "verify": verify_json(verified),
                },
                indent=2,
            )
        )
        return
    out.print(f"Transparency log benchmark, started {started}, code {version}")
    t = Table(title="Machine")
    t.add_column("")
    t.add_column("")
    for k, v in machine:
        t.add_row(k, v)
    out.print(t)
    t = Table(title="Growing the log (run_demo on SQLite, then integrate)")
    for c in ("size", "append s", "integrate s"):
        t.add_column(c, justify="right")
    for size, grew, integ in builds:
        t.add_row(f"{size:,}", f"{grew:.1f}", f"{integ:.2f}")
    out.print(t)
    t = Table(title="Inclusion-proof generation (TransparencyLog.inclusion_proof), ms")
    for c in ("tree size", "sampled", "n", "p50", "p99", "p99 target", "result"):
        t.add_column(c, justify="right")
    for r in rows:
        target = r.size == big
        res = ("pass" if r.p99 < PROOF_P99_TARGET_MS else "FAIL") if target else ""
        t.add_row(
            f"{r.size:,}",
            r.when,
            str(len(r.times_ms)),
            f"{r.p50:.3f}",
            f"{r.p99:.3f}",
            f"< {PROOF_P99_TARGET_MS:.0f}" if target else "",
            res,
        )
    out.print(t)
    out.print(
        f"Growth, side by side: p50 at {big:,} / p50 at {sizes[0]:,} = {growth:.2f}; "
        f"log2 ratio = {log_growth:.2f}; linear ratio = {big / sizes[0]:,.0f} -> "
        f"{'logarithmic (pass)' if growth_pass else 'worse than logarithmic (FAIL)'}"
    )
    t = Table(
        title=f"Integration lag behind {args.lag_rate:.0f} appends/s "
        f"(publisher every {args.interval} s), log at ~{final_size:,} entries"
    )
    for c in (
        "appends",
        "achieved/s",
        "p50 s",
        "p99 s",
        "max s",
        "not covered",
        "target",
        "result",
    ):
        t.add_column(c, justify="right")
    t.add_row(
        f"{lag.appends:,}",
        f"{lag.rate:.1f}",
        f"{percentile(lag.lags_s, 50):.3f}",
        f"{lag_p99:.3f}",
        f"{max(lag.lags_s):.3f}",
        str(lag.missed),
        f"p99 < {LAG_P99_TARGET_S:.0f}",
        "pass" if lag_pass else "FAIL",
    )
    out.print(t)
    out.print(f"Load average before the lag phase: {load_before_lag}")
    out.print(verifier_table(verified))
    verdicts = {
        f"proof p99 < {PROOF_P99_TARGET_MS:.0f} ms at {big:,}": proof_pass,
        "proof growth logarithmic": growth_pass,
        f"lag p99 < {LAG_P99_TARGET_S:.0f} s": lag_pass,
        f"verifier ratio >= {VERIFY_TARGET}, peak RSS < 200 MB": verify_pass,
    }
    out.print(
        "Targets: " + "; ".join(f"{k}: {'pass' if v else 'FAIL'}" for k, v in verdicts.items())
    )
    out.print(f"Finished {now_utc()}, load average {load_average()}.")


if __name__ == "__main__":
    sys.exit(main())
