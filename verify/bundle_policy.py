"""Checks 8 and 9 for an export bundle whose checks 1 to 7 passed.

8. With a witness policy, every checkpoint's cosignatures by trusted witnesses verify, and at
   least one checkpoint meets the quorum. A checkpoint below the quorum is not a failure (the
   log signs before witnesses cosign), but only checkpoints that meet it are *accepted*; the
   newest accepted one is what the auditor saves.
9. With a saved checkpoint: the Merkle root of the bundle's first `saved size` entries equals
   the saved root (verify.since.check_prefix_root). The bundle holds every leaf, so that is
   consistency itself, with no proof to fetch.
"""

from __future__ import annotations

from collections.abc import Sequence

from verify.bundle import BundleSummary
from verify.checkpoint import Checkpoint
from verify.errors import VerificationFailed
from verify.note import VerifierKey
from verify.policy import AcceptedCheckpoint, QuorumNotMet, WitnessPolicy, accept_checkpoint
from verify.since import check_prefix_root


def accepted_checkpoints(
    summary: BundleSummary, log_keys: Sequence[VerifierKey], policy: WitnessPolicy
) -> list[AcceptedCheckpoint]:
    """Checks 7 and 8 over the bundle's checkpoints: those accepted, smallest first."""
    accepted, short = [], []
    for found in sorted(summary.checkpoints, key=lambda c: (c.checkpoint.tree_size, c.line)):
        where = f"checkpoint at line {found.line}"
        try:
            accepted.append(
                accept_checkpoint(found.note, log_keys, policy, origin=summary.origin, where=where)
            )
        except QuorumNotMet as exc:
            short.append(exc)
    if not accepted:
        newest = short[-1].message if short else "no checkpoint in the bundle"
        raise VerificationFailed(
            f"a checkpoint meeting the witness policy ({policy.describe()}) expected, "
            f"got none; the newest: {newest}",
            check=8 if short else 7,
            expected=policy.quorum,
            actual=short[-1].actual if short else 0,
        )
    return accepted


def check_since(summary: BundleSummary, saved: Checkpoint, newest: Checkpoint) -> None:
    """Check 9: the bundle's first saved.tree_size entries have the saved root."""
    root = summary.prefix_roots.get(saved.tree_size)
    check_prefix_root(saved, newest, root, summary.entries)
