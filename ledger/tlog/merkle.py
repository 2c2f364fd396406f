"""RFC 6962 Merkle tree over persisted complete subtrees (RFC 9162 section 2.1).

Node (level, index) is the hash of the perfect subtree over leaves
[index * 2^level, (index + 1) * 2^level); level 0 holds the leaf hashes. Only complete
subtrees are stored, so a stored node never changes. Every subtree the RFC's recursion
names for a tree of size n is either a stored node or lies on the right border, where its
hash is folded on the fly from at most log2(n) stored nodes: roots, inclusion proofs
(RFC 9162 2.1.3.1) and consistency proofs (RFC 9162 2.1.4.1) each cost O(log n) node reads,
fetched in one batch from a `NodeReader`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence
from typing import Protocol

from ledger.tlog.errors import TreeNotIntegrated

Address = tuple[int, int]  # (level, index)
Node = tuple[int, int, bytes]  # (level, index, hash)
Span = tuple[int, int]  # leaves [start, end)

EMPTY_ROOT = hashlib.sha256(b"").digest()


class NodeReader(Protocol):
    """Where stored nodes come from: a database session or a dict in memory."""

    def get_nodes(self, addresses: Collection[Address]) -> Mapping[Address, bytes]: ...


class MemoryNodes:
    """Nodes held in a dict: unit tests and one-off computations."""

    def __init__(self) -> None:
        self.nodes: dict[Address, bytes] = {}

    def get_nodes(self, addresses: Collection[Address]) -> Mapping[Address, bytes]:
        """Return the stored nodes among `addresses`."""
        return {a: self.nodes[a] for a in addresses if a in self.nodes}

    def put_nodes(self, nodes: Sequence[Node]) -> None:
        """Store new nodes."""
        for level, index, value in nodes:
            self.nodes[(level, index)] = value


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 section 2.1.1 interior node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def perfect_cover(start: int, end: int) -> list[Address]:
    """The aligned perfect subtrees that cover leaves [start, end), left to right."""
    cover = []
    while start < end:
        size = start & -start if start else 1 << (end.bit_length() - 1)
        while size > end - start:
            size >>= 1
        level = size.bit_length() - 1
        cover.append((level, start >> level))
        start += size
    return cover


def _split(n: int) -> int:
    """The largest power of two smaller than n (RFC 9162 section 2.1.1)."""
    return 1 << ((n - 1).bit_length() - 1)


def inclusion_spans(index: int, start: int, end: int) -> list[Span]:
    """The subtrees of PATH(index, D[start:end]), from the leaf's sibling up."""
    if end - start == 1:
        return []
    k = start + _split(end - start)
    if index < k:
        return [*inclusion_spans(index, start, k), (k, end)]
    return [*inclusion_spans(index, k, end), (start, k)]


def consistency_spans(m: int, start: int, end: int, complete: bool = True) -> list[Span]:
    """The subtrees of SUBPROOF(m, D[start:end], complete), in proof order."""
    if m == end - start:
        return [] if complete else [(start, end)]
    k = _split(end - start)
    if m <= k:
        return [*consistency_spans(m, start, start + k, complete), (start + k, end)]
    return [*consistency_spans(m - k, start + k, end, False), (start, start + k)]


def span_hashes(reader: NodeReader, spans: Sequence[Span]) -> list[bytes]:
    """The RFC 6962 hash of each subtree span, reading every node needed in one batch."""
    covers = [perfect_cover(start, end) for start, end in spans]
    wanted = {address for cover in covers for address in cover}
    found = reader.get_nodes(wanted)
    missing = sorted(wanted - found.keys())
    if missing:
        level, index = missing[0]
        raise TreeNotIntegrated(
            f"node {level}/{index} (leaves {index << level} to {((index + 1) << level) - 1}) "
            "is not in the integrated tree"
        )
    return [_fold([found[address] for address in cover]) for cover in covers]


def _fold(hashes: Sequence[bytes]) -> bytes:
    """Fold perfect subtrees, left to right, into the hash of the tree they form."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def root(reader: NodeReader, size: int) -> bytes:
    """MTH(D[0:size]): the root hash of the tree of the first `size` leaves."""
    _check_size(size)
    return EMPTY_ROOT if size == 0 else span_hashes(reader, [(0, size)])[0]


def inclusion_proof(reader: NodeReader, index: int, size: int) -> list[bytes]:
    """PATH(index, D[0:size]): RFC 9162 section 2.1.3.1 inclusion proof."""
    _check_size(size)
    if not 0 <= index < size:
        raise ValueError(f"leaf index expected 0 to {size - 1}, got {index}")
    return span_hashes(reader, inclusion_spans(index, 0, size))


def consistency_proof(reader: NodeReader, size1: int, size2: int) -> list[bytes]:
    """PROOF(size1, D[0:size2]): RFC 9162 section 2.1.4.1; empty when size1 is 0 or size2."""
    _check_size(size2)
    if not 0 <= size1 <= size2:
        raise ValueError(f"size1 expected 0 to {size2}, got {size1}")
    if size1 in (0, size2):
        return []
    return span_hashes(reader, consistency_spans(size1, 0, size2))


def append_leaves(
    reader: NodeReader, size: int, leaves: Sequence[bytes]
) -> tuple[list[Node], bytes]:
    """The nodes that appending `leaves` to a tree of `size` completes, and the new root."""
    border = perfect_cover(0, size)
    found = reader.get_nodes(border)
    if len(found) != len(border):
        raise TreeNotIntegrated(f"the right border of a tree of size {size} is not stored")
    stack = [found[address] for address in border]
    created: list[Node] = []
    for index, leaf in enumerate(leaves, start=size):
        value, level = leaf, 0
        created.append((0, index, leaf))
        while (index >> level) & 1:
            value = node_hash(stack.pop(), value)
            level += 1
            created.append((level, index >> level, value))
        stack.append(value)
    return created, _fold(stack) if stack else EMPTY_ROOT


def _check_size(size: int) -> None:
    if not 0 <= size < 2**63:
        raise ValueError(f"tree size expected 0 to 2^63-1, got {size}")
