"""`lapor-verify bundle`: checks 1 to 9 over an export bundle."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import click

from verify.bundle import BundleSummary, verify_bundle, verify_bundle_signatures
from verify.bundle_policy import accepted_checkpoints, check_since
from verify.cli import common
from verify.cli.since import SinceFile, since_option
from verify.policy import AcceptedCheckpoint

PROGRESS_MIN_ENTRIES = 10_000


@click.command(epilog=common.EXIT_CODES_HELP)
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True, exists=True))
@common.json_option
@click.option(
    "--max-failures",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="List at most this many failures (all are counted).",
)
@common.log_key_option(required=False)
@common.witness_options
@since_option
def bundle(
    path: str,
    as_json: bool,
    max_failures: int,
    log_keys: tuple[str, ...],
    witness_keys: tuple[str, ...],
    quorum: int | None,
    since: str | None,
) -> None:
    """Verify an export bundle written by `lapor-ledger export`.

    PATH is the bundle (binary or JSON Lines, gzip, each recognised by its first bytes),
    or - for stdin.
    Checks, numbered as in docs/verify.md: 1 well-formed bundle; 2 every entry hash;
    3 leaf indexes 0..n-1 without gap; 4 every report's hash chain; 5 no stored event
    without a ledger entry; 6 checkpoint roots against the entries; 7 (with --log-key)
    checkpoint signatures by trusted log keys; 8 (with --witness-key) the witness policy;
    9 (with --since) consistency with the checkpoint you accepted last time.
    """
    if (witness_keys or since) and not log_keys:
        raise click.UsageError("--witness-key and --since need the trusted --log-key")

    def run() -> tuple[dict[str, Any], common.Lines]:
        keys, policy = common.trusted_keys(log_keys, witness_keys, quorum)
        saved = SinceFile.load(since, keys)
        sizes = [saved.size] if saved.checkpoint else []
        with bundle_opener(path) as opener, entries_progress(as_json) as progress:
            summary = verify_bundle(
                opener, max_failures=max_failures, progress=progress, prefix_sizes=sizes
            )
        if not keys:
            data = {**summary.to_dict(), "checkpoint_signatures": "unchecked", "log_signers": []}
            return data, _summary_lines(summary, "not checked (give --log-key)")
        verify_bundle_signatures(summary, keys)  # check 7, with its bundle line numbers
        accepted = accepted_checkpoints(summary, keys, policy)
        newest = accepted[-1]
        if saved.checkpoint is not None:
            check_since(summary, saved.checkpoint.checkpoint, newest.checkpoint)
        since_data, since_lines = saved.update(newest)
        return _pass_data(summary, accepted, policy.describe(), since_data), [
            *_summary_lines(summary, f"verified ({', '.join(_signers(accepted))})"),
            *_policy_lines(accepted, policy.describe(), bool(witness_keys)),
            *since_lines,
        ]

    common.checked(path, as_json, run)


def _signers(accepted: list[AcceptedCheckpoint]) -> list[str]:
    return sorted({name for a in accepted for name in a.log_signers})


def _pass_data(
    summary: BundleSummary,
    accepted: list[AcceptedCheckpoint],
    policy: str,
    since: dict[str, Any],
) -> dict[str, Any]:
    return {
        **summary.to_dict(),
        "checkpoint_signatures": "verified",
        "log_signers": _signers(accepted),
        "witness_policy": policy,
        "checkpoints_accepted": len(accepted),
        "accepted_checkpoint": accepted[-1].to_dict(),
        **since,
    }


def _summary_lines(summary: BundleSummary, signed: str) -> common.Lines:
    return [
        f"entries verified: {summary.entries} (origin {summary.origin})",
        f"streams (reports) verified: {summary.streams}",
        f"events verified: {summary.events}; unlinked events: {summary.unlinked}",
        f"Merkle root at size {summary.entries}: {summary.root_hex}",
        f"checkpoints matching the entries: {summary.checkpoints_checked}; signatures {signed}",
    ]


def _policy_lines(accepted: list[AcceptedCheckpoint], policy: str, witnessed: bool) -> common.Lines:
    newest = accepted[-1]
    lines = [f"newest accepted checkpoint: {newest.describe()}"]
    if witnessed:
        names = ", ".join(f"{s.name} at {s.timestamp}" for s in newest.cosignatures)
        lines.insert(0, f"witness policy {policy}: {len(accepted)} checkpoint(s) met it")
        lines.append(f"cosigned by: {names}")
    return lines


@contextmanager
def entries_progress(as_json: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback for a bundle's entries (a bar on a terminal, never with --json)."""
    with common.progress_bar(
        enabled=not as_json, minimum=PROGRESS_MIN_ENTRIES, what="verifying entries"
    ) as progress:
        yield progress


@contextmanager
def bundle_opener(path: str) -> Iterator[Callable[[], IO[bytes]]]:
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
