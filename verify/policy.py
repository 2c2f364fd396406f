"""Which checkpoints an auditor accepts: the log's signature and a witness policy.

- Check 7: the checkpoint (c2sp.org/tlog-checkpoint) carries a valid Ed25519 signature by a
  trusted log key named after its origin (verify.checkpoint).
- Check 8: with a witness policy, it also carries valid cosignatures (c2sp.org/tlog-cosignature,
  key type 0x04) by at least `quorum` distinct trusted witnesses. Lines by keys the auditor
  does not trust are ignored, as c2sp.org/signed-note requires; a line by a trusted witness key
  that does not verify rejects the checkpoint, because that is a forgery, not an absence.

Witnesses are counted by name, so a witness that rotated its key and is trusted under both
keys still counts once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from verify.checkpoint import Checkpoint, parse_checkpoint, verify_checkpoint
from verify.errors import MalformedInput, VerificationFailed
from verify.note import COSIGNATURE_V1, VerifiedSignature, VerifierKey, parse_note
from verify.note import verified_signatures as verify_lines


class QuorumNotMet(VerificationFailed):
    """Check 8: too few valid cosignatures (no forgery: a newer checkpoint may lack them yet)."""


@dataclass(frozen=True, slots=True)
class WitnessPolicy:
    """Trusted witness keys (type 0x04) and how many distinct witnesses must cosign."""

    # A quorum of 0 with keys still rejects a checkpoint whose cosignature by one of them fails.

    keys: tuple[VerifierKey, ...] = ()
    quorum: int = 0

    def __post_init__(self) -> None:
        for key in self.keys:
            if key.sig_type != COSIGNATURE_V1:
                raise MalformedInput(
                    f"witness key {key.name}: type expected 0x04 (cosignature/v1), "
                    f"got 0x{key.sig_type:02x}"
                )
        names = len(self.names)
        if not 0 <= self.quorum <= names:
            raise MalformedInput(
                f"witness quorum expected 0 to {names} (the distinct witnesses given), "
                f"got {self.quorum}"
            )

    @classmethod
    def of(cls, keys: Sequence[VerifierKey], quorum: int | None = None) -> WitnessPolicy:
        """A policy over these keys; the quorum defaults to a majority of the witnesses."""
        names = len({key.name for key in keys})
        return cls(tuple(keys), names // 2 + 1 if quorum is None and names else quorum or 0)

    @property
    def names(self) -> tuple[str, ...]:
        """The distinct witness names, sorted."""
        return tuple(sorted({key.name for key in self.keys}))

    def describe(self) -> str:
        """The policy in words, for messages."""
        if not self.keys:
            return "no witness policy"
        return f"{self.quorum} of {len(self.names)} witnesses ({', '.join(self.names)})"


@dataclass(frozen=True, slots=True)
class AcceptedCheckpoint:
    """A checkpoint that passed checks 7 and 8, with the note exactly as received."""

    note: str
    checkpoint: Checkpoint
    log_signatures: tuple[VerifiedSignature, ...]
    cosignatures: tuple[VerifiedSignature, ...]

    @property
    def log_signers(self) -> list[str]:
        """Names of the log keys whose signatures verified."""
        return sorted({sig.name for sig in self.log_signatures})

    def describe(self) -> str:
        """Size and root, for messages."""
        cp = self.checkpoint
        return f"size {cp.tree_size}, root {cp.root_hash.hex()}"

    def to_dict(self) -> dict[str, object]:
        """The checkpoint and its verified signers as JSON-ready data."""
        return {
            "origin": self.checkpoint.origin,
            "tree_size": self.checkpoint.tree_size,
            "root": self.checkpoint.root_hash.hex(),
            "log_signers": self.log_signers,
            "witnesses": [{"name": s.name, "timestamp": s.timestamp} for s in self.cosignatures],
        }


def accept_checkpoint(
    note: str,
    log_keys: Iterable[VerifierKey],
    policy: WitnessPolicy,
    *,
    origin: str | None = None,
    where: str = "checkpoint",
) -> AcceptedCheckpoint:
    """Checks 7 and 8 for one checkpoint note; `where` names it in messages."""
    parsed = parse_note(note)
    where = f"{where} (size {parse_checkpoint(parsed.text).tree_size})"
    try:
        signed = verify_checkpoint(parsed, log_keys, origin=origin)
    except VerificationFailed as exc:
        raise _failure(7, where, exc) from None
    try:
        cosigned = verify_lines(parsed, policy.keys)
    except VerificationFailed as exc:
        raise _failure(8, where, exc) from None
    witnesses = _one_per_witness(cosigned)
    if len(witnesses) < policy.quorum:
        got = ", ".join(sig.name for sig in witnesses) or "none"
        raise QuorumNotMet(
            f"{where}: valid cosignatures expected by {policy.describe()}, "
            f"got {len(witnesses)} ({got})",
            check=8,
            expected=policy.quorum,
            actual=len(witnesses),
        )
    return AcceptedCheckpoint(note, signed.checkpoint, signed.signatures, witnesses)


def _one_per_witness(signatures: Iterable[VerifiedSignature]) -> tuple[VerifiedSignature, ...]:
    seen: dict[str, VerifiedSignature] = {}
    for signature in signatures:
        seen.setdefault(signature.name, signature)
    return tuple(seen[name] for name in sorted(seen))


def _failure(check: int, where: str, exc: VerificationFailed) -> VerificationFailed:
    return VerificationFailed(
        f"{where}: {exc.message}", check=check, expected=exc.expected, actual=exc.actual
    )
