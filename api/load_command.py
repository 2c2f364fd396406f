"""`lapor-ledger load`: a national load profile played against the library or the HTTP API."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.extension import ledger
from ledger.agencies.registry import AgencyRegistry
from ledger.deadlines import DeadlineStamper
from ledger.load.http import run_http
from ledger.load.library import run_library
from ledger.load.profile import load_profile, scaled_registry
from ledger.load.schedule import Schedule, Stats, build_schedule

err = Console(stderr=True)


def _stamper(profile_file: str | None, agencies: int | None) -> DeadlineStamper:
    stamper = DeadlineStamper.load_default()
    if agencies is None:
        return stamper
    registry: AgencyRegistry = scaled_registry(
        load_profile(profile_file), stamper.registry, agencies
    )
    return DeadlineStamper(registry, stamper.book, stamper.overrides)


def _table(stats: Stats, title: str) -> Table:
    table = Table(title=title)
    table.add_column("what")
    table.add_column("value", justify="right")
    s = stats.summary()
    for key in ("events", "reports", "seconds", "events_per_s", "latency_p50_ms"):
        table.add_row(key.replace("_", " "), str(s[key]))
    table.add_row("latency p99 ms", str(s["latency_p99_ms"]))
    table.add_row("conflicts", str(s["conflicts"]))
    table.add_row("errors", str(sum(stats.errors.values())))
    for name, count in sorted(stats.errors.items()):
        table.add_row(f"  error {name}", str(count))
    for name, count in sorted(stats.by_classification.items()):
        table.add_row(f"classification {name}", str(count))
    table.add_row("Lebaran week share", f"{s['lebaran_share']:.1%}")
    table.add_row("disaster share", f"{s['disaster_share']:.1%}")
    return table


@click.command("load")
@click.option(
    "--target",
    type=click.Choice(["library", "http"]),
    default="library",
    show_default=True,
    help="library: write through the ledger on LEDGER_DATABASE_URL (save_each, group commit); "
    "http: call the API at --url.",
)
@click.option("--url", default="http://127.0.0.1:8000", show_default=True, help="API base URL.")
@click.option(
    "--token-file",
    type=click.Path(exists=True, dir_okay=False),
    help='JSON object of bearer tokens by "role:agency" or "role" (e.g. "admin_national", '
    '"liaison:kab-sleman", "reporter"); needed with --target http.',
)
@click.option("--reports", default=200, show_default=True, type=click.IntRange(1),
              help="How many reports to plan, each with its whole handling history.")  # fmt: skip
@click.option("--rate", type=click.FloatRange(min=0.001),
              help="Target events per second on average; the year's curve is kept.")  # fmt: skip
@click.option("--duration", type=click.FloatRange(min=0.001),
              help="Play the planned year in this many seconds (instead of --rate).")  # fmt: skip
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 256),
              help="Concurrent writers (library) or HTTP clients.")  # fmt: skip
@click.option("--seed", default=1708, show_default=True, type=int,
              help="Random seed: the same seed plans the same histories.")  # fmt: skip
@click.option("--profile", "profile_file", type=click.Path(exists=True, dir_okay=False),
              help="Profile JSON (default: the packaged national one, docs/load.md).")  # fmt: skip
@click.option("--agencies", type=click.IntRange(1),
              help="Library only: synthetic agencies by level, up to N (679).")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
@with_appcontext
def load_command(
    target: str,
    url: str,
    token_file: str | None,
    reports: int,
    rate: float | None,
    duration: float | None,
    threads: int,
    seed: int,
    profile_file: str | None,
    agencies: int | None,
    as_json: bool,
) -> None:
    """Play a national SP4N-LAPOR! load: reports arriving over a year (weekdays, working hours,
    a Lebaran week, a disaster spike) with their dispositions, "bukan wewenang" returns,
    follow-ups and completions, compressed in time; then print events/s, latencies and mixes."""
    if rate and duration:
        raise click.UsageError("give --rate or --duration, not both")
    if target == "http" and token_file is None:
        raise click.UsageError("--target http needs --token-file")
    if target == "http" and agencies:
        raise click.UsageError("--agencies is for --target library (the server has its registry)")
    profile = load_profile(profile_file)
    stamper = _stamper(profile_file, agencies)
    with err.status(f"counting the plan of {reports} reports"):
        schedule: Schedule = build_schedule(
            profile, stamper, reports=reports, threads=threads, seed=seed
        )
    seconds = duration or (schedule.events / rate if rate else None)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
    ) as bar:
        task = bar.add_task(f"{target}: events", total=schedule.events)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        if target == "http":
            assert token_file is not None
            tokens = json.loads(Path(token_file).read_text("utf-8"))
            stats = run_http(url, tokens, schedule, seconds=seconds, progress=progress)
            where = url
        else:
            app = ledger()
            stats = run_library(app, schedule, seconds=seconds, progress=progress)
            where = app.settings.database.redacted()
    if as_json:
        click.echo(json.dumps({"target": target, **stats.summary()}, indent=2))
    else:
        err.print(_table(stats, f"load on {where} ({threads} threads, seed {seed})"))
