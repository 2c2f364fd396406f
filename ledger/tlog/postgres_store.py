"""PostgreSQL tables of the transparency log, in the ledger's schema.

Several processes may run the publisher: integration and signing happen under a
transaction-level advisory lock (pg_try_advisory_xact_lock) keyed by the schema, so one
process integrates and signs at a time and the others skip that round.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager

from eventsourcing.postgres import PostgresDatastore
from psycopg.sql import SQL, Identifier

from ledger.storage.pg_names import pg_statement
from ledger.tlog.merkle import Address, Node
from ledger.tlog.store import SqlSession, Statements

CREATE_TABLES = [
    "CREATE TABLE IF NOT EXISTS {schema}.tlog_nodes ("
    " level smallint NOT NULL, idx bigint NOT NULL,"
    " hash bytea NOT NULL CHECK (length(hash) = 32),"
    " PRIMARY KEY (level, idx))",
    "CREATE TABLE IF NOT EXISTS {schema}.tlog_checkpoints ("
    " tree_size bigint PRIMARY KEY,"
    " root bytea NOT NULL CHECK (length(root) = 32),"
    " note text NOT NULL,"
    " signed_at_us bigint NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {schema}.tlog_cosignatures ("
    " witness_name text NOT NULL,"
    " witness_key_id bytea NOT NULL CHECK (length(witness_key_id) = 4),"
    " tree_size bigint NOT NULL REFERENCES {schema}.tlog_checkpoints (tree_size),"
    " timestamp bigint NOT NULL,"
    " signature bytea NOT NULL CHECK (length(signature) = 64),"
    " received_at_us bigint NOT NULL,"
    " PRIMARY KEY (witness_name, witness_key_id, tree_size))",
    # Leaves by hash (proofs by entry hash): kept here, off the append path, not on the
    # ledger's entries; entries not yet integrated are found by a scan of the short tail.
    "CREATE INDEX IF NOT EXISTS tlog_nodes_leaf_hash ON {schema}.tlog_nodes (hash) WHERE level = 0",
    "CREATE INDEX IF NOT EXISTS tlog_cosignatures_size ON {schema}.tlog_cosignatures (tree_size)",
    "CREATE OR REPLACE FUNCTION {schema}.tlog_refuse_change() RETURNS trigger"
    " LANGUAGE plpgsql AS $$ BEGIN"
    " RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP"
    " USING ERRCODE = 'insufficient_privilege'; END $$",
]
APPEND_ONLY_TABLES = ("tlog_nodes", "tlog_checkpoints", "tlog_cosignatures")
APPEND_ONLY_TRIGGERS = [
    "CREATE OR REPLACE TRIGGER {append_only} BEFORE UPDATE OR DELETE ON {schema}.{table}"
    " FOR EACH ROW EXECUTE FUNCTION {schema}.tlog_refuse_change()",
    "CREATE OR REPLACE TRIGGER {no_truncate} BEFORE TRUNCATE ON {schema}.{table}"
    " FOR EACH STATEMENT EXECUTE FUNCTION {schema}.tlog_refuse_change()",
]
TRY_LOCK = "SELECT pg_try_advisory_xact_lock(%s) AS locked"
SELECT_NODES = (
    "SELECT n.level, n.idx, n.hash FROM {schema}.tlog_nodes n"
    " JOIN unnest(%s::smallint[], %s::bigint[]) AS k(level, idx)"
    " ON n.level = k.level AND n.idx = k.idx"
)
INSERT_NODES = (
    "INSERT INTO {schema}.tlog_nodes (level, idx, hash)"
    " SELECT * FROM unnest(%s::smallint[], %s::bigint[], %s::bytea[])"
)
_CHECKPOINT = "SELECT tree_size, root, note, signed_at_us FROM {schema}.tlog_checkpoints"
_COSIGNATURE = (
    "SELECT witness_name, witness_key_id, tree_size, timestamp, signature"
    " FROM {schema}.tlog_cosignatures"
)
STATEMENTS = {
    "integrated_size": (
        "SELECT COALESCE(MAX(idx) + 1, 0) AS size FROM {schema}.tlog_nodes WHERE level = 0"
    ),
    "select_leaves": (
        "SELECT leaf_index, entry_hash FROM {schema}.ledger_entries"
        " WHERE leaf_index >= %s ORDER BY leaf_index LIMIT %s"
    ),
    "select_leaf_index": (
        "SELECT idx AS leaf_index FROM {schema}.tlog_nodes WHERE level = 0 AND hash = %s"
        " UNION ALL SELECT leaf_index FROM {schema}.ledger_entries WHERE entry_hash = %s"
        " AND leaf_index >= (SELECT COALESCE(MAX(idx) + 1, 0) FROM {schema}.tlog_nodes"
        " WHERE level = 0) LIMIT 1"
    ),
    "latest_checkpoint": _CHECKPOINT + " ORDER BY tree_size DESC LIMIT 1",
    "checkpoint_at": _CHECKPOINT + " WHERE tree_size = %s",
    "insert_checkpoint": "INSERT INTO {schema}.tlog_checkpoints VALUES (%s, %s, %s, %s)",
    "cosignatures_at": _COSIGNATURE + " WHERE tree_size = %s ORDER BY witness_name, witness_key_id",
    "latest_cosignature": (
        _COSIGNATURE + " WHERE witness_name = %s AND witness_key_id = %s"
        " ORDER BY tree_size DESC LIMIT 1"
    ),
    "insert_cosignature": "INSERT INTO {schema}.tlog_cosignatures VALUES (%s, %s, %s, %s, %s, %s)",
    "cosigned_sizes": (
        "SELECT tree_size FROM {schema}.tlog_cosignatures WHERE tree_size < %s"
        " GROUP BY tree_size HAVING COUNT(*) >= %s ORDER BY tree_size DESC LIMIT %s"
    ),
}


def lock_key(schema: str) -> int:
    """The advisory lock of one schema's log: a signed 64-bit number from its name."""
    digest = hashlib.sha256(b"lapor-ledger/tlog/" + schema.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class PostgresTlogSession(SqlSession):
    """A transparency-log transaction on PostgreSQL."""

    def __init__(self, cursor: object, sql: Statements, schema: str) -> None:
        super().__init__(cursor, sql)
        self.schema = schema

    def _q(self, statement: str) -> str:
        return pg_statement(statement, schema=self.schema)

    def lock(self) -> bool:
        """Take the log's advisory lock for this transaction; False if another holds it."""
        return bool(self._rows(TRY_LOCK, (lock_key(self.schema),))[0]["locked"])

    def get_nodes(self, addresses: Collection[Address]) -> Mapping[Address, bytes]:
        """The stored nodes among `addresses`, in one query."""
        ordered = sorted(addresses)
        rows = self._rows(self._q(SELECT_NODES), ([a[0] for a in ordered], [a[1] for a in ordered]))
        return {(int(r["level"]), int(r["idx"])): bytes(r["hash"]) for r in rows}

    def put_nodes(self, nodes: Sequence[Node]) -> None:
        """Store newly completed nodes in one statement."""
        self.cursor.execute(
            self._q(INSERT_NODES),
            ([n[0] for n in nodes], [n[1] for n in nodes], [n[2] for n in nodes]),
        )


class PostgresTlogStore:
    """The transparency-log tables in the ledger's PostgreSQL schema."""

    def __init__(self, datastore: PostgresDatastore) -> None:
        self.datastore = datastore
        self.schema = datastore.schema
        q = {k: pg_statement(v, schema=self.schema) for k, v in STATEMENTS.items()}
        self.statements = Statements(**q)

    def create_tables(self) -> None:
        """Create tables and append-only triggers if they are missing."""
        schema = Identifier(self.schema)
        with self.datastore.transaction(commit=True) as curs:
            for statement in CREATE_TABLES:
                curs.execute(SQL(statement).format(schema=schema))
            for table in APPEND_ONLY_TABLES:
                for trigger in APPEND_ONLY_TRIGGERS:
                    curs.execute(
                        SQL(trigger).format(
                            schema=schema,
                            table=Identifier(table),
                            append_only=Identifier(f"{table}_append_only"),
                            no_truncate=Identifier(f"{table}_no_truncate"),
                        )
                    )

    @contextmanager
    def session(self, *, write: bool) -> Iterator[PostgresTlogSession]:
        """A transaction, committed on success if `write`."""
        with self.datastore.transaction(commit=write) as curs:
            yield PostgresTlogSession(curs, self.statements, self.schema)
