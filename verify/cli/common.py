"""What every `lapor-verify` command shares: options, trusted keys, results and exit codes.

Exit codes: 0 every check passed; 1 verification failed (forged, damaged or inconsistent);
2 malformed input, input that could not be fetched, or a usage error. `--json` prints one JSON
object on stdout whose `result` is pass, fail, malformed or unavailable.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from verify.errors import (
    BundleVerificationFailed,
    InputUnavailable,
    MalformedInput,
    VerificationFailed,
)
from verify.note import VerifierKey, parse_vkey
from verify.policy import WitnessPolicy

EXIT_OK, EXIT_FAILED, EXIT_MALFORMED = 0, 1, 2
EXIT_CODES_HELP = (
    "Exit codes: 0 = every check passed; 1 = verification failed (forged, damaged or "
    "inconsistent); 2 = malformed input, input that could not be fetched, or wrong usage."
)
F = TypeVar("F", bound=Callable[..., Any])
Lines = list[str]


def json_option(command: F) -> F:
    """--json: one JSON object on stdout instead of text."""
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")(command)


def log_key_option(*, required: bool) -> Callable[[F], F]:
    """--log-key VKEY, repeatable."""
    return click.option(
        "--log-key",
        "log_keys",
        multiple=True,
        required=required,
        metavar="VKEY",
        help="Trusted log verifier key, <origin>+<hex id>+<base64>; repeatable: give every "
        "key of a rotation (active and retired). Check 7: a checkpoint needs a valid "
        "signature by one of them; lines by other keys are ignored.",
    )


def witness_options(command: F) -> F:
    """--witness-key VKEY (repeatable) and --quorum K: the witness policy, check 8."""
    command = click.option(
        "--quorum",
        type=click.IntRange(min=0),
        default=None,
        metavar="K",
        help="How many distinct witnesses must have cosigned (default: a majority of the "
        "--witness-key names).",
    )(command)
    return click.option(
        "--witness-key",
        "witness_keys",
        multiple=True,
        metavar="VKEY",
        help="Trusted witness key (c2sp.org/tlog-cosignature, type 0x04), repeatable. "
        "Check 8: a checkpoint is accepted only with valid cosignatures by --quorum of "
        "them; a cosignature by one of them that does not verify is a forgery.",
    )(command)


def trusted_keys(
    log_vkeys: tuple[str, ...], witness_vkeys: tuple[str, ...] = (), quorum: int | None = None
) -> tuple[list[VerifierKey], WitnessPolicy]:
    """Parse the trusted keys and the witness policy (MalformedInput if a key is bad)."""
    if quorum is not None and not witness_vkeys:
        raise click.UsageError("--quorum needs at least one --witness-key")
    keys = [parse_vkey(vkey) for vkey in log_vkeys]
    return keys, WitnessPolicy.of([parse_vkey(v) for v in witness_vkeys], quorum)


def read_token(path: str | None) -> str | None:
    """The bearer token in a file (first line, stripped); it is never printed."""
    if path is None:
        return None
    try:
        token = Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise click.UsageError(f"cannot read the token file {path}: {exc}") from None
    if not token or any(c.isspace() for c in token):
        raise click.UsageError(f"the token file {path} must hold one token on one line")
    return token


def checked(
    input_name: str, as_json: bool, run: Callable[[], tuple[dict[str, Any], Lines]]
) -> NoReturn:
    """Run the checks; print the result; exit 0, 1 or 2."""
    try:
        data, lines = run()
    except (MalformedInput, VerificationFailed) as exc:
        fail(exc, input_name, as_json)
    finish("pass", input_name, data, as_json, EXIT_OK, lines)


def fail(exc: MalformedInput | VerificationFailed, input_name: str, as_json: bool) -> NoReturn:
    """Print an error of the verifier's family and exit 1 (failed) or 2 (malformed, unavailable)."""
    if isinstance(exc, VerificationFailed):
        finish("fail", input_name, exc.to_dict(), as_json, EXIT_FAILED, failure_lines(exc))
    result = "unavailable" if isinstance(exc, InputUnavailable) else "malformed"
    finish(result, input_name, exc.to_dict(), as_json, EXIT_MALFORMED, [exc.message])


def finish(
    result: str, input_name: str, data: dict[str, Any], as_json: bool, code: int, lines: Lines
) -> NoReturn:
    """Print the result as text or JSON and exit with `code`."""
    if as_json:
        click.echo(json.dumps({"result": result, "input": input_name, **data}, indent=2))
    else:
        colour = {"pass": "green", "fail": "red"}.get(result, "yellow")
        click.secho(f"{result.upper()}: {input_name}", fg=colour, bold=True)
        for line in lines:
            click.echo(f"  {line}")
    click.get_current_context().exit(code)


def failure_lines(exc: VerificationFailed) -> Lines:
    """A failure, or a list of failures, as text lines."""
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
def progress_bar(
    *, enabled: bool, minimum: int, what: str
) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback drawing a bar on stderr for `minimum` items or more, or None."""
    if not enabled:  # rich is imported only to draw: a --json run starts without it
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TimeRemainingColumn
    from rich.progress import Progress as ProgressBar

    console = Console(stderr=True)
    if not console.is_terminal:
        yield None
        return
    columns = (*ProgressBar.get_default_columns()[:1], BarColumn(), MofNCompleteColumn())
    with ProgressBar(*columns, TimeRemainingColumn(), console=console, transient=True) as bar:
        task = bar.add_task(what, total=None, visible=False)

        def update(done: int, total: int) -> None:
            if total >= minimum:
                bar.update(task, completed=done, total=total, visible=True)

        yield update
