"""A whistleblower's receipt (c2sp.org/tlog-proof@v1) built from an in-memory log, for tests."""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

from tests.unit.verify.bundles import ORDER, ORIGIN, log_verifier_key
from tests.unit.verify.fakelog import FakeLog, path
from verify.entry import EntryFields, encode_entry
from verify.note import VerifierKey
from verify.witness_key import WitnessKey

OMBUDSMAN = WitnessKey.generate("ombudsman.go.id/witness")
KID = WitnessKey.generate("komisiinformasi.go.id/witness")
WITNESS_KEYS: list[VerifierKey] = [OMBUDSMAN.verifier, KID.verifier]
LOG_KEYS: list[VerifierKey] = [log_verifier_key()]


def entry_bytes(line: dict[str, Any], origin: str = ORIGIN) -> bytes:
    """The version 1 entry bytes of a bundle entry line."""
    return encode_entry(
        EntryFields(
            origin=origin,
            leaf_index=line["leaf_index"],
            stream_id=UUID(line["stream_id"]),
            stream_version=line["stream_version"],
            event_type=line["event_type"],
            recorded_at_us=line["recorded_at_us"],
            prev_hash=bytes.fromhex(line["prev_hash"]),
            payload=base64.b64decode(line["payload"]),
        )
    )


@dataclass(frozen=True)
class Receipt:
    """The parts of a tlog-proof, rendered on demand so that tests can change any of them."""

    extra: bytes | None
    index: int
    proof: tuple[bytes, ...]
    note: str
    header: str = "c2sp.org/tlog-proof@v1"

    def render(self) -> str:
        lines = [self.header]
        if self.extra is not None:
            lines.append("extra " + base64.b64encode(self.extra).decode())
        lines.append(f"index {self.index}")
        lines += [base64.b64encode(h).decode() for h in self.proof]
        return "\n".join(lines) + "\n\n" + self.note

    def but(self, **changes: Any) -> Receipt:
        return replace(self, **changes)


def witnessed_log() -> FakeLog:
    """Ten entries over three reports, checkpoint at 10 cosigned by both witnesses."""
    log = FakeLog(witnesses={OMBUDSMAN.name: OMBUDSMAN, KID.name: KID})
    for stream in ORDER:
        log.append(stream)
    log.publish()
    log.cosign(10, OMBUDSMAN)
    log.cosign(10, KID, 1_767_225_660)
    return log


def receipt_for(log: FakeLog, index: int, size: int | None = None) -> Receipt:
    """The receipt of leaf `index` against the checkpoint at `size` (default: the latest)."""
    size = size if size is not None else max(log.notes)
    proof = tuple(path(index, log.leaves[:size]))
    return Receipt(entry_bytes(log.entries[index]), index, proof, log.cosigned(size))
