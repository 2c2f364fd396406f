"""`lapor-verify witness` and `witness-keygen`: a ready witness for the Ombudsman or KID."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from verify.cli import common
from verify.cli.log_command import timeout_option, url_option
from verify.client import urllib_transport
from verify.errors import InputUnavailable, MalformedInput, VerificationFailed
from verify.witness import WitnessRound, witness_round
from verify.witness_key import WitnessKey, read_key_file, write_key_file


@click.command("witness-keygen", epilog=common.EXIT_CODES_HELP)
@click.option("--name", required=True, help="The witness name, e.g. ombudsman.go.id/witness.")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False),
    metavar="KEYFILE",
    help="Where to write the private key (mode 0600; an existing file is never overwritten).",
)
@common.json_option
def witness_keygen(name: str, out: str, as_json: bool) -> None:
    """Create a witness signing key and print its verifier key (type 0x04).

    KEYFILE gets one line, PRIVATE+KEY+<name>+<key id>+<base64>; keep it secret and backed
    up. Give the printed vkey to the log operator (LEDGER_WITNESS_VKEYS) and to auditors
    (--witness-key).
    """
    if Path(out).exists():
        raise click.UsageError(f"{out} exists; refusing to overwrite a key")

    def run() -> tuple[dict[str, Any], common.Lines]:
        key = WitnessKey.generate(name)
        try:
            write_key_file(Path(out), key)
        except OSError as exc:
            raise click.UsageError(f"cannot write {out}: {exc.strerror}") from None
        return {"name": name, "key_file": out, "vkey": key.vkey}, [
            f"private key written to {out} (mode 0600)",
            "verifier key (give it to the log operator and to auditors):",
            key.vkey,
        ]

    common.checked(out, as_json, run)


@click.command(epilog=common.EXIT_CODES_HELP)
@url_option
@click.option(
    "--key",
    "key_file",
    required=True,
    type=click.Path(dir_okay=False, exists=True),
    metavar="KEYFILE",
    help="The witness's private key file (from witness-keygen).",
)
@common.log_key_option(required=True)
@click.option(
    "--state",
    required=True,
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="The last checkpoint this witness cosigned; created on the first round (trust on "
    "first use), replaced atomically after each accepted cosignature.",
)
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False, exists=True),
    metavar="F",
    help="File holding the witness's API token (sent as a bearer token; never printed).",
)
@click.option("--once", is_flag=True, help="Run one round and exit (the default).")
@click.option(
    "--interval",
    type=click.FloatRange(min=1),
    metavar="S",
    help="Run a round every S seconds until stopped; a log that cannot be reached is retried.",
)
@timeout_option
@common.json_option
def witness(
    url: str,
    key_file: str,
    log_keys: tuple[str, ...],
    state: str,
    token_file: str | None,
    once: bool,
    interval: float | None,
    timeout: float,
    as_json: bool,
) -> None:
    """Witness the log at BASE: cosign each checkpoint that extends the last one cosigned.

    Each round: fetch the latest checkpoint; check 7, its signature by a --log-key; check 9,
    a consistency proof from the checkpoint in --state; cosign it (c2sp.org/tlog-cosignature)
    and POST it to /v1/log/cosignatures; on 200 save it in --state. A checkpoint that is not
    consistent (a split view, a rewritten past) is never cosigned: the command stops
    with exit code 1 and --state keeps the last good checkpoint. With --interval, a log out
    of reach is retried next round, and --json prints one JSON object per round (JSON
    Lines). Needs no access to sealed content; docs/verify.md has the operating guide.
    """
    if once and interval is not None:
        raise click.UsageError("give either --once or --interval, not both")
    token = common.read_token(token_file)
    try:
        key = read_key_file(Path(key_file))
        keys, _ = common.trusted_keys(log_keys)
        fetch, post = urllib_transport(url, write_token=token, timeout=timeout)
    except MalformedInput as exc:
        common.fail(exc, url, as_json)
    if os.name == "posix" and Path(key_file).stat().st_mode & 0o077:
        click.echo(f"warning: {key_file} is readable by others; chmod 600 it", err=True)

    def one_round() -> tuple[dict[str, Any], common.Lines]:
        return _report(witness_round(fetch, post, Path(state), key, keys), key)

    if interval is None:
        common.checked(url, as_json, one_round)
    try:
        while True:
            _loop_round(one_round, url, as_json)
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


def _loop_round(
    one_round: Callable[[], tuple[dict[str, Any], common.Lines]], url: str, as_json: bool
) -> None:
    """One round of --interval: print it; a log out of reach is retried, a refusal stops."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        data, lines = one_round()
        result = "pass"
    except InputUnavailable as exc:
        data, lines, result = exc.to_dict(), [exc.message, "retrying next round"], "unavailable"
    except (MalformedInput, VerificationFailed) as exc:
        common.fail(exc, url, as_json)
    if as_json:
        click.echo(json.dumps({"result": result, "input": url, "time": now, **data}))
    else:
        click.echo(f"{now} {result.upper()}: {'; '.join(lines)}")


def _report(outcome: WitnessRound, key: WitnessKey) -> tuple[dict[str, Any], common.Lines]:
    cp = outcome.checkpoint
    data = {"witness": key.name, **outcome.to_dict()}
    if outcome.behind and outcome.previous is not None:
        before = outcome.previous.tree_size
        return data, [f"behind: the log served {cp.describe()}, a prefix of size {before}"]
    if outcome.cosigned_at is None:
        return data, [f"up to date: {cp.describe()} is already cosigned by {key.name}"]
    previous = (
        "first use: nothing to compare with"
        if outcome.previous is None
        else f"consistent with size {outcome.previous.tree_size}"
    )
    return data, [f"cosigned {cp.describe()} at {outcome.cosigned_at} ({previous})"]
