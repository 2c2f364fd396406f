"""Witness configuration: trusted cosigner keys (c2sp.org/tlog-cosignature) and a k-of-n policy.

A checkpoint is witnessed once at least `quorum` of the configured witnesses have cosigned
it. With no witnesses configured the quorum is 0 and every signed checkpoint counts as
witnessed (development only: docs/transparency-log.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ledger.tlog.errors import UnknownWitness, WitnessConfigError
from ledger.tlog.notes import COSIGNATURE_V1, MalformedNote, VerifierKey, parse_vkey


@dataclass(frozen=True, slots=True)
class Cosignature:
    """A witness cosignature the log accepted and stored."""

    witness: str
    key_id: bytes
    tree_size: int
    timestamp: int
    signature: bytes

    @property
    def raw(self) -> bytes:
        """The signature field of the note line: timestamp || Ed25519 signature."""
        return self.timestamp.to_bytes(8, "big") + self.signature


@dataclass(frozen=True)
class WitnessPolicy:
    """The witnesses whose cosignatures the log accepts, and how many make a quorum."""

    witnesses: tuple[VerifierKey, ...]
    quorum: int

    def __post_init__(self) -> None:
        names = [w.name for w in self.witnesses]
        if len(set(names)) != len(names):
            raise WitnessConfigError(f"expected one key per witness name, got {names}")
        if any(w.sig_type != COSIGNATURE_V1 for w in self.witnesses):
            raise WitnessConfigError("witness keys expected of type 0x04 (cosignature/v1)")
        if not 0 <= self.quorum <= len(self.witnesses):
            raise WitnessConfigError(
                f"quorum expected 0 to {len(self.witnesses)}, got {self.quorum}"
            )
        if self.witnesses and self.quorum == 0:
            raise WitnessConfigError("witnesses are configured: the quorum expected at least 1")

    @classmethod
    def from_vkeys(cls, vkeys: Sequence[str], quorum: int | None = None) -> WitnessPolicy:
        """Parse witness vkeys; the quorum defaults to a majority of them."""
        try:
            keys = tuple(parse_vkey(v) for v in vkeys)
        except MalformedNote as e:
            raise WitnessConfigError(str(e)) from None
        return cls(keys, len(keys) // 2 + 1 if quorum is None and keys else quorum or 0)

    def witness(self, name: str) -> VerifierKey:
        """The configured key of a witness; raises UnknownWitness."""
        for key in self.witnesses:
            if key.name == name:
                return key
        known = ", ".join(w.name for w in self.witnesses) or "none"
        raise UnknownWitness(f"expected a configured witness ({known}), got {name!r}")

    def counted(self, cosignatures: Iterable[Cosignature]) -> list[Cosignature]:
        """The cosignatures by configured witness keys, one per witness."""
        keys = {(w.name, w.key_id) for w in self.witnesses}
        seen: dict[str, Cosignature] = {}
        for c in cosignatures:
            if (c.witness, c.key_id) in keys:
                seen.setdefault(c.witness, c)
        return list(seen.values())
