"""Checks 2 to 5 of verify.bundle, applied line by line during the first pass.

The same streaming checker runs over the entry lines of a bundle file and over the entry lines
downloaded from the live log (verify.log_audit), so both are held to the same rules. The state
is constant in size apart from one (last version, last hash) pair per stream, the RFC 6962
compact range of the Merkle tree (RFC 9162 section 2.1.1) and the failures kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import UUID

from verify import bundle_failures as failures
from verify.bundle_reader import BodyRecord, CheckpointLine, EntryLine, UnlinkedEvent
from verify.checkpoint import Checkpoint, parse_checkpoint
from verify.entry import ZERO_HASH, EntryFields, entry_hash
from verify.errors import BundleVerificationFailed, MalformedInput, VerificationFailed
from verify.merkle import CompactRange
from verify.note import parse_note

Progress = Callable[[int, int], None]
PROGRESS_EVERY = 1000


@dataclass
class Scan:
    """The running state of the first pass over a bundle, or over the log's entries."""

    origin: str
    expected_size: int  # the header's tree_size, or the checkpoint's for the live log
    max_failures: int
    entries: int = 0
    events: int = 0
    unlinked: int = 0
    next_index: int = 0
    # keyed by the stream's UUID, or by its 16 bytes in a binary bundle (verify.bundle_binary)
    streams: dict[UUID | bytes, tuple[int, bytes]] = field(default_factory=dict)
    tree: CompactRange = field(default_factory=CompactRange)
    checkpoints: list[tuple[CheckpointLine, Checkpoint]] = field(default_factory=list)
    failures: list[VerificationFailed] = field(default_factory=list)
    by_check: dict[int, int] = field(default_factory=dict)

    def fail(self, failure: VerificationFailed) -> None:
        """Count a failure and keep it if fewer than max_failures are kept."""
        check = failure.check or 0
        self.by_check[check] = self.by_check.get(check, 0) + 1
        if len(self.failures) < self.max_failures:
            self.failures.append(failure)

    def report(self, progress: Progress | None) -> None:
        """Tell the progress callback how far the first pass is."""
        if progress is not None:
            progress(self.entries, max(self.expected_size, self.entries))

    def raise_failures(self, subject: str) -> None:
        """Raise BundleVerificationFailed listing the failures, if any check failed."""
        if self.failures:
            raise BundleVerificationFailed(
                self.failures,
                total_failures=sum(self.by_check.values()),
                failures_by_check=self.by_check,
                entries=self.entries,
                streams=len(self.streams),
                subject=subject,
            )


def scan_record(scan: Scan, record: BodyRecord, progress: Progress | None) -> None:
    """Apply checks 2 to 5 to one line after the header."""
    if isinstance(record, EntryLine):
        check_entry(scan, record, entry_leaf(scan.origin, record))
        if scan.entries % PROGRESS_EVERY == 0:
            scan.report(progress)
    elif isinstance(record, UnlinkedEvent):
        scan.unlinked += 1
        scan.fail(failures.unlinked(record))
    else:
        scan.checkpoints.append((record, parse_checkpoint_line(record)))


def check_entry(
    scan: Scan, entry: EntryLine, leaf: bytes, stream_key: UUID | bytes | None = None
) -> None:
    """Checks 2, 3 and 4 for one entry, whose Merkle leaf is its recomputed hash `leaf`.

    `stream_key` keys the stream's chain state (default: its UUID; a binary bundle uses the
    stream id's 16 bytes).
    """
    key = entry.stream_id if stream_key is None else stream_key
    scan.entries += 1
    if entry.leaf_index != scan.next_index:
        scan.fail(failures.entry(3, entry, "leaf index", scan.next_index, entry.leaf_index))
    scan.next_index = max(scan.next_index, entry.leaf_index + 1)
    if entry.payload is None or entry.event_type is None:
        scan.fail(failures.entry(4, entry, "stored event", "present", "missing"))
    else:
        scan.events += 1
        if leaf != entry.entry_hash:
            scan.fail(failures.entry(2, entry, "entry hash", entry.entry_hash.hex(), leaf.hex()))
    scan.tree.append(leaf)
    version, prev_hash = scan.streams.get(key, (0, ZERO_HASH))
    if entry.stream_version != version + 1:
        scan.fail(failures.entry(4, entry, "stream version", version + 1, entry.stream_version))
    if entry.prev_hash != prev_hash:
        scan.fail(failures.entry(4, entry, "prev_hash", prev_hash.hex(), entry.prev_hash.hex()))
    # The chain continues from the stated hash, so that one damaged entry is reported once.
    scan.streams[key] = (entry.stream_version, entry.entry_hash)


def entry_leaf(origin: str, entry: EntryLine) -> bytes:
    """Return the entry's Merkle leaf: its hash recomputed from its fields (stated if missing)."""
    if entry.payload is None or entry.event_type is None:
        return entry.entry_hash  # nothing to recompute; check 4 reports the missing event
    try:
        return entry_hash(
            EntryFields(
                origin=origin,
                leaf_index=entry.leaf_index,
                stream_id=entry.stream_id,
                stream_version=entry.stream_version,
                event_type=entry.event_type,
                recorded_at_us=entry.recorded_at_us,
                prev_hash=entry.prev_hash,
                payload=entry.payload,
            )
        )
    except MalformedInput as exc:
        raise MalformedInput(exc.message, line=entry.line) from None


def parse_checkpoint_line(line: CheckpointLine) -> Checkpoint:
    """Parse the checkpoint of a bundle's checkpoint line or record (signatures unchecked)."""
    try:
        return parse_checkpoint(parse_note(line.note).text)
    except MalformedInput as exc:
        raise MalformedInput(
            f"checkpoint note: {exc.message}", line=line.line, unit=line.unit
        ) from None
