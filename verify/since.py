"""Check 9: a new checkpoint is consistent with the last one the auditor or witness accepted.

The saved checkpoint is a signed note in a file (`--since FILE`, a witness's `--state FILE`).
A log never rewrites its past: the new checkpoint's tree must contain the saved tree as its
prefix (RFC 9162 section 2.1.4), or, if it is older (a lagging read replica), be a prefix of
it; the saved file then stays. For an export bundle, which holds every leaf, that is the
Merkle root of its first `old_size` entries compared with the saved root; for the live log, a
consistency proof verified with verify.merkle. The file is replaced atomically (a temporary
file in the same folder, then a rename), so it always holds one whole checkpoint: the old one
after a failure, the new one after a success.
"""

from __future__ import annotations

import contextlib
import hmac
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from verify.checkpoint import Checkpoint
from verify.errors import InputUnavailable, MalformedInput, VerificationFailed
from verify.merkle import EMPTY_ROOT, verify_consistency
from verify.note import VerifierKey
from verify.policy import AcceptedCheckpoint, WitnessPolicy, accept_checkpoint


def load_saved(
    path: Path, log_keys: Iterable[VerifierKey], *, origin: str | None = None
) -> AcceptedCheckpoint | None:
    """The checkpoint saved in `path`, its log signature checked again; None if no file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputUnavailable(f"saved checkpoint {path}: {exc.strerror}") from None
    where = f"saved checkpoint {path}"
    try:
        return accept_checkpoint(data.decode("utf-8"), log_keys, WitnessPolicy(), where=where)
    except UnicodeDecodeError:
        raise MalformedInput(f"{where}: not UTF-8") from None
    except MalformedInput as exc:
        raise MalformedInput(f"{where}: {exc.message}") from None


def save_checkpoint(path: Path, note: str) -> None:
    """Write the note to `path` atomically: a temporary file, fsync, then a rename."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise InputUnavailable(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(note)
            out.flush()
            os.fsync(out.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    with contextlib.suppress(OSError):  # make the rename durable where directories can sync
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def check_prefix_root(saved: Checkpoint, new: Checkpoint, root: bytes | None, held: int) -> None:
    """Check 9 for a bundle: the root of its first `saved.tree_size` entries is the saved root."""
    # The bundle holds every leaf, so this proves the saved tree a prefix of the bundle's, whose
    # checkpoints check 6 matched with the same leaves: `new` only names the bundle's newest.
    _check_origin(saved, new)
    if root is None:
        raise _inconsistent(
            saved,
            new,
            f"entries expected at least {saved.tree_size}, the bundle holds {held}",
            saved.tree_size,
            held,
        )
    if not hmac.compare_digest(root, saved.root_hash):
        raise _inconsistent(
            saved,
            new,
            f"root of the first {saved.tree_size} entries expected {saved.root_hash.hex()}, "
            f"got {root.hex()}",
            saved.root_hash.hex(),
            root.hex(),
        )


def check_consistency(saved: Checkpoint, new: Checkpoint, proof: Sequence[bytes]) -> None:
    """Check 9 for the live log: a consistency proof between the saved tree and the new one."""
    # The proof runs from the smaller tree to the larger: a new checkpoint older than the saved
    # one (a lagging read replica) is consistent if it is a prefix; callers then keep the
    # saved one. Anything else that is not one history fails.
    _check_frame(saved, new)
    (size1, root1), (size2, root2) = sorted(
        [(saved.tree_size, saved.root_hash), (new.tree_size, new.root_hash)]
    )
    if not needs_consistency_proof(saved, new):
        if proof:
            raise MalformedInput(
                f"consistency proof from size {size1} to {size2}: "
                f"expected 0 hashes, got {len(proof)}"
            )
        return
    try:
        verify_consistency(size1, size2, proof, root1, root2)
    except VerificationFailed as exc:
        raise _inconsistent(saved, new, exc.message, exc.expected, exc.actual) from None


def needs_consistency_proof(saved: Checkpoint, new: Checkpoint) -> bool:
    """Whether check 9 between these two needs a proof (not for equal or empty trees)."""
    return saved.tree_size != new.tree_size and min(saved.tree_size, new.tree_size) > 0


def proof_sizes(saved: Checkpoint, new: Checkpoint) -> tuple[int, int]:
    """The sizes (smaller, larger) to ask a consistency proof for."""
    return min(saved.tree_size, new.tree_size), max(saved.tree_size, new.tree_size)


def _check_origin(saved: Checkpoint, new: Checkpoint) -> None:
    if new.origin != saved.origin:
        raise _inconsistent(
            saved,
            new,
            f"origin expected {saved.origin!r}, got {new.origin!r}",
            saved.origin,
            new.origin,
        )


def _check_frame(saved: Checkpoint, new: Checkpoint) -> None:
    """The parts of check 9 that need no proof: same origin, empty trees, equal sizes."""
    _check_origin(saved, new)
    for which in (saved, new):
        if which.tree_size == 0 and which.root_hash != EMPTY_ROOT:
            raise _inconsistent(
                saved,
                new,
                f"the empty tree's root expected {EMPTY_ROOT.hex()}, got {which.root_hash.hex()}",
                EMPTY_ROOT.hex(),
                which.root_hash.hex(),
            )
    if new.tree_size == saved.tree_size and not hmac.compare_digest(new.root_hash, saved.root_hash):
        raise _inconsistent(
            saved,
            new,
            f"root at size {saved.tree_size} expected {saved.root_hash.hex()}, "
            f"got {new.root_hash.hex()}: a split view",
            saved.root_hash.hex(),
            new.root_hash.hex(),
        )


def _inconsistent(
    saved: Checkpoint,
    new: Checkpoint,
    detail: str,
    expected: str | int | None,
    actual: str | int | None,
) -> VerificationFailed:
    return VerificationFailed(
        f"checkpoint (size {new.tree_size}, root {new.root_hash.hex()}) is not consistent with "
        f"the saved checkpoint (size {saved.tree_size}, root {saved.root_hash.hex()}): {detail}",
        check=9,
        expected=expected,
        actual=actual,
    )
