"""Framing of binary export bundles, format lapor-ledger-bundle/v2 (docs/bundle-format.md).

After the magic line `lapor-ledger-bundle/v2\\n`, a bundle is a sequence of records, each
`kind (1 byte) || body length (u32, big-endian) || body`, numbered from 1 (the header). The
kinds, in this order: `H` header (one), `C` checkpoints, `E` entries (the stated entry hash,
then the exact entry bytes of docs/ledger-format.md) and `M` entries whose stored event is
missing, `U` unlinked events, `Z` end (one). `H`, `U` and `Z` bodies are JSON objects with the
fields of the JSON Lines format; a `C` body is the signed note itself.

This module reads the frames and the small records; verify.bundle_binary_scan runs the checks.
Every problem with the framing or a field is MalformedInput naming the record.
"""

from __future__ import annotations

import io
import struct
from uuid import UUID

from verify import bundle_reader as reader
from verify import fields as f
from verify.bundle_input import read_chunk
from verify.bundle_reader import ENTRY_FORMAT, CheckpointLine, EntryLine, Header, UnlinkedEvent
from verify.entry import decode_entry
from verify.errors import MalformedInput

HEADER, CHECKPOINT, ENTRY, MISSING, UNLINKED, END = b"HCEMUZ"
MAX_RECORD_BYTES = 64 * 1024 * 1024
CHUNK_BYTES = 1 << 20
FRAME = struct.Struct(">BI")
# an `M` body: stated hash, leaf index, stream id, stream version, recorded-at, prev hash
MISSING_BODY = struct.Struct(">32sQ16sQq32s")
UNIT = "record"


class Records:
    """The records of a binary bundle, read in large chunks from the decompressed stream.

    `buf[start:end]` is the body of the record last returned by `next()`; `pos` is where the
    next frame starts. The entry checker reads `buf` and `pos` directly in its fast path.
    """

    __slots__ = ("buf", "number", "pos", "stream")

    def __init__(self, stream: io.BufferedIOBase) -> None:
        self.stream = stream
        self.buf = b""
        self.pos = 0
        self.number = 0  # of the record last returned

    def next(self) -> tuple[int, int, int] | None:
        """Return (kind, start, end) of the next record's body in `buf`, or None at the end."""
        self.number += 1
        if not self.fill(FRAME.size):
            if self.pos == len(self.buf):
                return None
            raise self.malformed("truncated record frame")
        kind, length = FRAME.unpack_from(self.buf, self.pos)
        if length > MAX_RECORD_BYTES:
            raise self.malformed(f"record longer than {MAX_RECORD_BYTES} bytes")
        if not self.fill(FRAME.size + length):
            raise self.malformed(f"truncated record: {length} bytes of body announced")
        start = self.pos + FRAME.size
        self.pos = start + length
        return kind, start, self.pos

    def fill(self, size: int) -> bool:
        """Make `buf[pos:]` hold at least `size` bytes if the stream has them."""
        have = len(self.buf) - self.pos
        if have >= size:
            return True
        parts = [self.buf[self.pos :]]
        while have < size:
            chunk = read_chunk(self.stream, max(CHUNK_BYTES, size - have), self.number, UNIT)
            if not chunk:
                break
            parts.append(chunk)
            have += len(chunk)
        self.buf = b"".join(parts)
        self.pos = 0
        return have >= size

    def malformed(self, message: str) -> MalformedInput:
        """A MalformedInput naming the current record."""
        return MalformedInput(message, line=self.number, unit=UNIT)

    def json(self, start: int, end: int) -> dict[str, object]:
        """The body as a strict JSON object (verify.fields)."""
        try:
            return f.load_object(self.buf[start:end], None)
        except MalformedInput as exc:
            raise exc.in_record(self.number) from None


def read_header(records: Records) -> Header:
    """Read record 1, which must be the header."""
    record = records.next()
    if record is None or record[0] != HEADER:
        raise records.malformed("the first record must be the header (H)")
    data = records.json(record[1], record[2])
    try:
        if f.integer(data, "entry_format", None) != ENTRY_FORMAT:
            raise MalformedInput(f"entry_format expected {ENTRY_FORMAT}")
        return Header(
            line=records.number,
            origin=f.text(data, "origin", None),
            exported_at=f.timestamp(data, "exported_at", None),
            tree_size=f.integer(data, "tree_size", None),
        )
    except MalformedInput as exc:
        raise exc.in_record(records.number) from None


def checkpoint_record(records: Records, start: int, end: int) -> CheckpointLine:
    """A `C` record: the signed note as UTF-8 text."""
    try:
        note = records.buf[start:end].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise records.malformed(f"checkpoint note is not UTF-8: {exc.reason}") from None
    return CheckpointLine(records.number, note, UNIT)


def entry_record(records: Records, start: int, end: int) -> tuple[EntryLine, bytes, str]:
    """An `E` record as an entry, with its entry bytes and the origin inside them."""
    if end - start < 32:
        raise records.malformed("entry record shorter than its 32-byte entry hash")
    data = records.buf[start + 32 : end]
    try:
        fields = decode_entry(data)
    except MalformedInput as exc:
        raise records.malformed(f"entry bytes: {exc.message}") from None
    entry = EntryLine(
        line=records.number,
        leaf_index=fields.leaf_index,
        stream_id=fields.stream_id,
        stream_version=fields.stream_version,
        event_type=fields.event_type,
        recorded_at_us=fields.recorded_at_us,
        prev_hash=fields.prev_hash,
        entry_hash=records.buf[start : start + 32],
        payload=fields.payload,
    )
    return entry, data, fields.origin


def missing_record(records: Records, start: int, end: int) -> EntryLine:
    """An `M` record: an entry whose stored event is missing from the database."""
    if end - start != MISSING_BODY.size:
        raise records.malformed(
            f"missing-event record must be {MISSING_BODY.size} bytes, got {end - start}"
        )
    stated, leaf, stream, version, recorded, prev = MISSING_BODY.unpack_from(records.buf, start)
    return EntryLine(
        records.number, leaf, UUID(bytes=stream), version, None, recorded, prev, stated, None
    )


def unlinked_record(records: Records, start: int, end: int) -> UnlinkedEvent:
    """A `U` record: a stored event without a ledger entry."""
    data = records.json(start, end)
    try:
        return reader.unlinked_record(data, records.number)
    except MalformedInput as exc:
        raise exc.in_record(records.number) from None


def end_record(records: Records, start: int, end: int, entries: int, unlinked: int) -> None:
    """The `Z` record: counts that match, and nothing after it."""
    data = records.json(start, end)
    for key, counted in (("entries", entries), ("unlinked_events", unlinked)):
        try:
            stated = f.integer(data, key, None)
        except MalformedInput as exc:
            raise exc.in_record(records.number) from None
        if stated != counted:
            raise records.malformed(f"end record states {key} {stated}, the bundle has {counted}")
    if records.next() is not None:
        raise records.malformed("data after the end record")
