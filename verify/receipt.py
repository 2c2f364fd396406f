"""Receipts: offline proofs of inclusion in the c2sp.org/tlog-proof@v1 text format.

    c2sp.org/tlog-proof@v1
    extra <base64: the entry bytes, docs/ledger-format.md version 1>
    index <leaf index, ASCII decimal without leading zeroes>
    <base64 hash: the RFC 9162 section 2.1.3.1 inclusion proof, from the leaf's sibling up>
    ...
    <empty line>
    <the checkpoint note verbatim: c2sp.org/tlog-checkpoint, signatures, cosignatures>

The specification leaves `extra` opaque and unauthenticated; this ledger puts the entry bytes
there, and they authenticate themselves: SHA-256(0x00 || extra) is the leaf the inclusion
proof starts from. Checks, numbered as in docs/verify.md:

1. the text is well-formed (strict: canonical base64, no stray whitespace or control
   characters, `extra` present and decodable as an entry); otherwise MalformedInput;
7. and 8. the checkpoint's log signature and the witness policy (verify.policy);
11. the entry agrees with the receipt: its origin is the checkpoint's, its leaf index is
    `index`, and its stream is the expected report when one is given;
10. the inclusion proof of the leaf at `index` yields the checkpoint's root.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from verify.entry import EntryFields, decode_entry, format_time_us
from verify.errors import MalformedInput, VerificationFailed
from verify.merkle import HASH_SIZE, leaf_hash, verify_inclusion
from verify.note import VerifierKey
from verify.policy import AcceptedCheckpoint, WitnessPolicy, accept_checkpoint

HEADER = "c2sp.org/tlog-proof@v1"
MAX_PROOF_HASHES = 64  # a tree of at most 2^64 leaves
_INDEX = re.compile(r"index (0|[1-9][0-9]{0,19})")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class TlogProof:
    """A parsed tlog-proof: extra data, leaf index, inclusion proof and checkpoint note."""

    extra: bytes | None
    index: int
    proof: tuple[bytes, ...]
    note: str


@dataclass(frozen=True, slots=True)
class ReceiptSummary:
    """What a verified receipt proves: this entry is leaf `index` of the checkpointed tree."""

    entry: EntryFields
    leaf_hash: bytes
    proof_hashes: int
    checkpoint: AcceptedCheckpoint

    def to_dict(self) -> dict[str, object]:
        """The entry, the leaf and the checkpoint as JSON-ready data."""
        return {
            "origin": self.entry.origin,
            "leaf_index": self.entry.leaf_index,
            "stream_id": str(self.entry.stream_id),
            "stream_version": self.entry.stream_version,
            "event_type": self.entry.event_type,
            "recorded_at_us": self.entry.recorded_at_us,
            "recorded_at": format_time_us(self.entry.recorded_at_us),
            "payload_bytes": len(self.entry.payload),
            "leaf_hash": self.leaf_hash.hex(),
            "proof_hashes": self.proof_hashes,
            "checkpoint": self.checkpoint.to_dict(),
        }


def parse_tlog_proof(data: str | bytes) -> TlogProof:
    """Parse the tlog-proof text strictly; raises MalformedInput (check 1)."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedInput(f"receipt is not UTF-8 at byte {exc.start}") from None
    if found := _CONTROL.search(data):
        raise MalformedInput(f"receipt has a control character at offset {found.start()}")
    head, blank, note = data.partition("\n\n")
    if not blank:
        raise MalformedInput("receipt has no empty line before its checkpoint")
    lines = head.split("\n")
    if lines[0] != HEADER:
        raise MalformedInput(f"receipt first line expected {HEADER!r}, got {lines[0][:40]!r}")
    extra = None
    position = 1
    if len(lines) > 1 and lines[1].startswith("extra "):
        extra = _b64(lines[1][len("extra ") :], "extra")
        position = 2
    index = _index(lines[position] if len(lines) > position else "")
    proof = tuple(
        _hash(line, n) for n, line in enumerate(lines[position + 1 :], start=position + 2)
    )
    if len(proof) > MAX_PROOF_HASHES:
        raise MalformedInput(f"receipt proof expected at most 64 hashes, got {len(proof)}")
    return TlogProof(extra, index, proof, note)


def verify_receipt(
    text: str | bytes,
    log_keys: Sequence[VerifierKey],
    witness_keys: Sequence[VerifierKey] = (),
    quorum: int = 0,
    *,
    report_id: UUID | None = None,
) -> ReceiptSummary:
    """Verify a tlog-proof receipt offline: checks 1, 7, 8, 11 and 10; raise on any failure."""
    receipt = parse_tlog_proof(text)
    if receipt.extra is None:
        raise MalformedInput("receipt has no extra line: this ledger's receipts carry the entry")
    try:
        entry = decode_entry(receipt.extra)
    except MalformedInput as exc:
        raise MalformedInput(f"receipt extra is not a version 1 entry: {exc.message}") from None
    accepted = accept_checkpoint(
        receipt.note, log_keys, WitnessPolicy.of(witness_keys, quorum), where="receipt checkpoint"
    )
    _check_entry(entry, receipt.index, accepted, report_id)
    leaf = leaf_hash(receipt.extra)
    size, root = accepted.checkpoint.tree_size, accepted.checkpoint.root_hash
    try:
        verify_inclusion(receipt.index, size, leaf, receipt.proof, root)
    except VerificationFailed as exc:
        raise VerificationFailed(
            f"receipt: {exc.message}", check=10, expected=exc.expected, actual=exc.actual
        ) from None
    return ReceiptSummary(entry, leaf, len(receipt.proof), accepted)


def _check_entry(
    entry: EntryFields, index: int, accepted: AcceptedCheckpoint, report_id: UUID | None
) -> None:
    """Check 11: the entry's own fields agree with the receipt around it."""
    origin = accepted.checkpoint.origin
    for what, expected, actual in (
        ("entry origin", origin, entry.origin),
        ("entry leaf index", str(index), str(entry.leaf_index)),
        ("entry stream (report id)", str(report_id or entry.stream_id), str(entry.stream_id)),
    ):
        if expected != actual:
            raise VerificationFailed(
                f"receipt: {what} expected {expected}, got {actual}",
                check=11,
                leaf_index=index,
                expected=expected,
                actual=actual,
            )


def _index(line: str) -> int:
    match = _INDEX.fullmatch(line)
    if match is None or int(match.group(1)) >= 2**64:
        raise MalformedInput(f"receipt index line expected 'index <decimal>', got {line[:40]!r}")
    return int(match.group(1))


def _hash(line: str, number: int) -> bytes:
    raw = _b64(line, f"receipt line {number}")
    if len(raw) != HASH_SIZE:
        raise MalformedInput(f"receipt line {number}: hash expected 32 bytes, got {len(raw)}")
    return raw


def _b64(value: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedInput(f"{what}: expected standard base64, got {value[:40]!r}") from None
    if not raw or base64.b64encode(raw).decode() != value:
        raise MalformedInput(f"{what}: expected canonical, non-empty base64")
    return raw
