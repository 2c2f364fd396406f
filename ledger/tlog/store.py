"""What the transparency log reads and writes, and the SQL session both backends share.

Tables (docs/transparency-log.md): `tlog_nodes` (complete subtree hashes), `tlog_checkpoints`
(every checkpoint the log signed) and `tlog_cosignatures` (every accepted witness
cosignature), all append-only by trigger. The integrated size is derived, never stored: the
number of level-0 nodes. Leaf hashes are the ledger's stored entry hashes (PostgreSQL:
`ledger_entries`; SQLite: the events table, where each row holds its entry).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from ledger.tlog.checkpoint import SignedCheckpoint
from ledger.tlog.errors import InconsistentTree
from ledger.tlog.merkle import Address, Node
from ledger.tlog.witness import Cosignature


class TlogSession(Protocol):
    """One database transaction of the transparency log."""

    def lock(self) -> bool: ...

    def get_nodes(self, addresses: Collection[Address]) -> Mapping[Address, bytes]: ...

    def put_nodes(self, nodes: Sequence[Node]) -> None: ...

    def integrated_size(self) -> int: ...

    def leaf_hashes(self, start: int, limit: int) -> list[bytes]: ...

    def leaf_index_for_hash(self, entry_hash: bytes) -> int | None: ...

    def latest_checkpoint(self) -> SignedCheckpoint | None: ...

    def checkpoint_at(self, tree_size: int) -> SignedCheckpoint | None: ...

    def put_checkpoint(self, checkpoint: SignedCheckpoint) -> None: ...

    def cosignatures_at(self, tree_size: int) -> list[Cosignature]: ...

    def latest_cosignature(self, witness: str, key_id: bytes) -> Cosignature | None: ...

    def put_cosignature(self, cosignature: Cosignature, received_at_us: int) -> None: ...

    def cosigned_sizes(self, below: int, at_least: int, limit: int) -> list[int]: ...


class TlogStore(Protocol):
    """Creates the tables and opens sessions on one backend."""

    def create_tables(self) -> None: ...

    def session(self, *, write: bool) -> AbstractContextManager[TlogSession]: ...


@dataclass(frozen=True)
class Statements:
    """The SQL of one backend, by purpose (str for SQLite, composed for PostgreSQL)."""

    integrated_size: Any
    select_leaves: Any
    select_leaf_index: Any
    latest_checkpoint: Any
    checkpoint_at: Any
    insert_checkpoint: Any
    cosignatures_at: Any
    latest_cosignature: Any
    insert_cosignature: Any
    cosigned_sizes: Any


class SqlSession:
    """The statements both backends run the same way; subclasses add nodes and locking."""

    def __init__(self, cursor: Any, sql: Statements) -> None:
        self.cursor = cursor
        self.sql = sql

    def _rows(self, statement: Any, params: Sequence[Any] = ()) -> list[Any]:
        self.cursor.execute(statement, tuple(params))
        return list(self.cursor.fetchall())

    def integrated_size(self) -> int:
        """The number of leaves in the tree (level-0 nodes)."""
        return int(self._rows(self.sql.integrated_size)[0]["size"])

    def leaf_hashes(self, start: int, limit: int) -> list[bytes]:
        """Entry hashes of up to `limit` leaves from `start`, checked to be gap-free."""
        rows = self._rows(self.sql.select_leaves, (start, limit))
        for expected, row in enumerate(rows, start=start):
            if row["leaf_index"] != expected:
                raise InconsistentTree(
                    f"ledger entries: expected leaf {expected}, got {row['leaf_index']}"
                )
        return [bytes(row["entry_hash"]) for row in rows]

    def leaf_index_for_hash(self, entry_hash: bytes) -> int | None:
        """The leaf index of an entry hash, if the log holds it."""
        rows = self._rows(self.sql.select_leaf_index, (entry_hash, entry_hash))
        return int(rows[0]["leaf_index"]) if rows else None

    def latest_checkpoint(self) -> SignedCheckpoint | None:
        """The largest checkpoint the log signed."""
        rows = self._rows(self.sql.latest_checkpoint)
        return _checkpoint(rows[0]) if rows else None

    def checkpoint_at(self, tree_size: int) -> SignedCheckpoint | None:
        """The checkpoint the log signed at this size, if any."""
        rows = self._rows(self.sql.checkpoint_at, (tree_size,))
        return _checkpoint(rows[0]) if rows else None

    def put_checkpoint(self, checkpoint: SignedCheckpoint) -> None:
        """Keep a newly signed checkpoint."""
        c = checkpoint
        self.cursor.execute(
            self.sql.insert_checkpoint, (c.tree_size, c.root, c.note, c.signed_at_us)
        )

    def cosignatures_at(self, tree_size: int) -> list[Cosignature]:
        """The accepted cosignatures of the checkpoint at this size, by witness name."""
        return [_cosignature(r) for r in self._rows(self.sql.cosignatures_at, (tree_size,))]

    def latest_cosignature(self, witness: str, key_id: bytes) -> Cosignature | None:
        """The witness key's cosignature of the largest checkpoint."""
        rows = self._rows(self.sql.latest_cosignature, (witness, key_id))
        return _cosignature(rows[0]) if rows else None

    def put_cosignature(self, cosignature: Cosignature, received_at_us: int) -> None:
        """Keep an accepted cosignature."""
        c = cosignature
        self.cursor.execute(
            self.sql.insert_cosignature,
            (c.witness, c.key_id, c.tree_size, c.timestamp, c.signature, received_at_us),
        )

    def cosigned_sizes(self, below: int, at_least: int, limit: int) -> list[int]:
        """Sizes under `below` with at least `at_least` cosignatures, largest first."""
        rows = self._rows(self.sql.cosigned_sizes, (below, at_least, limit))
        return [int(r["tree_size"]) for r in rows]


def _checkpoint(row: Any) -> SignedCheckpoint:
    return SignedCheckpoint(
        int(row["tree_size"]), bytes(row["root"]), str(row["note"]), int(row["signed_at_us"])
    )


def _cosignature(row: Any) -> Cosignature:
    return Cosignature(
        str(row["witness_name"]),
        bytes(row["witness_key_id"]),
        int(row["tree_size"]),
        int(row["timestamp"]),
        bytes(row["signature"]),
    )
