"""`lapor-verify log`: audit the live log over its HTTP contract."""

from __future__ import annotations

from typing import Any

import click

from verify.cli import common
from verify.cli.since import SinceFile, since_option
from verify.client import TIMEOUT_S, LogClient, urllib_transport
from verify.log_audit import LogAudit, audit_log

PROGRESS_MIN_ENTRIES = 1_000


def url_option(command: common.F) -> common.F:
    """--url BASE: where the log's /v1/log API is served."""
    return click.option(
        "--url",
        required=True,
        metavar="BASE",
        help="Base URL of the ledger service, e.g. https://lapor.go.id (the API is under /v1).",
    )(command)


def timeout_option(command: common.F) -> common.F:
    """--timeout S for every HTTP request."""
    return click.option(
        "--timeout",
        type=click.FloatRange(min=0.1),
        default=TIMEOUT_S,
        show_default=True,
        help="Seconds to wait for each HTTP answer.",
    )(command)


@click.command(epilog=common.EXIT_CODES_HELP)
@url_option
@common.log_key_option(required=True)
@common.witness_options
@since_option
@click.option(
    "--full",
    is_flag=True,
    help="Also download every entry (/v1/log/entries, 1000 per request) and run checks 2, 3, "
    "4 and 6 on them: entry hashes, gap-free leaf indexes, every report's chain, and the "
    "Merkle root against the checkpoint.",
)
@click.option(
    "--max-failures",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="With --full, list at most this many failures (all are counted).",
)
@timeout_option
@common.json_option
def log(
    url: str,
    log_keys: tuple[str, ...],
    witness_keys: tuple[str, ...],
    quorum: int | None,
    since: str | None,
    full: bool,
    max_failures: int,
    timeout: float,
    as_json: bool,
) -> None:
    """Audit the live transparency log at BASE/v1/log.

    Fetches the latest checkpoint (with a witness policy: the newest one that meets it) and
    checks, numbered as in docs/verify.md: 7 the log's signature; 8 (with --witness-key) the
    witness policy; 9 (with --since) a consistency proof from the checkpoint you accepted
    last time; with --full, 2, 3, 4 and 6 over every entry, recomputed from its bytes.
    Log reads need no token.
    """

    def run() -> tuple[dict[str, Any], common.Lines]:
        keys, policy = common.trusted_keys(log_keys, witness_keys, quorum)
        saved = SinceFile.load(since, keys)
        fetch, _ = urllib_transport(url, timeout=timeout)
        with common.progress_bar(
            enabled=not as_json and full, minimum=PROGRESS_MIN_ENTRIES, what="downloading entries"
        ) as progress:
            audit = audit_log(
                LogClient(fetch),
                keys,
                policy,
                saved=saved.checkpoint.checkpoint if saved.checkpoint else None,
                full=full,
                max_failures=max_failures,
                progress=progress,
            )
        since_data, since_lines = saved.update(audit.checkpoint)
        data = {**audit.to_dict(), "witness_policy": policy.describe(), **since_data}
        return data, [*_lines(audit, policy.describe()), *since_lines]

    common.checked(url, as_json, run)


def _lines(audit: LogAudit, policy: str) -> common.Lines:
    accepted = audit.checkpoint
    lines = [
        f"checkpoint of {accepted.checkpoint.origin}: {accepted.describe()}",
        f"signed by: {', '.join(accepted.log_signers)}",
    ]
    if accepted.cosignatures:
        names = ", ".join(f"{s.name} at {s.timestamp}" for s in accepted.cosignatures)
        lines.append(f"witness policy {policy}: cosigned by {names}")
    if audit.entries is not None:
        e = audit.entries
        lines.append(
            f"entries downloaded and verified: {e.entries}; reports: {e.streams}; "
            "Merkle root matches the checkpoint"
        )
    return lines
