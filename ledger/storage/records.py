"""Backend-neutral records and the interface both integrity recorders offer."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from ledger.storage.keys import WrappedKey


class OriginMismatch(Exception):
    """The database belongs to a log with another origin: refusing to mix two logs."""


@dataclass(frozen=True, slots=True)
class EntryRecord:
    """A ledger entry joined with its stored event, as exported and proven."""

    leaf_index: int
    stream_id: UUID
    stream_version: int
    recorded_at_us: int
    prev_hash: bytes
    entry_hash: bytes
    event_type: str | None
    payload: bytes | None


@dataclass(frozen=True, slots=True)
class UnlinkedEvent:
    """A stored event with no ledger entry: never written by the ledger itself."""

    stream_id: UUID
    stream_version: int
    event_type: str
    payload: bytes


class LedgerReads(Protocol):
    """What the rest of the ledger reads from an integrity recorder."""

    origin: str

    def tree_size(self) -> int: ...

    def iter_entries(self, start: int = 0, stop: int | None = None) -> Iterator[EntryRecord]: ...

    def stream_entries(self, stream_id: UUID) -> list[EntryRecord]: ...

    def stream_entry(self, stream_id: UUID, version: int) -> EntryRecord | None: ...

    def committed_entry(self, stream_id: UUID, version: int) -> EntryRecord | None: ...

    def iter_unlinked_events(self) -> Iterator[UnlinkedEvent]: ...

    def insert_data_key(self, row: WrappedKey) -> None: ...

    def fetch_data_key(self, report_id: UUID) -> WrappedKey | None: ...

    def destroy_data_key(self, report_id: UUID, at_us: int) -> bool: ...
