"""The data keys of reports: created with the report, cached unwrapped, destroyed on erasure."""

from __future__ import annotations

import time
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ledger.storage.keys import DataKey, DataKeyCache, KeyRing, WrappedKey, new_data_key
from ledger.storage.records import LedgerReads


class DataKeys:
    """Per-report data keys over a key ring and the `report_keys` table."""

    def __init__(self, keyring: KeyRing, cache_size: int = 10_000) -> None:
        self.keyring = keyring
        self._cache = DataKeyCache(cache_size)
        self._table: LedgerReads | None = None

    def attach(self, table: LedgerReads) -> None:
        """Bind to the recorder that holds `report_keys` (done once by the application)."""
        self._table = table

    @property
    def table(self) -> LedgerReads:
        if self._table is None:
            raise RuntimeError("DataKeys used before the recorder was attached")
        return self._table

    def create(self, report_id: UUID) -> WrappedKey:
        """A new data key for a new report; the caller stores the wrapped row with the save."""
        key_id, dek = new_data_key()
        self._cache.put(report_id, DataKey(key_id, AESGCM(dek)))
        return self.keyring.wrap(report_id, key_id, dek)

    def forget(self, report_id: UUID) -> None:
        """Drop a cached key, e.g. when the save that would have stored it failed."""
        self._cache.evict(report_id)

    def is_cached(self, report_id: UUID) -> bool:
        """True if this process holds the report's key unwrapped."""
        return self._cache.get(report_id) is not None

    def get(self, report_id: UUID) -> DataKey | None:
        """The report's data key, or None if it has none or it was destroyed."""
        key = self._cache.get(report_id)
        if key is not None:
            return key
        row = self.table.fetch_data_key(report_id)
        if row is None:
            return None
        key = DataKey(row.key_id, AESGCM(self.keyring.unwrap(row)))
        self._cache.put(report_id, key)
        return key

    def destroy(self, report_id: UUID) -> bool:
        """Crypto-shred the report's sealed fields; True if a key was destroyed now."""
        self._cache.evict(report_id)
        destroyed = self.table.destroy_data_key(report_id, time.time_ns() // 1000)
        self._cache.evict(report_id)
        return destroyed
