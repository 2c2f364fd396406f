"""The `lapor-verify` command: check LAPOR! ledger exports without trusting the operator.

Exit codes: 0 every check passed; 1 verification failed (forged or damaged input);
2 malformed input or a usage error. `--json` prints one JSON object on stdout instead of text.
The checks themselves live in the library modules; this module only parses options, shows
progress (rich, on stderr, only for large inputs on a terminal) and prints results.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, NoReturn

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TimeRemainingColumn
from rich.progress import Progress as ProgressBar

from verify.bundle import BundleSummary, verify_bundle, verify_bundle_signatures
from verify.errors import BundleVerificationFailed, MalformedInput, VerificationFailed
from verify.note import parse_vkey

EXIT_OK, EXIT_FAILED, EXIT_MALFORMED = 0, 1, 2
PROGRESS_MIN_ENTRIES = 10_000
EXIT_CODES_HELP = (
    "Exit codes: 0 = every check passed; 1 = verification failed (forged or damaged); "
    "2 = malformed input or wrong usage."
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES_HELP)
def main() -> None:
    """Verify a LAPOR! audit ledger independently of its operator.

    Needs no decryption key and no access to the operator's systems: sealed content is
    verified as the ciphertext that the hashes cover. More commands (report, receipt,
    witness, log) share the same exit codes and --json conventions.
    """


@main.command(epilog=EXIT_CODES_HELP)
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True, exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.option(
    "--max-failures",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="List at most this many failures (all are counted).",
)
@click.option(
    "--log-key",
    "log_keys",
    multiple=True,
    metavar="VKEY",
    help="Trusted log verifier key (name+hexid+base64); repeatable. Adds check 7: every "
    "checkpoint must be signed by one of these keys.",
)
def bundle(path: str, as_json: bool, max_failures: int, log_keys: tuple[str, ...]) -> None:
    """Verify an export bundle written by `lapor-ledger export`.

    PATH is the bundle (JSON Lines, gzip recognised by its magic bytes), or - for stdin.
    Checks, numbered as in docs/verify.md: 1 well-formed bundle; 2 every entry hash;
    3 leaf indexes 0..n-1 without gap; 4 every report's hash chain; 5 no stored event
    without a ledger entry; 6 checkpoint roots against the entries; 7 (with --log-key)
    checkpoint signatures by trusted log keys.
    """
    try:
        keys = [parse_vkey(vkey) for vkey in log_keys]
        with _opener(path) as opener, _progress(enabled=not as_json) as progress:
            summary = verify_bundle(opener, max_failures=max_failures, progress=progress)
        signers = verify_bundle_signatures(summary, keys) if keys else ()
    except MalformedInput as exc:
        _finish("malformed", path, exc.to_dict(), as_json, EXIT_MALFORMED, [exc.message])
    except VerificationFailed as exc:
        _finish("fail", path, exc.to_dict(), as_json, EXIT_FAILED, _failure_lines(exc))
    names = sorted({sig.name for signed in signers for sig in signed.signatures})
    data = {
        **summary.to_dict(),
        "checkpoint_signatures": "verified" if signers else "unchecked",
        "log_signers": names,
    }
    verdict = f"verified ({', '.join(names)})" if signers else "not checked (give --log-key)"
    _finish("pass", path, data, as_json, EXIT_OK, _summary_lines(summary, verdict))


def _finish(
    result: str, path: str, data: dict[str, object], as_json: bool, code: int, lines: list[str]
) -> NoReturn:
    if as_json:
        click.echo(json.dumps({"result": result, "input": path, **data}, indent=2))
    else:
        colour = {"pass": "green", "fail": "red"}.get(result, "yellow")
        click.secho(f"{result.upper()}: {path}", fg=colour, bold=True)
        for line in lines:
            click.echo(f"  {line}")
    click.get_current_context().exit(code)


def _summary_lines(summary: BundleSummary, signed: str) -> list[str]:
    return [
        f"entries verified: {summary.entries} (origin {summary.origin})",
        f"streams (reports) verified: {summary.streams}",
        f"events verified: {summary.events}; unlinked events: {summary.unlinked}",
        f"Merkle root at size {summary.entries}: {summary.root_hex}",
        f"checkpoints matching the entries: {summary.checkpoints_checked}; signatures {signed}",
    ]


def _failure_lines(exc: VerificationFailed) -> list[str]:
    if not isinstance(exc, BundleVerificationFailed):
        return [f"[check {exc.check}] {exc.message}" if exc.check else exc.message]
    lines = [
        f"{exc.total_failures} failure(s) in {exc.entries} entries and {exc.streams} streams",
        *(f"[check {failure.check}] {failure.message}" for failure in exc.failures),
    ]
    if exc.total_failures > len(exc.failures):
        lines.append(f"... {exc.total_failures - len(exc.failures)} more (see --max-failures)")
    return lines


@contextmanager
def _opener(path: str) -> Iterator[Callable[[], IO[bytes]]]:
    """Yield a function opening the bundle; stdin is spooled to a temporary file first."""
    if path != "-":
        yield _file_opener(Path(path))
        return
    with tempfile.TemporaryDirectory(prefix="lapor-verify-") as folder:
        spooled = Path(folder) / "bundle"
        stdin = sys.stdin.buffer
        with spooled.open("wb") as copy:
            while chunk := stdin.read(1 << 20):
                copy.write(chunk)
        yield _file_opener(spooled)


def _file_opener(path: Path) -> Callable[[], IO[bytes]]:
    def open_bundle() -> IO[bytes]:
        return path.open("rb")  # verify_bundle closes what it opens

    return open_bundle


@contextmanager
def _progress(*, enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """Yield a progress callback drawing a bar on stderr, or None where no bar belongs."""
    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield None
        return
    columns = (*ProgressBar.get_default_columns()[:1], BarColumn(), MofNCompleteColumn())
    with ProgressBar(*columns, TimeRemainingColumn(), console=console, transient=True) as bar:
        task = bar.add_task("verifying entries", total=None, visible=False)

        def update(done: int, total: int) -> None:
            if total >= PROGRESS_MIN_ENTRIES:
                bar.update(task, completed=done, total=total, visible=True)

        yield update
