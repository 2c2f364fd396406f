"""SQLite tables of the transparency log, in the ledger's own database file.

SQLite serves one writing process; a write session still starts with a write that changes
nothing, so that it holds SQLite's write lock before its first read and a second process
(the `checkpoint` command next to the service) waits instead of failing mid-transaction.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager

from eventsourcing.sqlite import SQLiteDatastore

from ledger.tlog.merkle import Address, Node
from ledger.tlog.store import SqlSession, Statements

CREATE_TABLES = [
    "CREATE TABLE IF NOT EXISTS tlog_nodes ("
    " level INTEGER NOT NULL, idx INTEGER NOT NULL,"
    " hash BLOB NOT NULL CHECK (length(hash) = 32),"
    " PRIMARY KEY (level, idx)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS tlog_checkpoints ("
    " tree_size INTEGER PRIMARY KEY,"
    " root BLOB NOT NULL CHECK (length(root) = 32),"
    " note TEXT NOT NULL,"
    " signed_at_us INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS tlog_cosignatures ("
    " witness_name TEXT NOT NULL,"
    " witness_key_id BLOB NOT NULL CHECK (length(witness_key_id) = 4),"
    " tree_size INTEGER NOT NULL REFERENCES tlog_checkpoints (tree_size),"
    " timestamp INTEGER NOT NULL,"
    " signature BLOB NOT NULL CHECK (length(signature) = 64),"
    " received_at_us INTEGER NOT NULL,"
    " PRIMARY KEY (witness_name, witness_key_id, tree_size))",
    # Leaves by hash (proofs by entry hash): kept here, off the append path, not on the
    # ledger's entries; entries not yet integrated are found by a scan of the short tail.
    "CREATE INDEX IF NOT EXISTS tlog_nodes_leaf_hash ON tlog_nodes (hash) WHERE level = 0",
    "CREATE INDEX IF NOT EXISTS tlog_cosignatures_size ON tlog_cosignatures (tree_size)",
]
APPEND_ONLY_TABLES = ("tlog_nodes", "tlog_checkpoints", "tlog_cosignatures")
APPEND_ONLY_TRIGGER = (
    "CREATE TRIGGER IF NOT EXISTS {table}_no_{op} BEFORE {op} ON {table} "
    "BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op} refused'); END"
)
TAKE_WRITE_LOCK = "INSERT INTO tlog_nodes SELECT level, idx, hash FROM tlog_nodes WHERE 0"
SELECT_NODES = (
    "SELECT n.level, n.idx, n.hash FROM json_each(?) AS k JOIN tlog_nodes AS n"
    " ON n.level = json_extract(k.value, '$[0]') AND n.idx = json_extract(k.value, '$[1]')"
)
INSERT_NODE = "INSERT INTO tlog_nodes (level, idx, hash) VALUES (?, ?, ?)"
STATEMENTS = Statements(
    integrated_size="SELECT COALESCE(MAX(idx) + 1, 0) AS size FROM tlog_nodes WHERE level = 0",
    # The ledger's entries are in its events table, leaf index = notification id - 1.
    select_leaves=(
        "SELECT notification_id - 1 AS leaf_index, entry_hash FROM ledger_events"
        " WHERE notification_id > ? ORDER BY notification_id LIMIT ?"
    ),
    select_leaf_index=(
        "SELECT idx AS leaf_index FROM tlog_nodes WHERE level = 0 AND hash = ?"
        " UNION ALL SELECT notification_id - 1 FROM ledger_events WHERE entry_hash = ?"
        " AND notification_id > (SELECT COALESCE(MAX(idx) + 1, 0) FROM tlog_nodes"
        " WHERE level = 0) LIMIT 1"
    ),
    latest_checkpoint=(
        "SELECT tree_size, root, note, signed_at_us FROM tlog_checkpoints"
        " ORDER BY tree_size DESC LIMIT 1"
    ),
    checkpoint_at=(
        "SELECT tree_size, root, note, signed_at_us FROM tlog_checkpoints WHERE tree_size = ?"
    ),
    insert_checkpoint="INSERT INTO tlog_checkpoints VALUES (?, ?, ?, ?)",
    cosignatures_at=(
        "SELECT witness_name, witness_key_id, tree_size, timestamp, signature"
        " FROM tlog_cosignatures WHERE tree_size = ? ORDER BY witness_name, witness_key_id"
    ),
    latest_cosignature=(
        "SELECT witness_name, witness_key_id, tree_size, timestamp, signature"
        " FROM tlog_cosignatures WHERE witness_name = ? AND witness_key_id = ?"
        " ORDER BY tree_size DESC LIMIT 1"
    ),
    insert_cosignature="INSERT INTO tlog_cosignatures VALUES (?, ?, ?, ?, ?, ?)",
    cosigned_sizes=(
        "SELECT tree_size FROM tlog_cosignatures WHERE tree_size < ?"
        " GROUP BY tree_size HAVING COUNT(*) >= ? ORDER BY tree_size DESC LIMIT ?"
    ),
)


class SQLiteTlogSession(SqlSession):
    """A transparency-log transaction on SQLite."""

    def lock(self) -> bool:
        """Take SQLite's write lock now (waits up to the busy timeout)."""
        self.cursor.execute(TAKE_WRITE_LOCK)
        return True

    def get_nodes(self, addresses: Collection[Address]) -> Mapping[Address, bytes]:
        """The stored nodes among `addresses`, in one query."""
        rows = self._rows(SELECT_NODES, (json.dumps(sorted(addresses)),))
        return {(int(r["level"]), int(r["idx"])): bytes(r["hash"]) for r in rows}

    def put_nodes(self, nodes: Sequence[Node]) -> None:
        """Store newly completed nodes."""
        self.cursor.executemany(INSERT_NODE, nodes)


class SQLiteTlogStore:
    """The transparency-log tables in the ledger's SQLite file."""

    def __init__(self, datastore: SQLiteDatastore) -> None:
        self.datastore = datastore

    def create_tables(self) -> None:
        """Create tables and append-only triggers if they are missing."""
        with self.datastore.transaction(commit=True) as c:
            for statement in CREATE_TABLES:
                c.execute(statement)
            for table in APPEND_ONLY_TABLES:
                for op in ("UPDATE", "DELETE"):
                    c.execute(APPEND_ONLY_TRIGGER.format(table=table, op=op))

    @contextmanager
    def session(self, *, write: bool) -> Iterator[SQLiteTlogSession]:
        """A transaction, committed on success if `write`."""
        with self.datastore.transaction(commit=write) as c:
            yield SQLiteTlogSession(c, STATEMENTS)
