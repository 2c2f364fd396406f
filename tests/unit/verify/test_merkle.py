"""verify.merkle against a straightforward recursive reading of RFC 6962 section 2.1."""

from __future__ import annotations

import hashlib
from functools import cache

import pytest

from verify.errors import MalformedInput, VerificationError, VerificationFailed
from verify.merkle import (
    EMPTY_ROOT,
    CompactRange,
    leaf_hash,
    root_from_consistency_proof,
    root_of,
    roots_at_sizes,
    verify_consistency,
    verify_inclusion,
)

MAX_SIZE = 64
LEAVES = [hashlib.sha256(b"\x00" + bytes([i])).digest() for i in range(MAX_SIZE)]


def _split(n: int) -> int:
    """The largest power of two smaller than n (RFC 6962 section 2.1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


@cache
def mth(lo: int, hi: int) -> bytes:
    """MTH(D[lo:hi]) over the leaf hashes in LEAVES."""
    n = hi - lo
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return LEAVES[lo]
    k = _split(n)
    return hashlib.sha256(b"\x01" + mth(lo, lo + k) + mth(lo + k, hi)).digest()


def path(m: int, lo: int, hi: int) -> list[bytes]:
    """PATH(m, D[lo:hi]), RFC 6962 section 2.1.1."""
    n = hi - lo
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return [*path(m, lo, lo + k), mth(lo + k, hi)]
    return [*path(m - k, lo + k, hi), mth(lo, lo + k)]


def subproof(m: int, lo: int, hi: int, complete: bool) -> list[bytes]:
    """SUBPROOF(m, D[lo:hi], b), RFC 6962 section 2.1.2."""
    n = hi - lo
    if m == n:
        return [] if complete else [mth(lo, hi)]
    k = _split(n)
    if m <= k:
        return [*subproof(m, lo, lo + k, complete), mth(lo + k, hi)]
    return [*subproof(m - k, lo + k, hi, False), mth(lo, lo + k)]


def flipped(proof: list[bytes], position: int) -> list[bytes]:
    changed = bytearray(proof[position])
    changed[position % 32] ^= 0x01
    return [*proof[:position], bytes(changed), *proof[position + 1 :]]


@pytest.mark.parametrize("size", range(1, MAX_SIZE + 1))
def test_inclusion_proofs_of_every_leaf(size: int) -> None:
    root = mth(0, size)
    for index in range(size):
        proof = path(index, 0, size)
        verify_inclusion(index, size, LEAVES[index], proof, root)
        for position in range(len(proof)):
            with pytest.raises(VerificationFailed):
                verify_inclusion(index, size, LEAVES[index], flipped(proof, position), root)
        with pytest.raises(VerificationError):
            verify_inclusion(index, size, LEAVES[(index + 1) % MAX_SIZE], proof, root)


@pytest.mark.parametrize("size2", range(1, MAX_SIZE + 1))
def test_consistency_proofs_from_every_size(size2: int) -> None:
    root2 = mth(0, size2)
    for size1 in range(1, size2 + 1):
        proof = subproof(size1, 0, size2, True)
        verify_consistency(size1, size2, proof, mth(0, size1), root2)
        assert root_from_consistency_proof(size1, size2, proof, mth(0, size1)) == root2
        for position in range(len(proof)):
            with pytest.raises(VerificationFailed):
                verify_consistency(size1, size2, flipped(proof, position), mth(0, size1), root2)
        if proof:
            with pytest.raises(MalformedInput):
                verify_consistency(size1, size2, proof[:-1], mth(0, size1), root2)


def test_streaming_root_equals_recursive_mth() -> None:
    tree = CompactRange()
    assert tree.root() == EMPTY_ROOT == mth(0, 0)
    for size in range(1, MAX_SIZE + 1):
        tree.append(LEAVES[size - 1])
        assert tree.size == size
        assert tree.root() == mth(0, size) == root_of(LEAVES[:size])


def test_roots_at_requested_sizes_in_one_pass() -> None:
    roots = roots_at_sizes(iter(LEAVES), {0, 1, 7, 33, 64, 65})
    assert roots == {0: mth(0, 0), 1: mth(0, 1), 7: mth(0, 7), 33: mth(0, 33), 64: mth(0, 64)}


def test_leaf_hash_is_the_rfc_6962_leaf_hash() -> None:
    assert leaf_hash(b"") == bytes.fromhex(
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ((5, 5, LEAVES[0], [], mth(0, 5)), MalformedInput),
        ((-1, 5, LEAVES[0], [], mth(0, 5)), MalformedInput),
        ((0, 2**64, LEAVES[0], [], mth(0, 5)), MalformedInput),
        ((0, 2, LEAVES[0][:31], [LEAVES[1]], mth(0, 2)), MalformedInput),
        ((0, 2, LEAVES[0], [LEAVES[1][:31]], mth(0, 2)), MalformedInput),
        ((0, 2, LEAVES[0], [LEAVES[1], LEAVES[1]], mth(0, 2)), MalformedInput),
        ((0, 2, LEAVES[0], [LEAVES[1]], mth(0, 3)), VerificationFailed),
    ],
    ids=[
        "index-at-size",
        "negative-index",
        "size-too-large",
        "short-leaf",
        "short-node",
        "long-proof",
        "wrong-root",
    ],
)
def test_inclusion_errors(args: tuple, error: type[VerificationError]) -> None:
    with pytest.raises(error):
        verify_inclusion(*args)


def test_root_mismatch_message_gives_expected_and_actual_hex() -> None:
    with pytest.raises(VerificationFailed) as caught:
        verify_inclusion(0, 2, LEAVES[0], [LEAVES[1]], mth(0, 3))
    assert caught.value.expected == mth(0, 3).hex()
    assert caught.value.actual == mth(0, 2).hex()
    assert f"expected {mth(0, 3).hex()}, got {mth(0, 2).hex()}" in str(caught.value)


@pytest.mark.parametrize(
    ("size1", "size2", "root1", "root2", "error"),
    [
        (0, 0, EMPTY_ROOT, EMPTY_ROOT, None),
        (0, 0, LEAVES[0], LEAVES[0], VerificationFailed),
        (3, 3, mth(0, 3), mth(0, 3), None),
        (3, 2, mth(0, 3), mth(0, 2), VerificationFailed),
        (0, 3, EMPTY_ROOT, mth(0, 3), MalformedInput),
    ],
    ids=["empty-trees", "empty-trees-wrong-root", "equal-sizes", "shrinking", "from-empty"],
)
def test_consistency_edge_cases(
    size1: int, size2: int, root1: bytes, root2: bytes, error: type[VerificationError] | None
) -> None:
    if error is None:
        verify_consistency(size1, size2, [], root1, root2)
    else:
        with pytest.raises(error):
            verify_consistency(size1, size2, [], root1, root2)


def test_extend_equals_append_leaf_by_leaf() -> None:
    """CompactRange.extend hashes aligned subtrees at once: the same tree as append."""
    leaves = [hashlib.sha256(str(n).encode()).digest() for n in range(3000)]
    for chunk in (1, 3, 7, 64, 333, 1000, 1024, 3000):
        one, many = CompactRange(), CompactRange()
        for start in range(0, len(leaves), chunk):
            many.extend(leaves[start : start + chunk])
            for leaf in leaves[start : start + chunk]:
                one.append(leaf)
            assert (many.size, many.root()) == (one.size, one.root())
