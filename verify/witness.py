"""A witness for the log: cosign only checkpoints that extend the last one cosigned.

The key and its cosignature/v1 lines are in verify.witness_key (c2sp.org/tlog-cosignature).
Each round (`witness_round`) does what c2sp.org/tlog-witness asks of a witness, pulling
instead of being pushed to: fetch the latest checkpoint; verify the log's signature under the
pinned log keys (check 7); verify a consistency proof with the checkpoint in the state file,
the last one cosigned (check 9), and refuse on any inconsistency, so that a split view is
never cosigned; cosign; POST the cosigned note; only on 200 replace the state file,
atomically. An older checkpoint that is a prefix of the cosigned one (a lagging read replica)
is consistent but not cosigned: a witness never goes back.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from verify import fields as f
from verify.checkpoint import Checkpoint
from verify.client import Fetch, LogClient, Post, problem_detail
from verify.errors import InputUnavailable, MalformedInput, VerificationFailed
from verify.note import VerifierKey, parse_note
from verify.note import verified_signatures as verify_lines
from verify.policy import AcceptedCheckpoint, WitnessPolicy, accept_checkpoint
from verify.since import (
    check_consistency,
    load_saved,
    needs_consistency_proof,
    proof_sizes,
    save_checkpoint,
)
from verify.witness_key import WitnessKey


@dataclass(frozen=True, slots=True)
class WitnessRound:
    """What one round did: the checkpoint seen, the one before, and whether it was cosigned."""

    checkpoint: AcceptedCheckpoint
    previous: Checkpoint | None
    cosigned_at: int | None  # the cosignature's timestamp; None if there was nothing new

    @property
    def behind(self) -> bool:
        """Whether the log served a checkpoint older than the one cosigned before."""
        prev = self.previous
        return prev is not None and self.checkpoint.checkpoint.tree_size < prev.tree_size

    def to_dict(self) -> dict[str, object]:
        """The round as JSON-ready data."""
        cp, prev = self.checkpoint.checkpoint, self.previous
        return {
            "tree_size": cp.tree_size,
            "root": cp.root_hash.hex(),
            "previous_size": None if prev is None else prev.tree_size,
            "first_use": prev is None,
            "behind": self.behind,
            "cosigned": self.cosigned_at is not None,
            "timestamp": self.cosigned_at,
        }


def witness_round(
    fetch: Fetch,
    post: Post,
    state: Path,
    key: WitnessKey,
    log_keys: Sequence[VerifierKey],
    *,
    clock: Callable[[], float] = time.time,
) -> WitnessRound:
    """One round: verify, check consistency with the state, cosign, POST, save the state."""
    client = LogClient(fetch, post)
    note = client.checkpoint()
    if note is None:
        raise InputUnavailable("GET /v1/log/checkpoint: the log has no checkpoint yet", status=404)
    saved = load_saved(state, log_keys)
    previous = saved.checkpoint if saved is not None else None
    origin = previous.origin if previous is not None else None
    new = accept_checkpoint(note, log_keys, WitnessPolicy(), origin=origin, where="log checkpoint")
    if previous is not None:
        proof = []
        if needs_consistency_proof(previous, new.checkpoint):
            proof = client.consistency_proof(*proof_sizes(previous, new.checkpoint))
        check_consistency(previous, new.checkpoint, proof)
        if new.checkpoint.tree_size < previous.tree_size:
            return WitnessRound(new, previous, None)  # an older view, consistent: never go back
        if previous.tree_size == new.checkpoint.tree_size and _cosigned_by(note, key):
            return WitnessRound(new, previous, None)
    timestamp = int(clock())
    body = _cosigned_note(note, key, timestamp)
    answer = client.post_cosignature(body)
    if answer.status == 409:
        raise VerificationFailed(
            f"the log refused the cosignature of size {new.checkpoint.tree_size} as "
            f"inconsistent with this witness's previous one: {problem_detail(answer)}",
            check=9,
        )
    if answer.status != 200:
        where = "POST /v1/log/cosignatures"
        raise InputUnavailable(f"{where}: {problem_detail(answer)}", status=answer.status)
    _check_accepted(answer.body, new.checkpoint.tree_size, key.name)
    save_checkpoint(state, body)
    return WitnessRound(new, previous, timestamp)


def _cosigned_by(note: str, key: WitnessKey) -> bool:
    """Whether the log already serves this witness's valid cosignature (a forged one raises)."""
    return bool(verify_lines(parse_note(note), [key.verifier]))


def _cosigned_note(note: str, key: WitnessKey, timestamp: int) -> str:
    """The note with this witness's older lines replaced by a new cosignature line."""
    text, _, signatures = note.partition("\n\n")
    others = [
        line for line in signatures.splitlines() if not line.startswith(f"\u2014 {key.name} ")
    ]
    return (
        f"{text}\n\n"
        + "".join(f"{line}\n" for line in others)
        + key.cosign(text + "\n", timestamp)
        + "\n"
    )


def _check_accepted(body: bytes, tree_size: int, name: str) -> None:
    """The 200 answer names the checkpoint and the witness that were cosigned."""
    where = "POST /v1/log/cosignatures"
    try:
        data = f.load_object(body, None)
        got = (f.integer(data, "tree_size", None), f.text(data, "witness", None))
    except MalformedInput as exc:
        raise MalformedInput(f"{where}: {exc.message}") from None
    if got != (tree_size, name):
        raise MalformedInput(
            f"{where}: answer expected tree_size {tree_size} and witness {name!r}, "
            f"got {got[0]} and {got[1][:100]!r}"
        )
