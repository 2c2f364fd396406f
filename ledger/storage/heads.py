"""The chain heads this recorder committed last, kept while no one else has appended since.

A save must read the last entry (version and entry hash) of every report it extends. When the
same process appended to those reports before, it already knows them. The knowledge is only
used while it is provably current: inside the write transaction, under the lock that orders
all appends, the log head read from the database must still be the last leaf this recorder
committed itself. Any other writer (another process, another recorder) moves the log head, and
the whole cache is dropped; so is it after any failed transaction. Reports not in the cache are
read from the database as before.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping
from uuid import UUID

from ledger.integrity.chain import LedgerRow

Head = tuple[int, bytes]  # (stream version, entry hash)


class HeadCache:
    """Chain heads committed by this recorder, valid while the log head is its own last leaf."""

    def __init__(self, capacity: int = 20_000) -> None:
        self._capacity = capacity
        self._heads: OrderedDict[UUID, Head] = OrderedDict()
        self._last_leaf: int | None = None

    def is_current(self, log_head_leaf: int | None) -> bool:
        """True if the log head read under the append lock is this recorder's own last leaf;
        otherwise someone else appended since, and the cache is dropped."""
        if log_head_leaf is not None and log_head_leaf == self._last_leaf:
            return True
        self.clear()
        return False

    def lookup(self, streams: Iterable[UUID]) -> dict[UUID, Head]:
        """The cached heads of these reports (current only if `is_current` says so)."""
        heads = self._heads
        return {sid: heads[sid] for sid in streams if sid in heads}

    def committed(self, rows: list[LedgerRow], others: Mapping[UUID, Head]) -> None:
        """Remember the heads after a committed transaction: those read, then those written."""
        if not rows:
            return
        heads = self._heads
        for sid, head in others.items():
            heads[sid] = head
            heads.move_to_end(sid)
        for row in rows:
            heads[row.stream_id] = (row.stream_version, row.entry_hash)
            heads.move_to_end(row.stream_id)
        while len(heads) > self._capacity:
            heads.popitem(last=False)
        self._last_leaf = rows[-1].leaf_index

    def clear(self) -> None:
        """Forget everything (another writer appended, or a transaction failed)."""
        self._heads.clear()
        self._last_leaf = None
