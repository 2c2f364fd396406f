"""`lapor-verify receipt` and `report`: one entry's, or one report's, proofs of inclusion."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import click

from verify.cli import common
from verify.client import problem_detail, urllib_transport
from verify.entry import format_time_us
from verify.errors import InputUnavailable
from verify.note import VerifiedSignature
from verify.receipt import ReceiptSummary, verify_receipt
from verify.report import ReportSummary, verify_report_proof

_REPORT_PATH = re.compile(r"/v1/reports/([0-9a-f-]{36})/proof")


def report_id_option(command: common.F) -> common.F:
    """--report-id UUID: the report the proof must be about."""
    return click.option(
        "--report-id",
        type=click.UUID,
        help="The report (stream) id the proof must be about; a mismatch fails.",
    )(command)


@click.command(epilog=common.EXIT_CODES_HELP)
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, exists=True))
@common.log_key_option(required=True)
@common.witness_options
@report_id_option
@common.json_option
def receipt(
    file: str,
    log_keys: tuple[str, ...],
    witness_keys: tuple[str, ...],
    quorum: int | None,
    report_id: UUID | None,
    as_json: bool,
) -> None:
    """Verify a receipt, a c2sp.org/tlog-proof@v1 file (.tlog-proof), offline.

    FILE is the receipt, or - for stdin. Checks, numbered as in docs/verify.md: 1 the file
    is well-formed and its extra line holds a version 1 entry; 7 the checkpoint's signature
    by a --log-key; 8 (with --witness-key) the witness policy; 11 the entry agrees with the
    receipt (origin, leaf index, and the --report-id if given); 10 the inclusion proof of the
    entry's hash at that index yields the checkpoint's root. Shows the report id, version,
    event type and recording time the receipt proves.
    """

    def run() -> tuple[dict[str, Any], common.Lines]:
        keys, policy = common.trusted_keys(log_keys, witness_keys, quorum)
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        summary = verify_receipt(data, keys, policy.keys, policy.quorum, report_id=report_id)
        return summary.to_dict(), _receipt_lines(summary, bool(witness_keys))

    common.checked(file, as_json, run)


@click.command(epilog=common.EXIT_CODES_HELP)
@click.argument("source", metavar="FILE_OR_URL")
@common.log_key_option(required=True)
@common.witness_options
@report_id_option
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False, exists=True),
    metavar="F",
    help="File holding an API token allowed to read the report's proof (sent as a bearer "
    "token; never printed). Only for a URL.",
)
@click.option(
    "--max-failures",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="List at most this many failures (all are counted).",
)
@common.json_option
def report(
    source: str,
    log_keys: tuple[str, ...],
    witness_keys: tuple[str, ...],
    quorum: int | None,
    report_id: UUID | None,
    token_file: str | None,
    max_failures: int,
    as_json: bool,
) -> None:
    """Verify one report's whole history with its proofs of inclusion.

    FILE_OR_URL is the JSON of GET /v1/reports/{id}/proof, saved in a file (- for stdin) or
    fetched from its URL (https://…/v1/reports/{id}/proof, with --token-file). Checks,
    numbered as in docs/verify.md: 1 well-formed; 7 the checkpoint's log signature; 8 (with
    --witness-key) the witness policy; 2 every entry hash; 4 the report's chain from version
    1; 10 every entry's inclusion proof against the checkpoint's root.
    """

    def run() -> tuple[dict[str, Any], common.Lines]:
        keys, policy = common.trusted_keys(log_keys, witness_keys, quorum)
        data, wanted = _read_source(source, common.read_token(token_file), report_id)
        summary = verify_report_proof(
            data, keys, policy, report_id=wanted, max_failures=max_failures
        )
        return summary.to_dict(), _report_lines(summary, bool(witness_keys))

    common.checked(source, as_json, run)


def _read_source(
    source: str, token: str | None, report_id: UUID | None
) -> tuple[bytes, UUID | None]:
    """The document's bytes, and the report id it must be about (from the URL if not given)."""
    if not source.startswith(("http://", "https://")):
        if token is not None:
            raise click.UsageError("--token-file is only for a URL")
        if source == "-":
            return sys.stdin.buffer.read(), report_id
        try:
            return Path(source).read_bytes(), report_id
        except OSError as exc:
            raise InputUnavailable(f"{source}: {exc.strerror}") from None
    parts = urlsplit(source)
    fetch, _ = urllib_transport(f"{parts.scheme}://{parts.netloc}", read_token=token)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    answer = fetch(path)
    if answer.status != 200:
        raise InputUnavailable(f"GET {source}: {problem_detail(answer)}", status=answer.status)
    found = _REPORT_PATH.search(parts.path)
    return answer.body, report_id or (UUID(found.group(1)) if found else None)


def _receipt_lines(summary: ReceiptSummary, witnessed: bool) -> common.Lines:
    entry, accepted = summary.entry, summary.checkpoint
    lines = [
        f"report (stream) id: {entry.stream_id}",
        f"version {entry.stream_version}: {entry.event_type}",
        f"recorded at: {format_time_us(entry.recorded_at_us)}",
        f"leaf {entry.leaf_index} of log {entry.origin}, entry hash {summary.leaf_hash.hex()}",
        f"included in the checkpoint of {accepted.describe()} "
        f"({summary.proof_hashes} proof hashes)",
        f"checkpoint signed by: {', '.join(accepted.log_signers)}",
    ]
    return lines + _witness_lines(accepted.cosignatures, witnessed)


def _report_lines(summary: ReportSummary, witnessed: bool) -> common.Lines:
    accepted = summary.checkpoint
    lines = [f"report {summary.report_id}: {len(summary.entries)} version(s), chain from v1"]
    lines += [
        f"v{e.stream_version} leaf {e.leaf_index} {format_time_us(e.recorded_at_us)} {e.event_type}"
        for e in summary.entries
    ]
    lines.append(f"every entry included in the checkpoint of {accepted.describe()}")
    if summary.pending:
        lines.append(f"{summary.pending} newer version(s) not covered by a checkpoint yet")
    lines.append(f"checkpoint signed by: {', '.join(accepted.log_signers)}")
    return lines + _witness_lines(accepted.cosignatures, witnessed)


def _witness_lines(cosignatures: Sequence[VerifiedSignature], witnessed: bool) -> common.Lines:
    if not witnessed:
        return ["witness cosignatures: not checked (give --witness-key)"]
    names = ", ".join(f"{s.name} at {s.timestamp}" for s in cosignatures) or "none"
    return [f"cosigned by trusted witnesses: {names}"]
