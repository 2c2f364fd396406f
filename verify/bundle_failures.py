"""The failures that verify.bundle reports, one constructor per kind, with their facts.

Each message says where (entry leaf index, stream and version, or bundle line) and what, as
"<what> expected <X>, got <Y>": `expected` is what the reference commits to (the stated hash,
the stream's previous link, the signed root) and `actual` what the data in hand yields.
"""

from __future__ import annotations

from verify.bundle_reader import CheckpointLine, EntryLine, Header, UnlinkedEvent
from verify.checkpoint import Checkpoint
from verify.errors import VerificationFailed


def entry(
    check: int, entry: EntryLine, what: str, expected: int | str, actual: int | str
) -> VerificationFailed:
    """A failure of checks 2, 3 or 4 at one entry."""
    return VerificationFailed(
        f"entry {entry.leaf_index} (stream {entry.stream_id} v{entry.stream_version}): "
        f"{what} expected {expected}, got {actual}",
        check=check,
        leaf_index=entry.leaf_index,
        stream_id=str(entry.stream_id),
        stream_version=entry.stream_version,
        expected=expected,
        actual=actual,
        line=entry.line,
    )


def tree_size(header: Header, entries: int) -> VerificationFailed:
    """Check 3: the header's tree size is not the number of entries in the bundle."""
    return VerificationFailed(
        f"header: tree_size expected {header.tree_size} entries, got {entries}",
        check=3,
        expected=header.tree_size,
        actual=entries,
        line=header.line,
    )


def unlinked(event: UnlinkedEvent) -> VerificationFailed:
    """Check 5: a stored event without a ledger entry."""
    return VerificationFailed(
        f"stored event (stream {event.stream_id} v{event.stream_version}, {event.event_type}): "
        "ledger entry expected, got none",
        check=5,
        stream_id=str(event.stream_id),
        stream_version=event.stream_version,
        expected="ledger entry",
        actual="none",
        line=event.line,
    )


def checkpoint(
    origin: str, entries: int, line: CheckpointLine, cp: Checkpoint, root: bytes | None
) -> VerificationFailed | None:
    """Check 6 for one checkpoint, given the entries' root at its size (None if beyond)."""
    if cp.origin != origin:
        what, expected, actual = "origin", origin, cp.origin
    elif root is None:
        what, expected, actual = "entries in the bundle", str(cp.tree_size), str(entries)
    elif root != cp.root_hash:
        what, expected, actual = "Merkle root", cp.root_hash.hex(), root.hex()
    else:
        return None
    return VerificationFailed(
        f"checkpoint at {line.unit} {line.line} (size {cp.tree_size}): "
        f"{what} expected {expected}, got {actual}",
        check=6,
        expected=expected,
        actual=actual,
        line=line.line,
    )
