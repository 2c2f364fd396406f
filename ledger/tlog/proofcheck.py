"""The log's own check of its proofs before it signs or hands them out (RFC 9162).

Inclusion: RFC 9162 section 2.1.3.2. Consistency: RFC 9162 section 2.1.4.2. The ledger
cannot import verify/ (it is the auditors' independent code), so the log carries this short
verifier to refuse signing a root that its own nodes do not prove to extend the last
checkpoint, and to refuse issuing a receipt that would not verify.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence

from ledger.tlog.errors import ProofMismatch
from ledger.tlog.merkle import EMPTY_ROOT, node_hash

__all__ = ["ProofMismatch", "verify_consistency", "verify_inclusion"]


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise ProofMismatch unless `proof` shows leaf `index` in the tree of `size` and `root`."""
    if not 0 <= index < size:
        raise ProofMismatch(f"leaf index expected 0 to {size - 1}, got {index}")
    _check_hashes(leaf, root, *proof)
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofMismatch(
                f"inclusion proof for leaf {index}: {len(proof)} hashes is too many"
            )
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofMismatch(f"inclusion proof for leaf {index}: {len(proof)} hashes is too few")
    _match(f"root of size {size} from inclusion of leaf {index}", root, r)


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> None:
    """Raise ProofMismatch unless `proof` shows the tree (size2, root2) extends (size1, root1)."""
    if not 0 <= size1 <= size2:
        raise ProofMismatch(f"tree size went from {size1} to {size2}: a log never shrinks")
    if size1 == size2:
        if proof:
            raise ProofMismatch(f"consistency {size1} to {size2}: expected no hashes")
        _match(f"root of size {size1}", root1, root2)
        if size1 == 0:
            _match("root of the empty tree", EMPTY_ROOT, root1)
        return
    if size1 == 0:
        raise ProofMismatch(f"consistency 0 to {size2}: the empty tree proves nothing")
    _check_hashes(root1, root2, *proof)
    if not proof:
        raise ProofMismatch(f"consistency {size1} to {size2}: empty proof")
    path = list(proof)
    if size1 & (size1 - 1) == 0:
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofMismatch(f"consistency {size1} to {size2}: too many hashes")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofMismatch(f"consistency {size1} to {size2}: too few hashes")
    _match(f"root of size {size1}", root1, fr)
    _match(f"root of size {size2}", root2, sr)


def _check_hashes(*hashes: bytes) -> None:
    for h in hashes:
        if len(h) != 32:
            raise ProofMismatch(f"hash expected 32 bytes, got {len(h)}")


def _match(what: str, expected: bytes, got: bytes) -> None:
    if not hmac.compare_digest(expected, got):
        raise ProofMismatch(f"{what}: expected {expected.hex()}, got {got.hex()}")
