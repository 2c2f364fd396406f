"""Verification of an export bundle (docs/bundle-format.md), streamed in constant memory.

The checks, numbered as in docs/verify.md:

1. The bundle is well-formed: header first, field types, order of lines, end line with matching
   counts (verify.bundle_reader). Otherwise MalformedInput, raised at once.
2. Every entry hash recomputed from its fields (docs/ledger-format.md, verify.entry) equals
   the stated entry_hash.
3. Leaf indexes run 0..n-1 in order, with no gap, duplicate or reordering, and n equals the
   tree_size in the header.
4. Every stream's chain holds: versions start at 1 and rise by one; prev_hash is the stream's
   previous entry hash (32 zero bytes for version 1); no entry lacks its stored event.
5. No stored event lacks its ledger entry: every unlinked_event line is a failure.
6. Every checkpoint is for the bundle's origin, covers no more entries than the bundle has, and
   its root equals the RFC 6962 Merkle root (RFC 9162 section 2.1.1) of the first tree_size
   entries.
7. Only when the caller has trusted log keys (verify_bundle_signatures): every checkpoint is a
   c2sp.org/tlog-checkpoint signed note with a valid signature by a trusted key named after
   the origin, and there is at least one checkpoint.

Checks 2 to 6 keep going after a failure: up to `max_failures` failures are listed, all are
counted, and BundleVerificationFailed is raised at the end. Memory holds one entry plus the
(last version, last hash) of every stream. Both formats are read (verify.bundle_input tells
them apart). In a JSON Lines bundle, a checkpoint below the bundle's full size needs a second
pass over the input, which is why the input is given as a function that opens it; a binary
bundle states its checkpoints before the entries and is read once (verify.bundle_binary_scan).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Generator
from contextlib import closing
from dataclasses import dataclass, field
from typing import IO

from verify import bundle_failures as failures
from verify.bundle_binary_scan import binary_leaves, scan_binary
from verify.bundle_input import BINARY, open_bundle_stream
from verify.bundle_reader import EntryLine, read_bundle
from verify.bundle_scan import Progress, Scan, entry_leaf, scan_record
from verify.checkpoint import Checkpoint, SignedCheckpoint, verify_checkpoint
from verify.errors import VerificationFailed
from verify.merkle import roots_at_sizes
from verify.note import VerifierKey

Opener = Callable[[], IO[bytes]]
__all__ = [
    "BundleCheckpoint",
    "BundleSummary",
    "Opener",
    "Progress",
    "bundle_leaf_hashes",
    "bundle_roots",
    "verify_bundle",
    "verify_bundle_signatures",
]


@dataclass(frozen=True, slots=True)
class BundleCheckpoint:
    """A checkpoint found in the bundle whose root matched; its signatures are unchecked."""

    line: int  # or record, in a binary bundle
    note: str
    checkpoint: Checkpoint
    unit: str = "line"


@dataclass(frozen=True, slots=True)
class BundleSummary:
    """What a bundle that passed every check contains."""

    origin: str
    entries: int
    streams: int
    events: int
    unlinked: int
    root_hex: str
    checkpoints: tuple[BundleCheckpoint, ...]
    prefix_roots: dict[int, bytes] = field(default_factory=dict)  # sizes the caller asked for

    @property
    def reports(self) -> int:
        """Number of reports: each stream is one report's history."""
        return self.streams

    @property
    def checkpoints_checked(self) -> int:
        """Number of checkpoints whose root matched the entries."""
        return len(self.checkpoints)

    def to_dict(self) -> dict[str, object]:
        """Return the summary as JSON-ready data."""
        return {
            "origin": self.origin,
            "entries": self.entries,
            "streams": self.streams,
            "reports": self.reports,
            "events": self.events,
            "unlinked": self.unlinked,
            "tree_size": self.entries,
            "root": self.root_hex,
            "checkpoints_checked": self.checkpoints_checked,
        }


def verify_bundle(
    open_bundle: Opener,
    *,
    max_failures: int = 20,
    progress: Progress | None = None,
    prefix_sizes: Collection[int] = (),
    observe: Callable[[EntryLine], None] | None = None,
) -> BundleSummary:
    """Run checks 1-6 over the bundle that `open_bundle` opens; raise on any failure."""
    # prefix_sizes: the roots of the first n entries that check 9 needs, computed in the same
    # passes; sizes beyond the bundle's entries are absent from summary.prefix_roots.
    # observe: called with every entry line of the first pass, after the checks of that line
    # (verify.sla folds the clear headers there); its results mean nothing unless this returns.
    if max_failures < 1:
        raise ValueError("max_failures must be at least 1")
    roots: dict[int, bytes] | None = None  # a binary bundle gives them in its one pass
    with open_bundle() as raw:
        bundle_format, stream = open_bundle_stream(raw)
        if bundle_format == BINARY:
            header, scan, roots = scan_binary(stream, max_failures, progress, prefix_sizes, observe)
        else:
            header, records = read_bundle(stream)
            scan = Scan(header.origin, header.tree_size, max_failures)
            for record in records:
                scan_record(scan, record, progress)
                if observe is not None and isinstance(record, EntryLine):
                    observe(record)
    scan.report(progress)
    if header.tree_size != scan.entries:
        scan.fail(failures.tree_size(header, scan.entries))
    checked, roots = _check_checkpoints(scan, open_bundle, prefix_sizes, roots)
    scan.raise_failures("a bundle")
    return BundleSummary(
        origin=header.origin,
        entries=scan.entries,
        streams=len(scan.streams),
        events=scan.events,
        unlinked=scan.unlinked,
        root_hex=scan.tree.root().hex(),
        checkpoints=checked,
        prefix_roots={size: roots[size] for size in prefix_sizes if size in roots},
    )


def bundle_leaf_hashes(open_bundle: Opener) -> Generator[bytes, None, None]:
    """Yield the Merkle leaf of every entry, in order: its hash recomputed from its fields."""
    with open_bundle() as raw:
        bundle_format, stream = open_bundle_stream(raw)
        if bundle_format == BINARY:
            yield from binary_leaves(stream)
            return
        header, records = read_bundle(stream)
        for record in records:
            if isinstance(record, EntryLine):
                yield entry_leaf(header.origin, record)


def verify_bundle_signatures(
    summary: BundleSummary, log_keys: Collection[VerifierKey]
) -> tuple[SignedCheckpoint, ...]:
    """Check 7: every checkpoint of a verified bundle is signed by a trusted log key."""
    if not summary.checkpoints:
        raise VerificationFailed(
            "checkpoint signed by a trusted log key expected, got no checkpoint in the bundle",
            check=7,
            expected="checkpoint",
            actual="none",
        )
    signed = []
    for found in summary.checkpoints:
        try:
            signed.append(verify_checkpoint(found.note, log_keys, origin=summary.origin))
        except VerificationFailed as exc:
            raise VerificationFailed(
                f"checkpoint at {found.unit} {found.line} (size {found.checkpoint.tree_size}): "
                f"{exc.message}",
                check=7,
                expected=exc.expected,
                actual=exc.actual,
                line=found.line,
            ) from None
    return tuple(signed)


def bundle_roots(open_bundle: Opener, sizes: Collection[int]) -> dict[int, bytes]:
    """Return the Merkle root of the first n entries for each requested n, in one pass."""
    with closing(bundle_leaf_hashes(open_bundle)) as leaves:
        return roots_at_sizes(leaves, sizes)


def _check_checkpoints(
    scan: Scan, open_bundle: Opener, prefix_sizes: Collection[int], known: dict[int, bytes] | None
) -> tuple[tuple[BundleCheckpoint, ...], dict[int, bytes]]:
    """Check 6: every checkpoint's root against the entries, with one more pass if needed."""
    # A JSON Lines bundle states its checkpoints after the entries, so a checkpoint below the
    # full size needs a second pass; a binary bundle states them first (`known` roots).
    if known is None:
        wanted = {cp.tree_size for _, cp in scan.checkpoints} | set(prefix_sizes)
        sizes = {size for size in wanted if size < scan.entries}
        known = bundle_roots(open_bundle, sizes) if sizes else {}
    roots = {size: root for size, root in known.items() if size <= scan.entries}
    roots[scan.entries] = scan.tree.root()
    matched = []
    for line, cp in scan.checkpoints:
        failure = failures.checkpoint(scan.origin, scan.entries, line, cp, roots.get(cp.tree_size))
        if failure is None:
            matched.append(BundleCheckpoint(line.line, line.note, cp, line.unit))
        else:
            scan.fail(failure)
    return tuple(matched), roots
