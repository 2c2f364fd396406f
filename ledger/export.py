"""Export bundles: the whole ledger as a stream (docs/bundle-format.md).

Two formats: binary (format 2, `ledger.export_binary`, the default of `lapor-ledger export`)
and JSON Lines (format 1, below; its `entry` objects are also the log's HTTP entry lines).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import IO, Literal

from ledger.export_binary import ENTRY, MISSING, binary_bundle_chunks
from ledger.integrity.entry import ENTRY_FORMAT_VERSION
from ledger.storage.records import EntryRecord, LedgerReads, UnlinkedEvent
from ledger.tlog import SignedCheckpoint, TransparencyLog

BUNDLE_FORMAT = "lapor-ledger-bundle/v1"

Progress = Callable[[int, int], None]
BundleFormat = Literal["binary", "jsonl"]


def _line(obj: dict[str, object]) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n"


def entry_object(e: EntryRecord) -> dict[str, object]:
    """The fields of an `entry` line; a missing stored event is written as nulls."""
    return {
        "kind": "entry",
        "leaf_index": e.leaf_index,
        "stream_id": str(e.stream_id),
        "stream_version": e.stream_version,
        "event_type": e.event_type,
        "recorded_at_us": e.recorded_at_us,
        "prev_hash": e.prev_hash.hex(),
        "entry_hash": e.entry_hash.hex(),
        "payload": None if e.payload is None else base64.b64encode(e.payload).decode(),
    }


def entry_line(e: EntryRecord) -> str:
    """One `entry` line; a missing stored event is written as nulls, never skipped."""
    return _line(entry_object(e))


def unlinked_line(u: UnlinkedEvent) -> str:
    """One `unlinked_event` line."""
    return _line(
        {
            "kind": "unlinked_event",
            "stream_id": str(u.stream_id),
            "stream_version": u.stream_version,
            "event_type": u.event_type,
            "payload": base64.b64encode(u.payload).decode(),
        }
    )


def bundle_lines(
    ledger: LedgerReads,
    *,
    size: int | None = None,
    checkpoints: Iterable[str] = (),
    progress: Progress | None = None,
) -> Iterator[str]:
    """Yield the lines of a bundle of the first `size` entries (default: all), streaming."""
    size = ledger.tree_size() if size is None else size
    yield _line(
        {
            "kind": "header",
            "format": BUNDLE_FORMAT,
            "entry_format": ENTRY_FORMAT_VERSION,
            "origin": ledger.origin,
            "exported_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "tree_size": size,
        }
    )
    entries = 0
    for record in ledger.iter_entries(0, size):
        yield entry_line(record)
        entries += 1
        if progress is not None and entries % 1000 == 0:
            progress(entries, size)
    unlinked = 0
    for u in ledger.iter_unlinked_events():
        yield unlinked_line(u)
        unlinked += 1
    for note in checkpoints:
        yield _line({"kind": "checkpoint", "note": note})
    if progress is not None:
        progress(entries, size)
    yield _line({"kind": "end", "entries": entries, "unlinked_events": unlinked})


def write_bundle(
    ledger: LedgerReads,
    out: IO[str],  # JSON Lines: see write_binary_bundle for format 2
    *,
    size: int | None = None,
    checkpoints: Iterable[str] = (),
    progress: Progress | None = None,
) -> int:
    """Write a bundle to a text stream; returns the number of entries written."""
    count = 0
    for line in bundle_lines(ledger, size=size, checkpoints=checkpoints, progress=progress):
        out.write(line)
        count += line.startswith('{"kind":"entry"')
    return count


def write_binary_bundle(
    ledger: LedgerReads,
    out: IO[bytes],
    *,
    size: int | None = None,
    checkpoints: Iterable[str] = (),
    progress: Progress | None = None,
) -> int:
    """Write a binary bundle (format 2) to a byte stream; returns the number of entries."""
    count = 0
    chunks = binary_bundle_chunks(ledger, size=size, checkpoints=checkpoints, progress=progress)
    for chunk in chunks:
        out.write(chunk)
        count += chunk[0] in (ENTRY, MISSING)
    return count


def write_signed_bundle(
    ledger: LedgerReads,
    tlog: TransparencyLog,
    out: IO[bytes],
    *,
    bundle_format: BundleFormat = "binary",
    progress: Progress | None = None,
) -> SignedCheckpoint:
    """Integrate and sign now, then write the log up to its latest checkpoint, with checkpoints.

    The bundle ends exactly at the latest signed checkpoint, so its whole tree is covered even
    while the service goes on appending; it carries that checkpoint and, if smaller, the latest
    witnessed one, each with its cosignatures. `bundle_format` is "binary" (format 2, the
    default) or "jsonl" (format 1, JSON Lines, written as UTF-8). Returns the latest checkpoint.
    A node that never signs (a replica, `LEDGER_TLOG_SIGNING=off`) exports up to the latest
    checkpoint it holds, without integrating or signing.
    """
    if tlog.signs():
        tlog.publish_once()
    latest = tlog.latest_checkpoint()
    chosen = {latest.tree_size: latest}
    witnessed = tlog.latest_witnessed_checkpoint()
    if witnessed is not None:
        chosen.setdefault(witnessed.tree_size, witnessed)
    notes = [tlog.cosigned_note(chosen[size]) for size in sorted(chosen)]
    if bundle_format == "binary":
        write_binary_bundle(
            ledger, out, size=latest.tree_size, checkpoints=notes, progress=progress
        )
    else:
        for line in bundle_lines(
            ledger, size=latest.tree_size, checkpoints=notes, progress=progress
        ):
            out.write(line.encode("utf-8"))
    return latest
