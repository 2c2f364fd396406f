"""Audit of the live log over its HTTP contract (docs/transparency-log.md, `/v1/log`).

Checks, numbered as in docs/verify.md:

7. and 8. the latest checkpoint (the latest witnessed one when a witness policy is given) is
   signed by a trusted log key and meets the witness policy (verify.policy);
9. with a saved checkpoint: a consistency proof fetched from the log proves that the new tree
   extends the saved one (verify.since);
2., 3., 4. and 6., with `full`: every entry of the checkpointed tree is downloaded page by page
   and run through the bundle's own streaming checker (verify.bundle_scan): entry hashes, gap-
   free leaf indexes, every report's chain, and the Merkle root against the checkpoint's.

Check 5 (stored events without an entry) needs the database's view and exists only in bundles.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass

from verify import fields as f
from verify.bundle_reader import entry_record
from verify.bundle_scan import Progress, Scan, scan_record
from verify.checkpoint import Checkpoint
from verify.client import LogClient
from verify.errors import InputUnavailable, MalformedInput, VerificationFailed
from verify.note import VerifierKey
from verify.policy import AcceptedCheckpoint, QuorumNotMet, WitnessPolicy, accept_checkpoint
from verify.since import check_consistency, needs_consistency_proof, proof_sizes


@dataclass(frozen=True, slots=True)
class EntriesSummary:
    """What the download of every entry verified."""

    entries: int
    streams: int
    events: int


@dataclass(frozen=True, slots=True)
class LogAudit:
    """The outcome of a log audit that passed."""

    checkpoint: AcceptedCheckpoint
    saved: Checkpoint | None
    entries: EntriesSummary | None

    def to_dict(self) -> dict[str, object]:
        """The checkpoint, the consistency and the entries as JSON-ready data."""
        data: dict[str, object] = {**self.checkpoint.to_dict()}
        if self.saved is not None:
            data["consistent_with"] = {
                "tree_size": self.saved.tree_size,
                "root": self.saved.root_hash.hex(),
            }
        if self.entries is not None:
            data.update(
                entries=self.entries.entries,
                streams=self.entries.streams,
                reports=self.entries.streams,
                events=self.entries.events,
            )
        return data


def audit_log(
    client: LogClient,
    log_keys: Sequence[VerifierKey],
    policy: WitnessPolicy,
    *,
    saved: Checkpoint | None = None,
    full: bool = False,
    max_failures: int = 20,
    progress: Progress | None = None,
) -> LogAudit:
    """Checks 7, 8, 9 and, with `full`, 2, 3, 4 and 6 against the live log; raise on failure."""
    origin = saved.origin if saved is not None else None
    accepted = newest_accepted(client, log_keys, policy, origin=origin)
    new = accepted.checkpoint
    if saved is not None:
        proof = (
            client.consistency_proof(*proof_sizes(saved, new))
            if needs_consistency_proof(saved, new)
            else []
        )
        check_consistency(saved, new, proof)
    entries = check_entries(client, new, max_failures, progress) if full else None
    return LogAudit(accepted, saved, entries)


def newest_accepted(
    client: LogClient,
    log_keys: Sequence[VerifierKey],
    policy: WitnessPolicy,
    *,
    origin: str | None = None,
) -> AcceptedCheckpoint:
    """The latest checkpoint if it meets the policy, else the latest witnessed one (7, 8)."""
    note = client.checkpoint()
    if note is None:
        raise InputUnavailable("GET /v1/log/checkpoint: the log has no checkpoint yet", status=404)
    try:
        return accept_checkpoint(note, log_keys, policy, origin=origin, where="log checkpoint")
    except QuorumNotMet as exc:  # not yet cosigned by enough witnesses: an older one may be
        witnessed = client.checkpoint(witnessed=True)
        if witnessed is None:
            raise exc from None
    return accept_checkpoint(
        witnessed, log_keys, policy, origin=origin, where="latest witnessed checkpoint"
    )


def check_entries(
    client: LogClient, checkpoint: Checkpoint, max_failures: int, progress: Progress | None
) -> EntriesSummary:
    """Checks 2, 3, 4 and 6 over the entries of the checkpointed tree, downloaded."""
    scan = Scan(checkpoint.origin, checkpoint.tree_size, max_failures)
    for position, raw in enumerate(client.entries(0, checkpoint.tree_size)):
        try:
            data = f.load_object(raw, None)
            if f.kind(data, None) != "entry":
                raise MalformedInput(f"kind expected 'entry', got {data['kind']!r}")
            record = entry_record(data, None)
        except MalformedInput as exc:
            raise MalformedInput(
                f"/v1/log/entries, line {position + 1} of the download: {exc.message}"
            ) from None
        scan_record(scan, record, progress)
    scan.report(progress)
    root = scan.tree.root()
    if not hmac.compare_digest(root, checkpoint.root_hash):
        scan.fail(
            VerificationFailed(
                f"log checkpoint (size {checkpoint.tree_size}): Merkle root expected "
                f"{checkpoint.root_hash.hex()}, got {root.hex()}",
                check=6,
                expected=checkpoint.root_hash.hex(),
                actual=root.hex(),
            )
        )
    scan.raise_failures("the log")
    return EntriesSummary(scan.entries, len(scan.streams), scan.events)
