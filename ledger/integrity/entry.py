"""Log entry encoding, version 1: the bytes every hash of the ledger covers.

The layout is specified byte by byte in docs/ledger-format.md. The entry hash is the
RFC 6962 leaf hash, SHA-256(0x00 || entry_bytes), and serves both as the link of the
report's own hash chain and as the leaf of the global Merkle log.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from uuid import UUID

ENTRY_FORMAT_VERSION = 1
ZERO_HASH = bytes(32)
LEAF_PREFIX = b"\x00"

_U16 = struct.Struct(">H")
_U32 = struct.Struct(">I")
_U64 = struct.Struct(">Q")
_I64 = struct.Struct(">q")
_POSITION = struct.Struct(">Q16sQ")  # leaf index, stream id, stream version
_TIME_AND_LENGTH = struct.Struct(">q32sI")  # recorded-at, previous hash, payload length


class EntryEncodingError(ValueError):
    """A field cannot be represented in the entry encoding."""


@dataclass(frozen=True, slots=True)
class Entry:
    """The fields of one log entry, exactly as they are hashed."""

    origin: str
    leaf_index: int
    stream_id: UUID
    stream_version: int
    event_type: str
    recorded_at_us: int
    prev_hash: bytes
    payload: bytes

    def encode(self) -> bytes:
        """Return the version 1 entry bytes."""
        return encode_entry(self)

    def hash(self) -> bytes:
        """Return the entry hash: the RFC 6962 leaf hash of the entry bytes."""
        return leaf_hash(encode_entry(self))


def _short_text(value: str, name: str) -> bytes:
    raw = value.encode("utf-8")
    if len(raw) > 0xFFFF:
        raise EntryEncodingError(f"{name} is {len(raw)} bytes, at most 65535 fit")
    return _U16.pack(len(raw)) + raw


def encode_entry(entry: Entry) -> bytes:
    """Encode an entry as: version, origin, leaf index, stream id and version, event
    type, recorded-at, previous hash, payload (lengths and integers big-endian)."""
    if len(entry.prev_hash) != 32:
        raise EntryEncodingError(f"prev_hash is {len(entry.prev_hash)} bytes, expected 32")
    if len(entry.payload) > 0xFFFFFFFF:
        raise EntryEncodingError("payload longer than 4 GiB")
    if entry.leaf_index < 0 or entry.stream_version < 0:
        raise EntryEncodingError("leaf index and stream version must not be negative")
    try:
        return _pack(entry)
    except struct.error as e:
        raise EntryEncodingError(f"a number does not fit its field: {e}") from None


def _pack(entry: Entry) -> bytes:
    return b"".join(
        (
            bytes((ENTRY_FORMAT_VERSION,)),
            _short_text(entry.origin, "origin"),
            _U64.pack(entry.leaf_index),
            entry.stream_id.bytes,
            _U64.pack(entry.stream_version),
            _short_text(entry.event_type, "event type"),
            _I64.pack(entry.recorded_at_us),
            entry.prev_hash,
            _U32.pack(len(entry.payload)),
            entry.payload,
        )
    )


class EntryHasher:
    """Entry hashes for one origin, computed straight from the fields.

    Produces exactly `leaf_hash(encode_entry(Entry(...)))` (the same bytes, the same
    errors) without building an `Entry` per event: the origin is encoded once, event
    types once each, and the fixed-width fields are packed by one struct call apiece.
    """

    __slots__ = ("_head", "_types")

    def __init__(self, origin: str) -> None:
        self._head = LEAF_PREFIX + bytes((ENTRY_FORMAT_VERSION,)) + _short_text(origin, "origin")
        self._types: dict[str, bytes] = {}

    def entry_hash(
        self,
        leaf_index: int,
        stream_id: UUID,
        stream_version: int,
        event_type: str,
        recorded_at_us: int,
        prev_hash: bytes,
        payload: bytes,
    ) -> bytes:
        """The entry hash of the version 1 entry with these fields."""
        event_type_bytes = self._types.get(event_type)
        if event_type_bytes is None:
            event_type_bytes = self._types[event_type] = _short_text(event_type, "event type")
        if len(prev_hash) != 32:
            raise EntryEncodingError(f"prev_hash is {len(prev_hash)} bytes, expected 32")
        if leaf_index < 0 or stream_version < 0:
            raise EntryEncodingError("leaf index and stream version must not be negative")
        try:
            middle = _POSITION.pack(leaf_index, stream_id.bytes, stream_version)
            tail = _TIME_AND_LENGTH.pack(recorded_at_us, prev_hash, len(payload))
        except struct.error as e:
            if len(payload) > 0xFFFFFFFF:
                raise EntryEncodingError("payload longer than 4 GiB") from None
            raise EntryEncodingError(f"a number does not fit its field: {e}") from None
        return hashlib.sha256(
            b"".join((self._head, middle, event_type_bytes, tail, payload))
        ).digest()


def leaf_hash(entry_bytes: bytes) -> bytes:
    """RFC 6962 section 2.1 leaf hash: SHA-256(0x00 || data)."""
    return hashlib.sha256(LEAF_PREFIX + entry_bytes).digest()
