"""A year of LAPOR! in one run: ingest, export, verify and rebuild on PostgreSQL, extrapolated.

On a fresh PostgreSQL schema, each step in its own child process (its wall time and peak
resident memory measured on its own):

1. generator only: plan the reports with the national profile (`ledger.load`) and apply every
   step to in-memory reports, without storage: what the load generator itself costs;
2. ingest: plan again and play the schedule flat out through the library
   (`ledger.load.library.run_library`: `save_each`, group commit) with `--threads` writers;
3. export: `lapor-ledger export -o FILE` (integrates, signs, writes the whole log);
4. verify: `lapor-verify bundle FILE --json`;
5. rebuild: `lapor-ledger projections rebuild` (every projection emptied and replayed).

After each step the schema's tables are measured with `pg_total_relation_size`. The summary
gives per step the time, events/s, peak RSS and disk per event, then the extrapolation to a
year of `--year-events` (30 M) events: hours per step, disk per year, and the measured rate
against the year's average and its Lebaran and disaster peak hours.

    .venv/bin/python bench/national_year.py                  # 10^6 events, 20-40 minutes
    .venv/bin/python bench/national_year.py --events 20000   # a smoke run, about a minute
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import code_version, describe_machine, load_average, now_utc, postgres_base_url
from national_figures import (
    details_table,
    disk_table,
    disk_usage,
    extrapolation_table,
    fresh_schema,
    machine_table,
    peak_rates,
    peaks_table,
    steps_table,
)
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ORIGIN = "bench.lapor.go.id/national-year"
YEAR_EVENTS = 30_000_000
err = Console(stderr=True)


@dataclass
class Step:
    """What one step's child process did."""

    name: str
    seconds: float = 0.0  # the step's own work (the ingest: playing, not planning)
    wall_s: float = 0.0  # the child process, start to exit
    events: int = 0
    peak_rss_mb: float = 0.0
    exit_code: int = 0
    result: dict[str, Any] = field(default_factory=dict)
    disk_bytes: int | None = None  # the schema's tables after the step

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


def run_child(
    name: str,
    cmd: list[str],
    env: dict[str, str],
    bar: Progress,
    *,
    watch: Callable[[], str] | None = None,
) -> Step:
    """Run one step as a child; read its JSON lines; time it and take its peak RSS (wait4)."""
    task = bar.add_task(name, total=None)
    with tempfile.TemporaryFile() as errors:
        began = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=errors)
        assert proc.stdout is not None
        lines: list[dict[str, Any]] = []
        text = b""
        os.set_blocking(proc.stdout.fileno(), False)
        buffer = b""
        while True:
            chunk = proc.stdout.read()
            if chunk:
                buffer += chunk
                text += chunk
                *whole, buffer = buffer.split(b"\n")
                for raw in whole:
                    line = _json_line(raw)
                    if line is None:
                        continue
                    lines.append(line)
                    if "progress" in line:
                        bar.update(task, completed=line["progress"], total=line["total"])
            elif chunk == b"":  # end of file: the child closed its stdout
                break
            if watch is not None:
                bar.update(task, description=f"{name} {watch()}")
            time.sleep(0.2)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - began
        proc.returncode = os.waitstatus_to_exitcode(status)
        bar.update(task, description=f"{name} done", total=1, completed=1)
        step = Step(name, seconds, seconds, peak_rss_mb=usage.ru_maxrss / 1024)
        step.exit_code = proc.returncode
        results = [line["result"] for line in lines if "result" in line]
        step.result = results[-1] if results else (_json_line(text) or {})
        if proc.returncode != 0:
            errors.seek(0)
            tail = errors.read().decode("utf-8", "replace")[-3000:]
            err.print(f"[red]{name} exited with {proc.returncode}[/red]\n{tail}")
    return step


def _json_line(raw: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def child_cmd(kind: str, args: argparse.Namespace, reports: int) -> list[str]:
    return [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        kind,
        "--reports",
        str(reports),
        "--threads",
        str(args.threads),
        "--seed",
        str(args.seed),
        "--agencies",
        str(args.agencies),
        "--max-batch",
        str(args.max_batch),
    ]


def run_year(args: argparse.Namespace, out: Console) -> dict[str, Any]:
    """Every step on one fresh schema; returns the figures."""
    from national_child import national_stamper, reports_for

    base = postgres_base_url()
    machine = describe_machine(base)
    started, version = now_utc(), code_version()
    reports, per_report = reports_for(args.events, args.seed, args.agencies)
    err.print(
        f"Started {started}, code {version}; {reports:,} reports planned "
        f"(~{per_report:.2f} events each) for at least {args.events:,} events"
    )
    loads = {"start": load_average()}
    steps: list[Step] = []
    keep_dir = Path(tempfile.mkdtemp(prefix="national-year-"))
    with fresh_schema(base, keep=args.keep) as (url, schema):
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
        env |= {
            "LEDGER_DATABASE_URL": url,
            "LEDGER_KEY_DIR": str(keep_dir / "keys"),
            "LEDGER_LOG_ORIGIN": ORIGIN,
            "LEDGER_PROJECTIONS_FOLLOWER": "off",
            "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        }
        if args.agencies:  # every step, the rebuild included, knows the synthetic agencies
            registry = keep_dir / "agencies.json"
            registry.write_text(national_stamper(args.agencies).registry.to_json(), "utf-8")
            env["LEDGER_AGENCY_REGISTRY"] = str(registry)
        bundle = keep_dir / "year.bundle"
        columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
        with Progress(*columns, TextColumn("{task.completed:,.0f}"), console=err) as bar:
            gen = run_child("generator only", child_cmd("generate", args, reports), env, bar)
            gen.events = int(gen.result.get("events", 0))
            gen.seconds = float(gen.result.get("seconds", gen.wall_s))
            steps.append(gen)
            ingest = run_child("ingest", child_cmd("ingest", args, reports), env, bar)
            ingest.events = int(ingest.result.get("events", 0))
            ingest.seconds = float(ingest.result.get("play_s", ingest.wall_s))
            steps.append(ingest)
            loads["after ingest"] = load_average()
            ingest.disk_bytes = disk_usage(base, schema).total
            events = ingest.events
            export = run_child(
                "export",
                [str(BIN / "lapor-ledger"), "export", "-o", str(bundle)],
                env,
                bar,
                watch=lambda: f"{_size_mb(bundle):,.0f} MB",
            )
            export.events = events
            steps.append(export)
            export.disk_bytes = disk_usage(base, schema).total
            verify = run_child(
                "verify",
                [str(BIN / "lapor-verify"), "bundle", str(bundle), "--json"],
                env,
                bar,
            )
            verify.events = events
            steps.append(verify)
            loads["after verify"] = load_average()
            rebuild = run_child(
                "rebuild", [str(BIN / "lapor-ledger"), "projections", "rebuild"], env, bar
            )
            rebuild.events = events
            steps.append(rebuild)
            usage = disk_usage(base, schema)
            rebuild.disk_bytes = usage.total
            loads["end"] = load_average()
        bundle_bytes = bundle.stat().st_size if bundle.exists() else 0
        if args.keep:
            err.print(f"Kept schema {schema} and keys, bundle in {keep_dir}")
        else:
            shutil.rmtree(keep_dir, ignore_errors=True)
    figures = {
        "started": started,
        "finished": now_utc(),
        "code": version,
        "machine": machine.as_dict(),
        "load_average": loads,
        "events_wanted": args.events,
        "reports": reports,
        "threads": args.threads,
        "agencies": args.agencies,
        "year_events": args.year_events,
        "bundle_bytes": bundle_bytes,
        "tables": usage.by_group,
        "peaks": peak_rates(args.year_events),
        "steps": [s.__dict__ | {"rate": s.rate} for s in steps],
    }
    print_summary(out, figures, steps, machine.rows())
    return figures


def _size_mb(path: Path) -> float:
    try:
        return path.stat().st_size / 1e6
    except OSError:
        return 0.0


def print_summary(
    out: Console, figures: dict[str, Any], steps: list[Step], machine: list[tuple[str, str]]
) -> None:
    out.print(machine_table(machine, figures))
    out.print(steps_table(steps, figures))
    out.print(details_table(figures))
    out.print(extrapolation_table(steps, figures))
    out.print(disk_table(figures, max((s.events for s in steps), default=0)))
    out.print(peaks_table(figures))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="at least this many")
    parser.add_argument("--threads", type=int, default=8, help="library writers (save_each)")
    parser.add_argument("--seed", type=int, default=1708)
    parser.add_argument(
        "--agencies",
        type=int,
        default=0,
        help="grow the registry with synthetic agencies up to N (0: the sample registry); "
        "every step, the projections' rebuild included, reads the grown registry through "
        "LEDGER_AGENCY_REGISTRY",
    )
    parser.add_argument("--max-batch", type=int, default=50, help="steps per save_each call")
    parser.add_argument("--year-events", type=int, default=YEAR_EVENTS)
    parser.add_argument("--keep", action="store_true", help="keep the schema, keys and bundle")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    parser.add_argument("--child", choices=["generate", "ingest"], help=argparse.SUPPRESS)
    parser.add_argument("--reports", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        from national_child import child_main

        return child_main(args)
    out = Console(width=160)
    figures = run_year(args, out)
    if args.json:
        print(json.dumps(figures, indent=2, default=str))
    failed = [s for s in figures["steps"] if s["exit_code"] != 0]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
