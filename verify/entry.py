"""Ledger entry format version 1, implemented independently of the writer.

The byte layout is docs/ledger-format.md: version byte 0x01; origin (u16 length + UTF-8);
leaf index (u64); stream id (16 bytes, RFC 9562 byte order); stream version (u64); event type
(u16 length + UTF-8); recorded-at microseconds (signed i64); previous entry hash (32 bytes);
payload (u32 length + bytes). Integers are big-endian. The entry hash is the RFC 6962 leaf hash
(RFC 9162 section 2.1.1): SHA-256(0x00 || entry bytes).

tests/vectors/entries.json pins this encoding, and the test suite checks that the writer's
encoder agrees with it byte for byte.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from verify.errors import MalformedInput
from verify.merkle import leaf_hash

FORMAT_VERSION = 1
ZERO_HASH = bytes(32)

_U16 = struct.Struct(">H")
_U32 = struct.Struct(">I")
_U64 = struct.Struct(">Q")
_I64 = struct.Struct(">q")


@dataclass(frozen=True, slots=True)
class EntryFields:
    """The fields of one log entry, exactly as they are hashed."""

    origin: str
    leaf_index: int
    stream_id: UUID
    stream_version: int
    event_type: str
    recorded_at_us: int
    prev_hash: bytes
    payload: bytes


def encode_entry(fields: EntryFields) -> bytes:
    """Return the version 1 entry bytes of the fields."""
    if len(fields.prev_hash) != 32:
        raise MalformedInput(f"prev_hash must be 32 bytes, got {len(fields.prev_hash)}")
    return b"".join(
        (
            bytes((FORMAT_VERSION,)),
            _text(fields.origin, "origin"),
            _integer(_U64, fields.leaf_index, "leaf index"),
            fields.stream_id.bytes,
            _integer(_U64, fields.stream_version, "stream version"),
            _text(fields.event_type, "event type"),
            _integer(_I64, fields.recorded_at_us, "recorded_at_us"),
            fields.prev_hash,
            _integer(_U32, len(fields.payload), "payload length"),
            fields.payload,
        )
    )


def entry_hash(fields: EntryFields) -> bytes:
    """Return the entry hash: SHA-256(0x00 || entry bytes)."""
    return leaf_hash(encode_entry(fields))


def decode_entry(data: bytes) -> EntryFields:
    """Parse version 1 entry bytes back into their fields; refuses trailing bytes."""
    reader = _Reader(data)
    version = reader.take(1)[0]
    if version != FORMAT_VERSION:
        raise MalformedInput(f"entry format version expected {FORMAT_VERSION}, got {version}")
    fields = EntryFields(
        origin=reader.text("origin"),
        leaf_index=reader.integer(_U64),
        stream_id=UUID(bytes=reader.take(16)),
        stream_version=reader.integer(_U64),
        event_type=reader.text("event type"),
        recorded_at_us=reader.integer(_I64),
        prev_hash=reader.take(32),
        payload=reader.take(reader.integer(_U32)),
    )
    if reader.remaining:
        raise MalformedInput(f"{reader.remaining} bytes after the end of the entry")
    return fields


def format_time_us(recorded_at_us: int) -> str:
    """The recorded-at field (microseconds since the Unix epoch) as RFC 3339 UTC text."""
    try:
        moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=recorded_at_us)
    except OverflowError:  # an i64 reaches beyond the years 1 to 9999
        return f"{recorded_at_us} microseconds after 1970-01-01T00:00:00Z"
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def _text(value: str, name: str) -> bytes:
    try:
        raw = value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise MalformedInput(f"{name} is not encodable as UTF-8: {exc.reason}") from None
    return _integer(_U16, len(raw), f"{name} length") + raw


def _integer(layout: struct.Struct, value: int, name: str) -> bytes:
    try:
        return layout.pack(value)
    except struct.error:
        raise MalformedInput(f"{name} {value} does not fit in {layout.size * 8} bits") from None


class _Reader:
    """A cursor over entry bytes that refuses to read past the end."""

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)
        self._offset = 0

    @property
    def remaining(self) -> int:
        return len(self._data) - self._offset

    def take(self, size: int) -> bytes:
        if size > self.remaining:
            raise MalformedInput(
                f"entry truncated at byte {self._offset}: {size} bytes needed, "
                f"{self.remaining} left"
            )
        chunk = bytes(self._data[self._offset : self._offset + size])
        self._offset += size
        return chunk

    def integer(self, layout: struct.Struct) -> int:
        value: int = layout.unpack(self.take(layout.size))[0]
        return value

    def text(self, name: str) -> str:
        raw = self.take(self.integer(_U16))
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedInput(f"{name} is not UTF-8: {exc.reason}") from None
