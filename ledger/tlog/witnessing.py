"""Accepting witness cosignatures (c2sp.org/tlog-cosignature) and the k-of-n witnessed view.

A cosignature is stored only if it verifies under a configured witness key, cosigns a
checkpoint this log signed (same origin, size and root: a checkpoint from a split view is
refused), and that checkpoint is provably consistent, from the log's own nodes, with the
checkpoint that witness cosigned before (RFC 9162 section 2.1.4). Witnesses only move forward.
"""

from __future__ import annotations

import time

from ledger.tlog import merkle
from ledger.tlog.checkpoint import SignedCheckpoint, parse_body
from ledger.tlog.errors import (
    ForgedCosignature,
    InconsistentCosignature,
    MalformedCosignature,
    UnknownCheckpoint,
    UnknownWitness,
)
from ledger.tlog.notes import (
    BadSignature,
    MalformedNote,
    VerifierKey,
    parse_signature_line,
    signature_line,
    split_note,
    verify_line,
)
from ledger.tlog.proofcheck import ProofMismatch, verify_consistency
from ledger.tlog.store import TlogSession
from ledger.tlog.witness import Cosignature, WitnessPolicy

PAGE = 64


def accept(
    s: TlogSession, origin: str, key: VerifierKey, note_or_line: str, tree_size: int | None
) -> Cosignature:
    """Check a cosignature by `key` and store it; a bare line cosigns our checkpoint at size."""
    try:
        text, lines = _parse(s, note_or_line, tree_size)
        body = parse_body(text)
        line = _line_of(key, lines)
        timestamp = verify_line(text, line, key)
    except MalformedNote as e:
        raise MalformedCosignature(f"cosignature by {key.name}: {e}") from None
    except BadSignature as e:
        raise ForgedCosignature(str(e)) from None
    if timestamp is None:
        raise MalformedCosignature(f"witness key {key.vkey} is not a cosignature key")
    ours = s.checkpoint_at(body.tree_size) if body.origin == origin else None
    if ours is None:
        raise UnknownCheckpoint(
            f"checkpoint expected of log {origin!r} at a size it signed, "
            f"got {body.origin!r} at size {body.tree_size}"
        )
    if ours.text != text:
        raise InconsistentCosignature(
            f"split view: checkpoint at size {body.tree_size} expected root {ours.root.hex()}, "
            f"got {body.root.hex()}"
        )
    previous = s.latest_cosignature(key.name, key.key_id)
    if previous is not None and previous.tree_size == body.tree_size:
        return previous  # the same checkpoint again: keep the first cosignature
    if previous is not None:
        _check_forward(s, key, previous.tree_size, ours)
    accepted = Cosignature(key.name, key.key_id, body.tree_size, timestamp, _signature(line))
    s.put_cosignature(accepted, time.time_ns() // 1000)
    return accepted


def _check_forward(s: TlogSession, key: VerifierKey, size1: int, new: SignedCheckpoint) -> None:
    where = f"witness {key.name} cosigned size {size1} before"
    if new.tree_size < size1:
        raise InconsistentCosignature(
            f"{where}: tree size expected at least {size1}, got {new.tree_size}"
        )
    old = s.checkpoint_at(size1)
    try:
        if old is None:
            raise ProofMismatch(f"no checkpoint of size {size1} is kept")
        proof = merkle.consistency_proof(s, size1, new.tree_size)
        verify_consistency(size1, new.tree_size, proof, old.root, new.root)
    except ProofMismatch as e:
        raise InconsistentCosignature(
            f"{where}; not consistent with size {new.tree_size}: {e}"
        ) from None


def latest_witnessed(s: TlogSession, policy: WitnessPolicy) -> SignedCheckpoint | None:
    """The largest checkpoint that at least `quorum` configured witnesses cosigned."""
    if policy.quorum == 0:
        return s.latest_checkpoint()
    below = 2**63 - 1
    while True:
        sizes = s.cosigned_sizes(below, policy.quorum, PAGE)
        for size in sizes:
            if len(policy.counted(s.cosignatures_at(size))) >= policy.quorum:
                return s.checkpoint_at(size)
        if len(sizes) < PAGE:
            return None
        below = sizes[-1]


def cosigned_note(s: TlogSession, policy: WitnessPolicy, checkpoint: SignedCheckpoint) -> str:
    """The checkpoint note with the configured witnesses' cosignature lines appended."""
    cosignatures = policy.counted(s.cosignatures_at(checkpoint.tree_size))
    lines = "".join(signature_line(c.witness, c.key_id, c.raw) + "\n" for c in cosignatures)
    return checkpoint.note + lines


def _parse(s: TlogSession, note_or_line: str, tree_size: int | None) -> tuple[str, list[str]]:
    if not note_or_line.startswith("\u2014"):
        return split_note(note_or_line)
    ours = s.latest_checkpoint() if tree_size is None else s.checkpoint_at(tree_size)
    if ours is None:
        wanted = "any size" if tree_size is None else f"size {tree_size}"
        raise UnknownCheckpoint(f"a bare cosignature line expects our checkpoint at {wanted}")
    return ours.text, note_or_line.rstrip("\n").split("\n")


def _line_of(key: VerifierKey, lines: list[str]) -> str:
    named = [(line, parse_signature_line(line)) for line in lines]
    for line, (name, kid, _) in named:
        if (name, kid) == (key.name, key.key_id):
            return line
    ids = [kid.hex() for _, (name, kid, _) in named if name == key.name]
    if ids:
        raise UnknownWitness(f"witness {key.name}: key id expected {key.key_id.hex()}, got {ids}")
    raise MalformedNote(f"no signature line by witness {key.name}")


def _signature(line: str) -> bytes:
    return parse_signature_line(line)[2][8:]
