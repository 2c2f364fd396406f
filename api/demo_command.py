"""`lapor-ledger demo`: load a realistic synthetic history into the configured database."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from api.extension import ledger
from ledger.demo import run_demo

err = Console(stderr=True)


@click.command("demo")
@click.option(
    "--reports",
    default=1000,
    show_default=True,
    type=click.IntRange(1),
    help="How many reports to create, each with its whole handling history.",
)
@click.option(
    "--seed",
    default=1708,
    show_default=True,
    type=int,
    help="Random seed: the same seed on an empty database gives the same histories.",
)
@click.option(
    "--days",
    default=120,
    show_default=True,
    type=click.IntRange(1),
    help="Submissions are spread over this many days from 5 January 2026.",
)
@with_appcontext
def demo_command(reports: int, seed: int, days: int) -> None:
    """Write synthetic report histories: the four classifications, three privacy levels,
    about 2 % WBS, dispositions with chains of "bukan wewenang" (not our authority) returns,
    follow-ups (tindak lanjut), reporter responses, completions and a few erasures."""
    app = ledger()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
    ) as bar:
        task = bar.add_task("writing events", total=None)
        result = run_demo(
            app,
            reports=reports,
            seed=seed,
            days=days,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    table = Table(title=f"demo data written to {app.settings.database.redacted()}")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("reports", str(result.reports))
    table.add_row("events", str(result.events))
    for name, count in sorted(result.by_classification.items()):
        table.add_row(f"classification {name}", str(count))
    for name, count in sorted(result.by_privacy.items()):
        table.add_row(f"privacy {name}", str(count))
    for name, count in sorted(result.by_state.items()):
        table.add_row(f"state {name}", str(count))
    table.add_row("erasures", str(result.erased))
    table.add_row("log size", str(app.ledger.tree_size()))
    err.print(table)
