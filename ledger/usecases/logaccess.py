"""The transparency log as the use cases reach it: built on first use, waits bounded."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from ledger.domain.errors import LedgerError
from ledger.storage.records import EntryRecord
from ledger.tlog import CheckpointNotFound, CheckpointTimeout, SignedCheckpoint, TransparencyLog


class LogRequestError(LedgerError):
    """A request to the log that it cannot answer; nothing was written."""


class BadLogRange(LogRequestError):
    """A range, size or index that contradicts itself (start after end, index past the size)."""


class NotInLog(LogRequestError):
    """The entry, tree size or checkpoint asked for is not in the log."""


class NotYetCheckpointed(LogRequestError):
    """The entry is in the log but no signed checkpoint covers it yet: ask again shortly."""

    def __init__(self, leaf_index: int) -> None:
        self.leaf_index = leaf_index
        super().__init__(f"leaf {leaf_index} is not yet covered by a signed checkpoint")


class LogAccess:
    """One transparency log per application, with every wait capped at `max_wait_s`.

    The cap is 0 when no publisher runs in this process (`LEDGER_TLOG_PUBLISHER=off`): a
    request then never waits for a checkpoint that nobody is about to sign.
    """

    def __init__(self, factory: Callable[[], TransparencyLog], max_wait_s: float) -> None:
        self._factory = factory
        self._tlog: TransparencyLog | None = None
        self._lock = threading.Lock()
        self.max_wait_s = max(0.0, max_wait_s)

    @property
    def tlog(self) -> TransparencyLog:
        """The log, built (tables, keys) on first use."""
        if self._tlog is None:
            with self._lock:
                if self._tlog is None:
                    self._tlog = self._factory()
        return self._tlog

    def covering(self, leaf_index: int, wait_s: float) -> SignedCheckpoint | None:
        """The first signed checkpoint covering the leaf, waiting up to `wait_s` (capped)."""
        timeout = max(0.0, min(wait_s, self.max_wait_s))
        try:
            return self.tlog.wait_for_checkpoint(leaf_index, timeout)
        except CheckpointTimeout:
            return None

    def tlog_proof(self, leaf_index: int) -> str:
        """The c2sp.org/tlog-proof@v1 text of a leaf; raises NotYetCheckpointed."""
        try:
            return self.tlog.tlog_proof(leaf_index)
        except CheckpointNotFound:
            raise NotYetCheckpointed(leaf_index) from None

    def newest_proof(
        self, entries: Sequence[EntryRecord], wait_s: float
    ) -> tuple[EntryRecord, str] | None:
        """A tlog-proof of the last entry (waiting up to `wait_s`), else of the newest covered."""
        if not entries:
            return None
        checkpoint = self.covering(entries[-1].leaf_index, wait_s)
        size = checkpoint.tree_size if checkpoint is not None else self.signed_size()
        covered = [e for e in entries if e.leaf_index < size]
        if not covered:
            return None
        return covered[-1], self.tlog_proof(covered[-1].leaf_index)

    def signed_size(self) -> int:
        """The size of the latest signed checkpoint, 0 before the first."""
        try:
            return self.tlog.latest_checkpoint().tree_size
        except CheckpointNotFound:
            return 0
