"""`lapor-ledger projections ...`: rebuild, catch up, follow and inspect the projections."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import click
from flask.cli import with_appcontext
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from api.extension import holder, ledger
from projections.catalogue import NAMES
from projections.follower import caught_up
from projections.parallel import MAX_PARTS, PARALLEL_FROM
from projections.runner import REBUILD_CHUNK, CatchUp, Projections
from projections.timers import TimersBlocked, run_timers
from projections.views import PositionTaken

err = Console(stderr=True)


def _projections() -> Projections:
    return holder().projections


def _report(results: list[CatchUp]) -> None:
    """Print what a run did; exit 1 if a projection stopped at a failing event."""
    failed = False
    for result in results:
        err.print(f"{result.name}: {result.applied} events applied, position {result.position}")
        if result.failure is not None:
            failed = True
            f = result.failure
            err.print(
                f"[red]{result.name} stopped at notification {f.notification_id} "
                f"({f.event_type} of report {f.report_id}): {f.message}[/red]"
            )
    if failed:
        raise SystemExit(1)


def _run_with_bar(
    rebuild: bool, names: list[str] | None, batch_size: int, parts: int | None = None
) -> list[CatchUp]:
    p = _projections()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
    ) as bar:
        tasks = {name: bar.add_task(name, total=None) for name in names or list(p.views)}

        def progress(name: str, position: int, top: int) -> None:
            bar.update(tasks[name], completed=position, total=top)

        if rebuild:
            try:
                return p.rebuild(names, batch_size=batch_size, progress=progress, parts=parts)
            except PositionTaken:  # a serving process applies the replay too: go on with it
                pass
        return caught_up(p, names, batch_size=batch_size, progress=progress)


@click.group("projections")
def projections_group() -> None:
    """Work queues and SLA compliance, built from the log (docs/projections.md)."""


@projections_group.command("rebuild")
@click.argument("name", required=False, type=click.Choice(NAMES))
@click.option(
    "--batch-size",
    default=REBUILD_CHUNK,
    show_default=True,
    type=click.IntRange(1, 1_000_000),
    help="Events per chunk (one transaction per view); larger chunks rebuild faster and hold "
    "more reports in memory.",
)
@click.option(
    "--parts",
    default=None,
    type=click.IntRange(1, 64),
    help="Replay the reports split into this many parts side by side, one process each "
    f"(default: one per CPU, at most {MAX_PARTS}, from {PARALLEL_FROM:,} events; 1: one process). "
    "An interrupted rebuild in parts is finished by the next catch-up.",
)
@with_appcontext
def rebuild_command(name: str | None, batch_size: int, parts: int | None) -> None:
    """Empty a projection (all if NAME is left out) and replay the whole log into it."""
    _report(_run_with_bar(True, [name] if name else None, batch_size, parts))


@projections_group.command("catch-up")
@click.argument("name", required=False, type=click.Choice(NAMES))
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 10_000))
@with_appcontext
def catch_up_command(name: str | None, batch_size: int) -> None:
    """Apply the events a projection has not seen yet, resuming where it stopped."""
    _report(_run_with_bar(False, [name] if name else None, batch_size))


@projections_group.command("status")
@with_appcontext
def status_command() -> None:
    """Position of each projection, its lag behind the log and the error it stopped at (or
    the parts of a rebuild in parts under way)."""
    table = Table(title="projections")
    for column in ("projection", "position", "log max id", "lag", "error"):
        table.add_column(column, justify="right" if column in ("position", "lag") else "left")
    stopped = False
    for s in _projections().status():
        error = ""
        if s.failure is not None:
            stopped = True
            f = s.failure
            error = f"at {f.notification_id} ({f.event_type}, report {f.report_id}): {f.message}"
        elif s.parts:
            at = ", ".join(str(position or 0) for position in s.parts)
            error = (
                f"rebuild in {len(s.parts)} parts under way (parts at {at}); catch-up finishes it"
            )
        table.add_row(s.name, str(s.position), str(s.log_max_id), str(s.lag), error)
    err.print(table)
    if stopped:
        raise SystemExit(1)


@projections_group.command("follow")
@click.option("--interval", default=1.0, show_default=True, type=click.FloatRange(0.05))
@with_appcontext
def follow_command(interval: float) -> None:
    """Keep the projections caught up (polling) until interrupted; stops on a failure."""
    p = _projections()
    while True:
        try:
            results = p.catch_up()
        except PositionTaken:  # a serving process applied that batch: go on after it
            results = []
        if any(r.failure is not None for r in results):
            _report(results)
        time.sleep(interval)


@projections_group.command("timers")
@click.option("--now", "now_text", default=None, help="ISO time to run at (default: now).")
@with_appcontext
def timers_command(now_text: str | None) -> None:
    """Auto-close silent reports and record overdue notices (events in the log)."""
    now = datetime.fromisoformat(now_text) if now_text else datetime.now(UTC)
    if now.tzinfo is None:
        raise click.BadParameter("--now needs a time zone, e.g. 2026-03-01T09:00:00+07:00")
    try:
        actions = run_timers(ledger(), now)
    except TimersBlocked as e:
        err.print(f"[red]timers not run: {e}[/red]")
        raise SystemExit(1) from None
    closed = sum(a.kind == "auto_close" for a in actions)
    err.print(f"{closed} reports auto-closed, {len(actions) - closed} overdue notices recorded")
