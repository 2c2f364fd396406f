"""RFC 6962 / RFC 9162 Merkle tree hashing and proof verification.

- Leaf hash SHA-256(0x00 || data) and node hash SHA-256(0x01 || left || right): RFC 9162
  section 2.1.1 (RFC 6962 section 2.1); the empty tree's hash is SHA-256 of nothing.
- Tree heads are computed streaming, over a compact range: one subtree hash per set bit of
  the tree size, so O(log n) memory for n leaves.
- Inclusion proofs: RFC 9162 section 2.1.3.2. Consistency proofs: RFC 9162 section 2.1.4.2.
  Both follow transparency-dev/merkle proof/verify.go step for step: it accepts exactly the
  proofs the RFC's iteration accepts, and it knows a proof's length up front, so that a proof
  of the wrong shape is reported as malformed rather than as a forgery.

Conformance is tested against transparency-dev/merkle's vectors (../shared/vectors/rfc6962).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Collection, Iterable, Sequence

from verify.errors import MalformedInput, VerificationFailed

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
_MAX_SIZE = 2**64 - 1


def leaf_hash(data: bytes) -> bytes:
    """RFC 9162 section 2.1.1 leaf hash: SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 section 2.1.1 interior node hash: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


class CompactRange:
    """A streaming tree head: leaf hashes go in, the RFC 6962 root of all so far comes out."""

    __slots__ = ("_size", "_subtrees")

    def __init__(self) -> None:
        self._size = 0
        self._subtrees: list[bytes] = []  # perfect subtrees, largest (leftmost) first

    @property
    def size(self) -> int:
        """Number of leaves appended."""
        return self._size

    def append(self, leaf: bytes) -> None:
        """Append one leaf hash, merging the perfect subtrees it completes."""
        node, size = leaf, self._size
        while size & 1:
            node = node_hash(self._subtrees.pop(), node)
            size >>= 1
        self._subtrees.append(node)
        self._size += 1

    def extend(self, leaves: Sequence[bytes]) -> None:
        """Append many leaf hashes in order, as `append` would, hashing whole subtrees at once.

        The leaves are cut into perfect subtrees aligned with the tree size (2^k leaves
        starting at a multiple of 2^k), each hashed level by level, then merged as `append`
        merges a leaf: the same nodes, fewer Python steps per leaf.
        """
        sha256, subtrees, size, start = hashlib.sha256, self._subtrees, self._size, 0
        while start < len(leaves):
            block = size & -size or 1 << (len(leaves) - start).bit_length()  # the alignment
            while block > len(leaves) - start:
                block >>= 1
            level = leaves[start : start + block]
            while len(level) > 1:  # a power of two: pairs throughout
                pairs = zip(level[::2], level[1::2], strict=True)
                level = [sha256(b"\x01" + left + right).digest() for left, right in pairs]
            node, bit = level[0], block
            while size & bit:
                node = sha256(b"\x01" + subtrees.pop() + node).digest()
                bit <<= 1
            subtrees.append(node)
            size += block
            start += block
        self._size = size

    def root(self) -> bytes:
        """Return the tree head of the leaves appended so far."""
        if not self._subtrees:
            return EMPTY_ROOT
        root = self._subtrees[-1]
        for subtree in reversed(self._subtrees[:-1]):
            root = node_hash(subtree, root)
        return root


def root_of(leaf_hashes: Iterable[bytes]) -> bytes:
    """Return the RFC 6962 tree head over the given leaf hashes, streaming."""
    tree = CompactRange()
    for leaf in leaf_hashes:
        tree.append(leaf)
    return tree.root()


def roots_at_sizes(leaf_hashes: Iterable[bytes], sizes: Collection[int]) -> dict[int, bytes]:
    """Return the tree head at each requested size in one pass (absent: sizes past the end)."""
    wanted = set(sizes)
    roots = {0: EMPTY_ROOT} if 0 in wanted else {}
    tree = CompactRange()
    for leaf in leaf_hashes:
        if len(roots) == len(wanted):
            break
        tree.append(leaf)
        if tree.size in wanted:
            roots[tree.size] = tree.root()
    return roots


def root_from_inclusion_proof(
    leaf_index: int, tree_size: int, leaf: bytes, proof: Sequence[bytes]
) -> bytes:
    """Return the root that an inclusion proof for leaf `leaf_index` implies (RFC 9162 2.1.3.2)."""
    _check_size("tree size", tree_size)
    _check_size("leaf index", leaf_index)
    if leaf_index >= tree_size:
        raise MalformedInput(f"leaf index {leaf_index} is beyond the tree size {tree_size}")
    _check_hash("leaf hash", leaf)
    _check_proof(proof)
    inner, border = _decompose(leaf_index, tree_size)
    if len(proof) != inner + border:
        raise MalformedInput(
            f"inclusion proof for leaf {leaf_index} in a tree of size {tree_size}: "
            f"expected {inner + border} hashes, got {len(proof)}"
        )
    node = _chain_inner(leaf, proof[:inner], leaf_index)
    return _chain_border_right(node, proof[inner:])


def verify_inclusion(
    leaf_index: int, tree_size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that leaf `leaf_index` with hash `leaf` is in the tree of `tree_size` with `root`."""
    calculated = root_from_inclusion_proof(leaf_index, tree_size, leaf, proof)
    _check_match(f"inclusion of leaf {leaf_index} in tree of size {tree_size}", root, calculated)


def root_from_consistency_proof(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes
) -> bytes:
    """Check the proof against `root1`; return the size2 root it implies (RFC 9162 2.1.4.2)."""
    _check_size("size1", size1)
    _check_size("size2", size2)
    _check_proof(proof)
    if size2 < size1:
        raise VerificationFailed(
            f"tree size went back from {size1} to {size2}: a log never shrinks",
            expected=f">= {size1}",
            actual=size2,
        )
    if size1 == size2:
        if proof:
            raise MalformedInput(f"sizes are equal ({size1}) but the proof has {len(proof)} hashes")
        if size1 == 0:
            _check_match("empty tree", EMPTY_ROOT, root1)
        return root1
    if size1 == 0:
        raise MalformedInput("a consistency proof from the empty tree proves nothing")
    if not proof:
        raise MalformedInput(f"consistency proof from size {size1} to {size2} is empty")
    inner, border = _decompose(size1 - 1, size2)
    shift = _trailing_zeros(size1)
    inner -= shift  # the proof starts at the level of the largest perfect subtree ending at size1
    seed, start = (root1, 0) if size1 == 1 << shift else (proof[0], 1)
    if len(proof) != start + inner + border:
        raise MalformedInput(
            f"consistency proof from size {size1} to {size2}: "
            f"expected {start + inner + border} hashes, got {len(proof)}"
        )
    path = proof[start:]
    mask = (size1 - 1) >> shift
    calculated1 = _chain_border_right(_chain_inner_right(seed, path[:inner], mask), path[inner:])
    _check_match(
        f"consistency proof from size {size1} to {size2}, root of size1", root1, calculated1
    )
    return _chain_border_right(_chain_inner(seed, path[:inner], mask), path[inner:])


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> None:
    """Check that the tree of `size2` with `root2` extends the tree of `size1` with `root1`."""
    calculated2 = root_from_consistency_proof(size1, size2, proof, root1)
    _check_match(
        f"consistency proof from size {size1} to {size2}, root of size2", root2, calculated2
    )


def _check_match(what: str, expected: bytes, calculated: bytes) -> None:
    if not hmac.compare_digest(expected, calculated):
        raise VerificationFailed(
            f"{what}: expected {expected.hex()}, got {calculated.hex()}",
            expected=expected.hex(),
            actual=calculated.hex(),
        )


def _check_size(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX_SIZE:
        raise MalformedInput(f"{name} must be an integer from 0 to 2^64-1, got {value!r}")


def _check_hash(name: str, value: bytes) -> None:
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        size = len(value) if isinstance(value, bytes) else type(value).__name__
        raise MalformedInput(f"{name} must be {HASH_SIZE} bytes, got {size}")


def _check_proof(proof: Sequence[bytes]) -> None:
    for position, node in enumerate(proof):
        _check_hash(f"proof hash {position}", node)


def _decompose(index: int, size: int) -> tuple[int, int]:
    """Split a proof for `index` in a tree of `size` where the paths to index and size-1 part."""
    inner = (index ^ (size - 1)).bit_length()
    border = (index >> inner).bit_count()
    return inner, border


def _trailing_zeros(value: int) -> int:
    return (value & -value).bit_length() - 1


def _chain_inner(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    for level, sibling in enumerate(proof):
        seed = node_hash(seed, sibling) if (index >> level) & 1 == 0 else node_hash(sibling, seed)
    return seed


def _chain_inner_right(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    """Like _chain_inner, but only left siblings: the subtree as it was at the smaller size."""
    for level, sibling in enumerate(proof):
        if (index >> level) & 1:
            seed = node_hash(sibling, seed)
    return seed


def _chain_border_right(seed: bytes, proof: Sequence[bytes]) -> bytes:
    for sibling in proof:
        seed = node_hash(sibling, seed)
    return seed
