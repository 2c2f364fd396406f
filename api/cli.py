"""`lapor-ledger`: the operator command line (a Flask CLI group; the factory registers commands)."""

from __future__ import annotations

import gzip
import importlib
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import IO, cast

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from api.extension import holder, ledger
from ledger.export import BundleFormat, write_signed_bundle
from ledger.integrity.entry import EntryEncodingError
from ledger.tlog import TlogError

err = Console(stderr=True)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=False,
    )


@click.command("export")
@click.option(
    "-o",
    "--output",
    default="-",
    show_default=True,
    help="Bundle file to write, or - for standard output. A name ending in .gz is gzip-compressed.",
)
@click.option(
    "--format",
    "bundle_format",
    type=click.Choice(["binary", "jsonl"]),
    default="binary",
    show_default=True,
    help="binary: format 2, the exact entry bytes (fast to verify); jsonl: format 1, JSON Lines.",
)
@with_appcontext
def export_command(output: str, bundle_format: BundleFormat) -> None:
    """Export the ledger as a bundle that `lapor-verify bundle` checks.

    The bundle (docs/bundle-format.md) holds every entry with its hashes and the stored
    payload exactly as stored: sealed fields stay ciphertext, so no key is needed to verify.
    New entries are integrated and signed first; the bundle then ends exactly at the latest
    signed checkpoint and carries it (and the latest witnessed one) with its cosignatures.
    """
    app_ledger = ledger().ledger
    try:
        app_tlog = holder().tlog
    except TlogError as e:  # unusable log keys or witness settings
        raise click.ClickException(str(e)) from None
    stream: IO[bytes]
    if output == "-":
        stream = sys.stdout.buffer
    elif output.endswith(".gz"):
        stream = cast(IO[bytes], gzip.open(output, "wb"))  # noqa: SIM115
    else:
        stream = open(output, "wb")  # noqa: SIM115
    try:
        with _progress() as bar:
            task = bar.add_task("exporting", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            latest = write_signed_bundle(
                app_ledger, app_tlog, stream, bundle_format=bundle_format, progress=progress
            )
    except (TlogError, EntryEncodingError) as e:
        raise click.ClickException(str(e)) from None
    finally:
        if stream is sys.stdout.buffer:
            stream.flush()
        else:
            stream.close()
    where = "standard output" if output == "-" else output
    err.print(
        f"exported {latest.tree_size} entries of log {app_ledger.origin} to {where} "
        f"({bundle_format}), up to the checkpoint signed at size {latest.tree_size}"
    )


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--workers",
    default=None,
    type=int,
    help=(
        "Worker processes (default: 1 on SQLite, which serves one writing process; "
        "one per core on PostgreSQL)."
    ),
)
@click.option("--threads", default=8, show_default=True, type=int, help="Threads per worker.")
@with_appcontext
def serve_command(host: str, port: int, workers: int | None, threads: int) -> None:
    """Run the HTTP service under gunicorn on the configured database.

    A worker is one Python process: its threads share one core (the GIL) while they run
    Python, and wait on the database side by side. The database runs on the same cores, so
    more processes than cores only add switching and smaller commit groups (docs/deploy.md).
    Without LEDGER_POOL_SIZE each worker keeps one database connection per thread.
    """
    settings = holder().settings
    if workers is None:
        workers = 1 if settings.database.scheme == "sqlite" else max(1, os.cpu_count() or 1)
    if settings.database.scheme == "sqlite" and workers > 1:
        raise click.UsageError("SQLite serves one writing process: use --workers 1 or PostgreSQL")
    os.environ.setdefault("LEDGER_POOL_SIZE", str(threads))  # no thread waits for a connection
    holder().usecases  # noqa: B018 - create tables, keys and salt before forking workers
    holder().tlog  # noqa: B018 - and the log's tables and signing key, once
    holder().projections  # noqa: B018 - and the projections' views
    holder().close()
    # The schema exists now: workers only check it. DDL in workers that start while others
    # already append would take locks against those appends (and deadlock on PostgreSQL).
    os.environ["LEDGER_CREATE_TABLES"] = "false"
    base = f"http://{host}:{port}"
    cli = Path(sys.executable).with_name("lapor-ledger")
    for line in (  # plain lines, never wrapped: they are meant to be copied
        f"LAPOR! audit ledger on {settings.database.redacted()}",
        f"listening on {base}  (docs: {base}/docs, OpenAPI: {base}/openapi.json)",
        "first token, in another terminal (it is shown once; keep it):",
        f"  TOKEN=$({cli} tokens create --role admin_national --agency kemenpanrb)",
        f'  curl -s -H "Authorization: Bearer $TOKEN" {base}/v1/whoami',
        "then follow the walkthrough in README.md",
    ):
        click.echo(line, err=True)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    args = [
        str(gunicorn),
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--access-logfile",
        "-",
        "api:create_app()",
    ]
    os.execv(args[0], args)  # noqa: S606 - replace this process by gunicorn, no shell


# Modules whose commands the factory registers; each lists them in `commands`
# (or, failing that, every module-level click command is taken).
COMMAND_MODULES: tuple[str, ...] = (
    "api.demo_command",
    "api.tokens_command",
    "api.tlog_commands",
    "api.projection_commands",
    "api.load_command",
    "api.erasure_command",
)


def _commands_of(module: ModuleType) -> list[click.Command]:
    listed = getattr(module, "commands", None)
    if listed is not None:
        return list(listed)
    found = [
        value
        for name, value in vars(module).items()
        if isinstance(value, click.Command) and not name.startswith("_")
    ]
    nested = {id(sub) for g in found if isinstance(g, click.Group) for sub in g.commands.values()}
    return [command for command in found if id(command) not in nested]


def register_commands(app: Flask, modules: Iterable[str] = ()) -> None:
    """Register the operator commands on the app's CLI group, plus those of `modules`."""
    for command in (export_command, serve_command):
        app.cli.add_command(command)
    for name in (*COMMAND_MODULES, *modules):
        for command in _commands_of(importlib.import_module(name)):
            app.cli.add_command(command)


def _create_app() -> Flask:
    from api import create_app

    return create_app()


main = FlaskGroup(
    name="lapor-ledger",
    create_app=_create_app,
    add_default_commands=False,
    add_version_option=False,
    load_dotenv=False,
    help=(
        "Operate the LAPOR! audit ledger: serve the API, issue tokens, load demo data, "
        "export bundles.\n\n"
        "The database is chosen by LEDGER_DATABASE_URL (default sqlite:///var/ledger.sqlite3; "
        "postgresql://user@host/db in production)."
    ),
)
main = click.version_option(package_name="lapor-ledger", prog_name="lapor-ledger")(main)
for _param in main.params:  # Flask's own options still work; operators need none of them
    if isinstance(_param, click.Option) and _param.name in ("app", "env_file", "debug"):
        _param.hidden = True
