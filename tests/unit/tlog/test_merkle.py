"""The log's tree over stored complete subtrees, against a plain recursive RFC 6962 reading.

Roots and proofs for every size up to 300 must equal the recursive MTH / PATH / SUBPROOF of
RFC 6962 section 2.1 and verify with the independent verifier (verify.merkle).
"""

from __future__ import annotations

import hashlib
import random
from functools import cache

import pytest

from ledger.tlog import merkle
from ledger.tlog.errors import ProofMismatch, TreeNotIntegrated
from ledger.tlog.merkle import EMPTY_ROOT, MemoryNodes, append_leaves
from ledger.tlog.proofcheck import verify_consistency as own_verify_consistency
from ledger.tlog.proofcheck import verify_inclusion as own_verify_inclusion
from verify.errors import VerificationError
from verify.merkle import verify_consistency, verify_inclusion

MAX = 300
LEAVES = [hashlib.sha256(b"\x00" + i.to_bytes(4, "big")).digest() for i in range(MAX)]


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


@cache
def mth(lo: int, hi: int) -> bytes:
    """MTH(D[lo:hi]), RFC 6962 section 2.1."""
    if hi - lo == 0:
        return hashlib.sha256(b"").digest()
    if hi - lo == 1:
        return LEAVES[lo]
    k = _k(hi - lo)
    return hashlib.sha256(b"\x01" + mth(lo, lo + k) + mth(lo + k, hi)).digest()


def path(m: int, lo: int, hi: int) -> list[bytes]:
    """PATH(m, D[lo:hi]), RFC 6962 section 2.1.1 (m relative to lo)."""
    if hi - lo == 1:
        return []
    k = _k(hi - lo)
    if m < k:
        return [*path(m, lo, lo + k), mth(lo + k, hi)]
    return [*path(m - k, lo + k, hi), mth(lo, lo + k)]


def subproof(m: int, lo: int, hi: int, complete: bool) -> list[bytes]:
    """SUBPROOF(m, D[lo:hi], b), RFC 6962 section 2.1.2."""
    if m == hi - lo:
        return [] if complete else [mth(lo, hi)]
    k = _k(hi - lo)
    if m <= k:
        return [*subproof(m, lo, lo + k, complete), mth(lo + k, hi)]
    return [*subproof(m - k, lo + k, hi, False), mth(lo, lo + k)]


def tree_in_batches(batches: list[int]) -> MemoryNodes:
    """Integrate LEAVES in batches of the given sizes, as the integrator does."""
    nodes, size = MemoryNodes(), 0
    for n in batches:
        created, root = append_leaves(nodes, size, LEAVES[size : size + n])
        nodes.put_nodes(created)
        size += n
        assert root == mth(0, size)
    return nodes


@pytest.fixture(scope="module")
def tree() -> MemoryNodes:
    rng = random.Random(6962)
    batches, total = [], 0
    while total < MAX:
        n = min(rng.choice([1, 1, 2, 3, 7, 16, 33]), MAX - total)
        batches.append(n)
        total += n
    return tree_in_batches(batches)


def test_only_complete_subtrees_are_stored(tree: MemoryNodes) -> None:
    expected = {
        (level, i) for level in range(9) for i in range(MAX >> level) if (i + 1) << level <= MAX
    }
    assert set(tree.nodes) == expected
    for level, i in expected:
        assert tree.nodes[(level, i)] == mth(i << level, (i + 1) << level)


def test_batch_boundaries_do_not_change_the_tree(tree: MemoryNodes) -> None:
    assert tree_in_batches([1] * MAX).nodes == tree.nodes
    assert tree_in_batches([MAX]).nodes == tree.nodes


def test_roots_and_every_inclusion_proof(tree: MemoryNodes) -> None:
    assert merkle.root(tree, 0) == EMPTY_ROOT
    for size in range(1, MAX + 1):
        root = merkle.root(tree, size)
        assert root == mth(0, size), size
        for index in range(size):
            proof = merkle.inclusion_proof(tree, index, size)
            assert proof == path(index, 0, size), (index, size)
            verify_inclusion(index, size, LEAVES[index], proof, root)


def consistency_pairs() -> list[tuple[int, int]]:
    pairs = [
        (m, n)
        for n in (1, 2, 3, 4, 5, 7, 8, 9, 64, 127, 128, 129, 255, 256, 300)
        for m in range(1, n + 1)
    ]
    rng = random.Random(9162)
    for _ in range(3000):
        m, n = sorted((rng.randint(1, MAX), rng.randint(1, MAX)))
        pairs.append((m, n))
    return pairs


def test_consistency_proofs(tree: MemoryNodes) -> None:
    for m, n in consistency_pairs():
        proof = merkle.consistency_proof(tree, m, n)
        assert proof == subproof(m, 0, n, True), (m, n)
        verify_consistency(m, n, proof, mth(0, m), mth(0, n))
        own_verify_consistency(m, n, proof, mth(0, m), mth(0, n))


def test_own_checks_agree_with_the_independent_verifier_on_mutations(tree: MemoryNodes) -> None:
    rng = random.Random(1)
    for _ in range(400):
        n = rng.randint(2, MAX)
        m, index = rng.randint(1, n - 1), rng.randrange(n)
        good_c = merkle.consistency_proof(tree, m, n)
        good_i = merkle.inclusion_proof(tree, index, n)
        for bad_c in mutations(good_c, rng):
            with pytest.raises(VerificationError):
                verify_consistency(m, n, bad_c, mth(0, m), mth(0, n))
            with pytest.raises(ProofMismatch):
                own_verify_consistency(m, n, bad_c, mth(0, m), mth(0, n))
        for bad_i in mutations(good_i, rng):
            with pytest.raises(VerificationError):
                verify_inclusion(index, n, LEAVES[index], bad_i, mth(0, n))
            with pytest.raises(ProofMismatch):
                own_verify_inclusion(index, n, LEAVES[index], bad_i, mth(0, n))
        with pytest.raises(ProofMismatch):
            own_verify_consistency(m, n, good_c, mth(0, m), mth(0, n - 1))
        with pytest.raises(ProofMismatch):
            own_verify_inclusion(index, n, LEAVES[(index + 1) % n], good_i, mth(0, n))


def mutations(proof: list[bytes], rng: random.Random) -> list[list[bytes]]:
    """Wrong proofs from a good one: truncated, extended, one hash flipped."""
    out = [[*proof, proof[0] if proof else LEAVES[0]]]
    if proof:
        out.append(proof[:-1])
        i = rng.randrange(len(proof))
        flipped = bytes([proof[i][0] ^ 1]) + proof[i][1:]
        out.append([*proof[:i], flipped, *proof[i + 1 :]])
    return out


def test_sizes_beyond_the_integrated_tree_are_refused(tree: MemoryNodes) -> None:
    with pytest.raises(TreeNotIntegrated, match="not in the integrated tree"):
        merkle.root(tree, MAX + 1)
    with pytest.raises(TreeNotIntegrated):
        merkle.inclusion_proof(tree, 0, MAX + 5)
    with pytest.raises(ValueError, match="expected 0 to 9, got 10"):
        merkle.inclusion_proof(tree, 10, 10)
    with pytest.raises(ValueError, match="size1 expected 0 to 4, got 5"):
        merkle.consistency_proof(tree, 5, 4)
    assert merkle.consistency_proof(tree, 0, 7) == []
    assert merkle.consistency_proof(tree, 7, 7) == []


@pytest.mark.parametrize(
    ("start", "end", "cover"),
    [
        (0, 1, [(0, 0)]),
        (0, 6, [(2, 0), (1, 2)]),
        (0, 7, [(2, 0), (1, 2), (0, 6)]),
        (4, 7, [(1, 2), (0, 6)]),
        (8, 16, [(3, 1)]),
        (3, 3, []),
    ],
)
def test_perfect_cover(start: int, end: int, cover: list[tuple[int, int]]) -> None:
    assert merkle.perfect_cover(start, end) == cover
