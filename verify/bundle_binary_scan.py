"""Checks 1 to 5 over a binary bundle (format 2) in one pass, with the checkpoints' roots.

An `E` record carries the exact entry bytes that its hash covers, so an entry is checked by
hashing those bytes (SHA-256(0x00 || entry bytes)) and reading the few fields the checks need
at fixed offsets: the origin prefix, then leaf index, stream id, stream version, the event
type's length, and after the event type the previous hash and the payload length. An entry
that passes every check takes this fast path; any other entry is decoded in full
(verify.entry.decode_entry) and goes through the same checker as a JSON Lines entry
(verify.bundle_scan.check_entry), which names each failure with its facts. Both paths apply
the same rules, so the fast path only decides how quickly a good entry is accepted.

Checkpoints come before the entries, so the Merkle roots at their sizes (and at the sizes
the caller asks for, for --since) are taken during this single pass. Memory: one chunk of the
input, the compact range, and the (last version, last hash) of every stream.
"""

from __future__ import annotations

import hashlib
import io
import struct
from collections.abc import Callable, Collection, Iterator

from verify import bundle_failures as failures
from verify.bundle_binary import (
    CHECKPOINT,
    END,
    ENTRY,
    FRAME,
    MISSING,
    UNLINKED,
    Records,
    checkpoint_record,
    end_record,
    entry_record,
    missing_record,
    read_header,
    unlinked_record,
)
from verify.bundle_reader import EntryLine, Header
from verify.bundle_scan import PROGRESS_EVERY, Progress, Scan, check_entry, parse_checkpoint_line
from verify.entry import ZERO_HASH
from verify.merkle import EMPTY_ROOT, leaf_hash

Record = tuple[int, int, int] | None
Observer = Callable[[EntryLine], None]
# after the origin: leaf index (u64), stream id (16 bytes), stream version (u64), type length
_AFTER_ORIGIN = struct.Struct(">Q16sQH")
_U32 = struct.Struct(">I")
_NEW_STREAM = (0, ZERO_HASH)
FLUSH_EVERY = 1024


def scan_binary(
    stream: io.BufferedIOBase,
    max_failures: int,
    progress: Progress | None,
    prefix_sizes: Collection[int],
    observe: Observer | None,
) -> tuple[Header, Scan, dict[int, bytes]]:
    """Run checks 1-5 over the bundle; return its header, the scan and the roots taken."""
    records = Records(stream)
    header = read_header(records)
    scan = Scan(header.origin, header.tree_size, max_failures)
    wanted = set(prefix_sizes)
    record = records.next()
    while record is not None and record[0] == CHECKPOINT:
        line = checkpoint_record(records, record[1], record[2])
        checkpoint = parse_checkpoint_line(line)
        scan.checkpoints.append((line, checkpoint))
        wanted.add(checkpoint.tree_size)
        record = records.next()
    roots = {0: EMPTY_ROOT} if 0 in wanted else {}
    record = _entries(records, record, scan, wanted, roots, progress, observe)
    while record is not None and record[0] == UNLINKED:
        scan.unlinked += 1
        scan.fail(failures.unlinked(unlinked_record(records, record[1], record[2])))
        record = records.next()
    if record is None:
        raise records.malformed("the bundle has no end record: truncated")
    if record[0] != END:
        raise records.malformed(f"unknown or misplaced record kind {chr(record[0])!r}")
    end_record(records, record[1], record[2], scan.entries, scan.unlinked)
    return header, scan, roots


def _entries(
    records: Records,
    record: Record,
    scan: Scan,
    wanted: set[int],
    roots: dict[int, bytes],
    progress: Progress | None,
    observe: Observer | None,
) -> Record:
    """Checks 2-4 over the `E` and `M` records; returns the first record after them."""
    origin = scan.origin.encode("utf-8")
    # entry bytes start with format version 1 and the origin; a longer origin cannot match
    prefix = b"\x01" + len(origin).to_bytes(2, "big") + origin if len(origin) < 65536 else b""
    while record is not None and (record[0] == ENTRY or record[0] == MISSING):
        kind, start, end = record
        if observe is None and kind == ENTRY and prefix:
            records.pos, records.number = start - FRAME.size, records.number - 1  # unread it
            if _fast_run(records, scan, prefix, wanted, roots, progress):
                record = records.next()
                continue
            records.next()  # the fast path refused it: check it in full
        _check_decoded(records, scan, kind, start, end, observe)
        if scan.entries in wanted:
            roots[scan.entries] = scan.tree.root()
        if scan.entries % PROGRESS_EVERY == 0:
            scan.report(progress)
        record = records.next()
    return record


def _fast_run(
    records: Records,
    scan: Scan,
    prefix: bytes,
    wanted: set[int],
    roots: dict[int, bytes],
    progress: Progress | None,
) -> bool:
    """Accept the entries that pass every check, from the buffer; False if none did.

    Stops before the first record that is not a whole `E` record in the buffer, or whose
    entry bytes are not of the usual shape, or that fails any check: the caller reads that
    one again and checks it in full.
    """
    buf, pos, size = records.buf, records.pos, len(records.buf)
    streams, tree, sha256 = scan.streams, scan.tree, hashlib.sha256
    # one unpack reads the frame and the fields after the origin; x skips the stated hash and
    # the origin prefix (compared in place): kind, length, leaf index, stream id, version,
    # event type length
    head = struct.Struct(f">BI32x{len(prefix)}xQ16sQH")
    unpack, u32 = head.unpack_from, _U32.unpack_from
    body = FRAME.size  # offsets from the frame: the stated hash at `body`, entry bytes at `data`
    data = body + 32
    typed = head.size  # the event type
    first_index = index = scan.next_index  # the leaf index the next entry must have
    first_entries = scan.entries
    stop = index + _next_stop(first_entries, wanted) - first_entries  # where to flush
    leaves: list[bytes] = []
    push, new_stream = leaves.append, _NEW_STREAM
    while pos + typed <= size:
        kind, length, leaf_index, sid, version, type_length = unpack(buf, pos)
        end = pos + body + length
        at = pos + typed + type_length  # the recorded-at field
        if (
            kind != ENTRY
            or end > size
            or at + 44 > end
            or leaf_index != index
            or not buf.startswith(prefix, pos + data)
            or at + 44 + u32(buf, at + 40)[0] != end
            or not buf[at - type_length : at].isascii()
        ):
            break
        leaf = sha256(b"\x00" + buf[pos + data : end]).digest()
        last_version, last_hash = streams.get(sid, new_stream)
        if (
            not buf.startswith(leaf, pos + body)  # the stated hash
            or version != last_version + 1
            or not buf.startswith(last_hash, at + 8)
        ):
            break
        streams[sid] = (version, leaf)  # the stated hash, which equals the leaf
        push(leaf)
        index += 1
        pos = end
        if index == stop:  # a root is wanted here, or progress is due
            tree.extend(leaves)
            leaves.clear()
            entries = scan.entries = first_entries + index - first_index
            if entries in wanted:
                roots[entries] = tree.root()
            scan.report(progress)
            stop = index + _next_stop(entries, wanted) - entries
    tree.extend(leaves)
    accepted = index - first_index
    scan.entries, scan.next_index = first_entries + accepted, index
    scan.events += accepted
    records.pos, records.number = pos, records.number + accepted
    return accepted > 0


def _next_stop(entries: int, wanted: set[int]) -> int:
    """The next entry count at which a root is wanted or progress is reported."""
    # progress every 1024 entries: blocks aligned for CompactRange.extend
    progress = entries - entries % FLUSH_EVERY + FLUSH_EVERY
    return min([size for size in wanted if entries < size < progress] or [progress])


def _check_decoded(
    records: Records, scan: Scan, kind: int, start: int, end: int, observe: Observer | None
) -> None:
    """The general path: decode the entry in full and run the checks with their facts."""
    if kind == ENTRY:
        entry, data, origin = entry_record(records, start, end)
        if origin != scan.origin:
            scan.fail(failures.entry(2, entry, "origin in the entry bytes", scan.origin, origin))
        check_entry(scan, entry, leaf_hash(data), entry.stream_id.bytes)
    else:
        entry = missing_record(records, start, end)
        check_entry(scan, entry, entry.entry_hash, entry.stream_id.bytes)
    if observe is not None:
        observe(entry)


def binary_leaves(stream: io.BufferedIOBase) -> Iterator[bytes]:
    """Yield the Merkle leaf of every entry: the hash of its entry bytes (stated if missing)."""
    records = Records(stream)
    read_header(records)
    record = records.next()
    while record is not None:
        kind, start, end = record
        if kind == ENTRY:
            yield leaf_hash(entry_record(records, start, end)[1])
        elif kind == MISSING:
            yield missing_record(records, start, end).entry_hash
        elif kind != CHECKPOINT:
            return
        record = records.next()
