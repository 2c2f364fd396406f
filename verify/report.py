"""A single report's history with its proofs: the `/v1/reports/{id}/proof` document.

    {"checkpoint": "<signed checkpoint note>",
     "entries": [{<the bundle's entry fields>, "inclusion": ["<base64 hash>", ...]}, ...],
     "report_id": "<uuid>", "pending": <versions not covered yet>}      (both optional)

Checks, numbered as in docs/verify.md:

1. the document is well-formed: a JSON object read as strictly as a bundle line, at least one
   entry, every field of its type (MalformedInput otherwise);
7. and 8. the checkpoint's log signature and the witness policy (verify.policy);
2. every entry hash recomputed from its fields (origin: the checkpoint's) equals the stated one;
4. the entries are one report's chain: the same stream (the report id when one is given),
   versions 1, 2, 3, ... in order, prev_hash the previous entry's hash (32 zero bytes for
   version 1), leaf indexes rising, no entry without its stored event;
10. every entry's inclusion proof, from its recomputed hash at its leaf index, yields the
    checkpoint's root.

Checks 2, 4 and 10 go on after a failure, like a bundle's. The document cannot show that no
later version exists; the log audit (`lapor-verify log --full`) and bundles cover that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from verify import bundle_failures as failures
from verify import fields as f
from verify.bundle_reader import EntryLine, entry_record
from verify.bundle_scan import Scan, entry_leaf
from verify.entry import ZERO_HASH, format_time_us
from verify.errors import MalformedInput, VerificationFailed
from verify.merkle import verify_inclusion
from verify.note import VerifierKey
from verify.policy import AcceptedCheckpoint, WitnessPolicy, accept_checkpoint

MAX_ENTRIES = 100_000


@dataclass(frozen=True, slots=True)
class ReportSummary:
    """A report's verified history and the checkpoint that includes it."""

    report_id: UUID
    entries: tuple[EntryLine, ...]
    checkpoint: AcceptedCheckpoint
    pending: int | None = None  # newer versions no signed checkpoint covers yet (the log's word)

    def to_dict(self) -> dict[str, object]:
        """The history and the checkpoint as JSON-ready data."""
        return {
            "report_id": str(self.report_id),
            "versions": len(self.entries),
            "history": [
                {
                    "stream_version": e.stream_version,
                    "leaf_index": e.leaf_index,
                    "event_type": e.event_type,
                    "recorded_at": format_time_us(e.recorded_at_us),
                    "entry_hash": e.entry_hash.hex(),
                }
                for e in self.entries
            ],
            "checkpoint": self.checkpoint.to_dict(),
            "pending": self.pending,
        }


@dataclass(frozen=True, slots=True)
class ReportProof:
    """A parsed proof document: the checkpoint note, (entry, inclusion proof) pairs, extras."""

    note: str
    entries: list[tuple[EntryLine, list[bytes]]]
    report_id: UUID | None
    pending: int | None


def parse_report_proof(data: bytes) -> ReportProof:
    """Check 1: the checkpoint note and every (entry, inclusion proof) of the document."""
    document = f.load_object(data, None)
    note = f.text(document, "checkpoint", None)
    stated = f.uuid(document, "report_id", None) if "report_id" in document else None
    pending = f.integer(document, "pending", None) if "pending" in document else None
    items = document.get("entries")
    if not isinstance(items, list) or not 0 < len(items) <= MAX_ENTRIES:
        raise MalformedInput(f"entries must be a list of 1 to {MAX_ENTRIES} entry objects")
    entries = []
    for position, item in enumerate(items):
        try:
            if not isinstance(item, dict):
                raise MalformedInput(f"an object expected, got {type(item).__name__}")
            entries.append((entry_record(item, None), f.hash_list(item, "inclusion", None)))
        except MalformedInput as exc:
            raise MalformedInput(f"entries[{position}]: {exc.message}") from None
    return ReportProof(note, entries, stated, pending)


def verify_report_proof(
    data: bytes,
    log_keys: Sequence[VerifierKey],
    policy: WitnessPolicy,
    *,
    report_id: UUID | None = None,
    max_failures: int = 20,
) -> ReportSummary:
    """Checks 1, 7, 8, 2, 4 and 10 over a report's proof document; raise on any failure."""
    document = parse_report_proof(data)
    entries = document.entries
    accepted = accept_checkpoint(document.note, log_keys, policy, where="report proof checkpoint")
    checkpoint = accepted.checkpoint
    expected_id = report_id or document.report_id or entries[0][0].stream_id
    scan = Scan(checkpoint.origin, len(entries), max_failures)
    if document.report_id not in (None, expected_id):
        scan.fail(
            VerificationFailed(
                f"document: report_id expected {expected_id}, got {document.report_id}",
                check=4,
                expected=str(expected_id),
                actual=str(document.report_id),
            )
        )
    previous: EntryLine | None = None
    for entry, proof in entries:
        _check_chain(scan, entry, previous, expected_id)
        leaf = entry_leaf(checkpoint.origin, entry)
        if entry.payload is not None and leaf != entry.entry_hash:
            scan.fail(failures.entry(2, entry, "entry hash", entry.entry_hash.hex(), leaf.hex()))
        if entry.leaf_index >= checkpoint.tree_size:
            below = f"below {checkpoint.tree_size} (the checkpoint's size)"
            scan.fail(failures.entry(10, entry, "leaf index", below, entry.leaf_index))
        else:
            _check_inclusion(scan, entry, leaf, proof, accepted)
        scan.entries += 1
        previous = entry
    scan.raise_failures("the report's history")
    return ReportSummary(expected_id, tuple(e for e, _ in entries), accepted, document.pending)


def _check_chain(scan: Scan, entry: EntryLine, previous: EntryLine | None, report_id: UUID) -> None:
    """Check 4 for one entry of the report, given the entry before it."""
    if entry.stream_id != report_id:
        scan.fail(
            failures.entry(4, entry, "stream (report id)", str(report_id), str(entry.stream_id))
        )
    version = previous.stream_version if previous is not None else 0
    prev_hash = previous.entry_hash if previous is not None else ZERO_HASH
    if entry.stream_version != version + 1:
        scan.fail(failures.entry(4, entry, "stream version", version + 1, entry.stream_version))
    if entry.prev_hash != prev_hash:
        scan.fail(failures.entry(4, entry, "prev_hash", prev_hash.hex(), entry.prev_hash.hex()))
    if previous is not None and entry.leaf_index <= previous.leaf_index:
        what = "leaf index above the previous version's"
        scan.fail(failures.entry(4, entry, what, f"> {previous.leaf_index}", entry.leaf_index))
    if entry.payload is None or entry.event_type is None:
        scan.fail(failures.entry(4, entry, "stored event", "present", "missing"))
    scan.streams[entry.stream_id] = (entry.stream_version, entry.entry_hash)


def _check_inclusion(
    scan: Scan, entry: EntryLine, leaf: bytes, proof: list[bytes], accepted: AcceptedCheckpoint
) -> None:
    """Check 10 for one entry: its inclusion proof against the checkpoint's root."""
    size, root = accepted.checkpoint.tree_size, accepted.checkpoint.root_hash
    try:
        verify_inclusion(entry.leaf_index, size, leaf, proof, root)
    except VerificationFailed as exc:
        what = f"inclusion proof in the tree of size {size}: root"
        scan.fail(failures.entry(10, entry, what, str(exc.expected), str(exc.actual)))
    except MalformedInput as exc:
        raise MalformedInput(f"entry {entry.leaf_index}: {exc.message}") from None
