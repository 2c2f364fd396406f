"""The chain-head cache is used only while the log head is the recorder's own last leaf."""

from __future__ import annotations

from uuid import UUID, uuid4

from ledger.integrity.chain import LedgerRow
from ledger.storage.heads import HeadCache


def _row(leaf: int, sid: UUID, version: int) -> LedgerRow:
    return LedgerRow(leaf, sid, version, 0, bytes(32), bytes([leaf]) * 32)


def test_heads_are_current_only_while_no_one_else_appended() -> None:
    cache, a, b = HeadCache(), uuid4(), uuid4()
    assert not cache.is_current(None)  # an empty log: nothing to trust
    cache.committed([_row(0, a, 1), _row(1, b, 1)], {})
    assert cache.is_current(1)
    assert cache.lookup([a, b, uuid4()]) == {a: (1, bytes([0]) * 32), b: (1, bytes([1]) * 32)}
    assert not cache.is_current(2)  # another writer took leaf 2
    assert cache.lookup([a, b]) == {}  # and everything was dropped
    assert not cache.is_current(1)


def test_heads_read_in_the_transaction_are_kept_with_those_written() -> None:
    cache, a, b = HeadCache(), uuid4(), uuid4()
    cache.committed([_row(7, a, 3)], {b: (5, b"h" * 32)})
    assert cache.is_current(7)
    assert cache.lookup([a, b]) == {a: (3, bytes([7]) * 32), b: (5, b"h" * 32)}


def test_a_transaction_without_rows_changes_nothing_and_capacity_is_bounded() -> None:
    cache, sids = HeadCache(capacity=2), [uuid4() for _ in range(3)]
    cache.committed([_row(i, sid, 1) for i, sid in enumerate(sids)], {})
    cache.committed([], {uuid4(): (1, bytes(32))})
    assert cache.is_current(2)
    assert set(cache.lookup(sids)) == set(sids[1:])  # the least recently written went first
