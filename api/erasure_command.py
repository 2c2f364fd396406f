"""`lapor-ledger erasures`: find and finish erasures whose data key survived a crash."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from api.extension import ledger
from ledger.erasure import finish_erasures, pending_erasures

err = Console(stderr=True)


@click.group("erasures")
def erasures_group() -> None:
    """Erasures of personal data (UU 27/2022): find and finish interrupted ones.

    Recording an erasure event destroys the report's data key right after the commit. If the
    process stopped in between, the event is in the log but the wrapped key is still stored;
    `pending` lists such reports and `finish` destroys their keys. Both read the whole log.
    """


def _run(finish: bool) -> list[str]:
    app = ledger()
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err
    ) as bar:
        task = bar.add_task("reading the log", total=app.ledger.tree_size())
        step = lambda n: bar.advance(task, n)  # noqa: E731
        found = finish_erasures(app, step) if finish else pending_erasures(app, step)
    return [str(rid) for rid in found]


@erasures_group.command("pending")
@with_appcontext
def pending_command() -> None:
    """List reports whose erasure is recorded but whose data key is still stored (one id a line)."""
    found = _run(finish=False)
    for rid in found:
        click.echo(rid)
    err.print(f"{len(found)} erasure(s) pending")


@erasures_group.command("finish")
@with_appcontext
def finish_command() -> None:
    """Destroy the data key of every report whose erasure is recorded (safe to repeat)."""
    found = _run(finish=True)
    for rid in found:
        click.echo(rid)
    err.print(f"{len(found)} data key(s) destroyed now")


commands = [erasures_group]
