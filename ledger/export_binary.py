"""Binary export bundles, format lapor-ledger-bundle/v2 (docs/bundle-format.md).

After the magic line, records `kind (1 byte) || body length (u32 big-endian) || body`: the
header, the checkpoints, one record per entry in leaf order, the unlinked events, the end.
An entry record holds the stored entry hash and the entry bytes (docs/ledger-format.md) built
from what the database holds for it: the stored event's type and payload, and the entry's
leaf index, stream, version, recorded time and previous hash (PostgreSQL keeps these in
`ledger_entries`, SQLite in the event's own row). The verifier hashes those bytes and compares
with the stored hash, so a change to any of them shows.
"""

from __future__ import annotations

import base64
import json
import struct
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime

from ledger.integrity.entry import ENTRY_FORMAT_VERSION, Entry, encode_entry
from ledger.storage.records import EntryRecord, LedgerReads, UnlinkedEvent

MAGIC = b"lapor-ledger-bundle/v2\n"
HEADER, CHECKPOINT, ENTRY, MISSING, UNLINKED, END = b"HCEMUZ"
_FRAME = struct.Struct(">BI")
_MISSING = struct.Struct(">32sQ16sQq32s")

Progress = Callable[[int, int], None]


def record(kind: int, body: bytes) -> bytes:
    """One framed record: kind, body length (u32), body."""
    return _FRAME.pack(kind, len(body)) + body


def _json(kind: int, obj: dict[str, object]) -> bytes:
    body = json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return record(kind, body)


def entry_record(origin: str, e: EntryRecord) -> bytes:
    """An `E` record (stored hash, entry bytes), or `M` when the stored event is missing."""
    if e.event_type is None or e.payload is None:
        body = _MISSING.pack(
            e.entry_hash,
            e.leaf_index,
            e.stream_id.bytes,
            e.stream_version,
            e.recorded_at_us,
            e.prev_hash,
        )
        return record(MISSING, body)
    data = encode_entry(
        Entry(
            origin=origin,
            leaf_index=e.leaf_index,
            stream_id=e.stream_id,
            stream_version=e.stream_version,
            event_type=e.event_type,
            recorded_at_us=e.recorded_at_us,
            prev_hash=e.prev_hash,
            payload=e.payload,
        )
    )
    return record(ENTRY, e.entry_hash + data)


def unlinked_record(u: UnlinkedEvent) -> bytes:
    """A `U` record: a stored event that has no ledger entry."""
    return _json(
        UNLINKED,
        {
            "stream_id": str(u.stream_id),
            "stream_version": u.stream_version,
            "event_type": u.event_type,
            "payload": base64.b64encode(u.payload).decode(),
        },
    )


def binary_bundle_chunks(
    ledger: LedgerReads,
    *,
    size: int | None = None,
    checkpoints: Iterable[str] = (),
    progress: Progress | None = None,
) -> Iterator[bytes]:
    """Yield the bytes of a binary bundle of the first `size` entries (default: all)."""
    size = ledger.tree_size() if size is None else size
    yield MAGIC
    yield _json(
        HEADER,
        {
            "entry_format": ENTRY_FORMAT_VERSION,
            "origin": ledger.origin,
            "exported_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "tree_size": size,
        },
    )
    for note in checkpoints:
        yield record(CHECKPOINT, note.encode("utf-8"))
    entries = 0
    origin = ledger.origin
    for e in ledger.iter_entries(0, size):
        yield entry_record(origin, e)
        entries += 1
        if progress is not None and entries % 1000 == 0:
            progress(entries, size)
    unlinked = 0
    for u in ledger.iter_unlinked_events():
        yield unlinked_record(u)
        unlinked += 1
    if progress is not None:
        progress(entries, size)
    yield _json(END, {"entries": entries, "unlinked_events": unlinked})
