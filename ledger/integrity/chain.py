"""Sequencing: leaf indexes, recorded-at times and chain links for a batch of stored events.

Runs inside the storage transaction, under the lock that orders inserts, so the leaf
indexes it hands out are gap-free and the previous hashes it reads are the latest.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import NamedTuple
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from ledger.integrity.entry import ZERO_HASH, EntryHasher


class ChainIntegrityError(Exception):
    """The stored chain is not in the state the sequencer expects (never silently repaired)."""


class LedgerRow(NamedTuple):
    """One log entry as stored (a tuple: one is built per event under the lock)."""

    leaf_index: int
    stream_id: UUID
    stream_version: int
    recorded_at_us: int
    prev_hash: bytes
    entry_hash: bytes


def previous_keys(stored_events: Sequence[StoredEvent]) -> list[tuple[UUID, int]]:
    """The (stream, version) of each stream's entry just before this batch's first one."""
    first: dict[UUID, int] = {}
    for s in stored_events:
        sid = _uuid(s.originator_id)
        if sid not in first or s.originator_version < first[sid]:
            first[sid] = s.originator_version
    return [(sid, v - 1) for sid, v in first.items() if v > 1]


def sequence(
    hasher: EntryHasher,
    stored_events: Sequence[StoredEvent],
    *,
    next_leaf: int,
    last_recorded_at_us: int,
    prev_hashes: Mapping[UUID, bytes],
    now_us: int | None = None,
) -> list[LedgerRow]:
    """Assign leaf indexes and chain links; the log time never runs backwards."""
    recorded_at = max(time.time_ns() // 1000 if now_us is None else now_us, last_recorded_at_us)
    heads = dict(prev_hashes)
    entry_hash = hasher.entry_hash
    rows = []
    for leaf, s in enumerate(stored_events, start=next_leaf):
        sid = _uuid(s.originator_id)
        version = s.originator_version
        if version == 1:
            prev = ZERO_HASH
        else:
            try:
                prev = heads[sid]
            except KeyError:
                raise ChainIntegrityError(
                    f"no ledger entry for stream {sid} version {version - 1}"
                ) from None
        digest = entry_hash(leaf, sid, version, s.topic, recorded_at, prev, s.state)
        heads[sid] = digest
        rows.append(LedgerRow(leaf, sid, version, recorded_at, prev, digest))
    return rows


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)


def admit(
    requests: Sequence[Sequence[StoredEvent]], head_versions: Mapping[UUID, int]
) -> list[str | None]:
    """For each request, in order: None if its versions continue the streams (after the requests
    admitted before it), else the reason it conflicts. A request is admitted whole or not at all."""
    versions = dict(head_versions)
    reasons: list[str | None] = []
    for events in requests:
        local: dict[UUID, int] = {}
        reason = None
        for s in events:
            sid = _uuid(s.originator_id)
            current = local.get(sid, versions.get(sid, 0))
            if s.originator_version != current + 1:
                reason = (
                    f"stream {sid}: version {s.originator_version} conflicts, "
                    f"the stream is at version {current}"
                )
                break
            local[sid] = s.originator_version
        if reason is None:
            versions.update(local)
        reasons.append(reason)
    return reasons
