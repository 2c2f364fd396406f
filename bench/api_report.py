"""The tables of `bench/api.py`: rounds, CPU per append by component, summary and ratio."""

from __future__ import annotations

import argparse
import math
import statistics
from dataclasses import dataclass, field

from common import load_average, now_utc
from rich.console import Console
from rich.table import Table

RATE_TARGET = 250.0
P99_TARGET_MS = 100.0
CPU_COMPONENTS = ("server", "postgres", "bench", "machine")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[k]


@dataclass
class Round:
    side: str
    appends: int
    seconds: float
    latencies_ms: list[float]
    errors: int
    load: str
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by component

    def cpu_ms(self, component: str) -> float:
        """CPU milliseconds per append of one component (nan if not measured)."""
        if component not in self.cpu or not self.appends:
            return float("nan")
        return self.cpu[component] / self.appends * 1000

    @property
    def rate(self) -> float:
        return self.appends / self.seconds

    @property
    def p50(self) -> float:
        return percentile(self.latencies_ms, 50)

    @property
    def p99(self) -> float:
        return percentile(self.latencies_ms, 99)


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
    cpu_table(out, rounds)
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


def cpu_table(out: Console, rounds: list[Round]) -> None:
    """CPU milliseconds per append of each component, round by round."""
    t = Table(title="CPU ms per append, by component")
    t.add_column("side", justify="right")
    for c in CPU_COMPONENTS:
        t.add_column(c, justify="right")
    for r in rounds:
        t.add_row(r.side, *(_ms(r.cpu_ms(c)) for c in CPU_COMPONENTS))
    out.print(t)
    out.print(
        "server: gunicorn's workers; postgres: every PostgreSQL process; bench: this process "
        "(the HTTP clients, or the library side's own work); machine: everything that ran"
    )


def _ms(value: float) -> str:
    return "" if math.isnan(value) else f"{value:.2f}"
