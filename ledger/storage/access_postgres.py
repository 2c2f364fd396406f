"""The API state tables on PostgreSQL (ledger/storage/access.py describes them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore

from ledger.storage.access import IdempotencyRecord, SubmissionRow, TokenRecord
from ledger.storage.pg_names import pg_statement

# Two workers starting together must not race on CREATE TABLE.
LOCK_DDL = "SELECT pg_advisory_xact_lock(hashtext('lapor-ledger/api-tables'))"
CREATE_TABLES = [
    "CREATE TABLE IF NOT EXISTS {schema}.api_tokens ("
    " token_id text PRIMARY KEY, secret_hash bytea NOT NULL, role text NOT NULL,"
    " agency_id text, label text NOT NULL, created_at_us bigint NOT NULL,"
    " revoked_at_us bigint)",
    "CREATE TABLE IF NOT EXISTS {schema}.api_idempotency ("
    " scope text NOT NULL, key text NOT NULL, fingerprint bytea NOT NULL,"
    " status text NOT NULL, response text, created_at_us bigint NOT NULL,"
    " PRIMARY KEY (scope, key))",
    "CREATE TABLE IF NOT EXISTS {schema}.api_receipts ("
    " receipt_hash bytea PRIMARY KEY, report_id uuid NOT NULL, created_at_us bigint NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {schema}.api_rate_limits ("
    " bucket text NOT NULL, window_start bigint NOT NULL, hits bigint NOT NULL,"
    " PRIMARY KEY (bucket, window_start))",
]
PING = "SELECT 1"
INSERT_CREDENTIAL = "INSERT INTO {schema}.api_tokens VALUES (%s, %s, %s, %s, %s, %s, NULL)"
SELECT_CREDENTIAL = "SELECT * FROM {schema}.api_tokens WHERE token_id = %s"
SELECT_CREDENTIALS = "SELECT * FROM {schema}.api_tokens ORDER BY created_at_us, token_id"
REVOKE_CREDENTIAL = (
    "UPDATE {schema}.api_tokens SET revoked_at_us = %s"
    " WHERE token_id = %s AND revoked_at_us IS NULL"
)
# A record past its lifetime, or a claim past its lease (its append never committed).
DELETE_EXPIRED_KEY = (
    "DELETE FROM {schema}.api_idempotency WHERE scope = %s AND key = %s"
    " AND (created_at_us < %s OR (status = 'pending' AND created_at_us < %s))"
)
INSERT_KEY = (
    "INSERT INTO {schema}.api_idempotency VALUES (%s, %s, %s, 'pending', NULL, %s)"
    " ON CONFLICT DO NOTHING"
)
SELECT_KEY = (
    "SELECT fingerprint, status, response, created_at_us FROM {schema}.api_idempotency"
    " WHERE scope = %s AND key = %s"
)
RELEASE_KEY = (
    "DELETE FROM {schema}.api_idempotency WHERE scope = %s AND key = %s"
    " AND status = 'pending' AND created_at_us = %s"
)
INSERT_RECEIPT = "INSERT INTO {schema}.api_receipts VALUES (%s, %s, %s)"
DELETE_RECEIPT = "DELETE FROM {schema}.api_receipts WHERE receipt_hash = %s"
SELECT_RECEIPT = "SELECT report_id FROM {schema}.api_receipts WHERE receipt_hash = %s"
HIT = (
    "INSERT INTO {schema}.api_rate_limits AS r VALUES (%s, %s, 1)"
    " ON CONFLICT (bucket, window_start) DO UPDATE SET hits = r.hits + 1 RETURNING r.hits"
)
PURGE_WINDOWS = "DELETE FROM {schema}.api_rate_limits WHERE window_start < %s"
SELECT_SUBMISSIONS = (
    "SELECT leaf_index, stream_id FROM {schema}.ledger_entries"
    " WHERE stream_version = 1 AND leaf_index > %s ORDER BY leaf_index LIMIT %s"
)


def _token(row: dict[str, Any]) -> TokenRecord:
    return TokenRecord(
        row["token_id"],
        bytes(row["secret_hash"]),
        row["role"],
        row["agency_id"],
        row["label"],
        row["created_at_us"],
        row["revoked_at_us"],
    )


class PostgresAccessStore:
    """API state in the ledger's PostgreSQL schema."""

    def __init__(self, datastore: PostgresDatastore) -> None:
        self.datastore = datastore
        self._select_credential = self._sql(SELECT_CREDENTIAL)

    def _sql(self, statement: str) -> str:
        return pg_statement(statement, schema=self.datastore.schema)

    def create_tables(self) -> None:
        """Create the tables if they do not exist."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(LOCK_DDL)
            for statement in CREATE_TABLES:
                curs.execute(self._sql(statement))

    def ping(self) -> None:
        """Run a trivial query (readiness)."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(PING)

    def insert_token(self, token: TokenRecord) -> None:
        """Store a new token."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                self._sql(INSERT_CREDENTIAL),
                (
                    token.token_id,
                    token.secret_hash,
                    token.role,
                    token.agency_id,
                    token.label,
                    token.created_at_us,
                ),
            )

    def get_token(self, token_id: str) -> TokenRecord | None:
        """The token with this id, revoked or not (one statement: no BEGIN/ROLLBACK trips)."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._select_credential, (token_id,), prepare=True)
            row = curs.fetchone()
        return None if row is None else _token(row)

    def list_tokens(self) -> list[TokenRecord]:
        """Every token, oldest first."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql(SELECT_CREDENTIALS))
            return [_token(row) for row in curs.fetchall()]

    def revoke_token(self, token_id: str, at_us: int) -> bool:
        """Revoke a token; False if unknown or already revoked."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._sql(REVOKE_CREDENTIAL), (at_us, token_id))
            return bool(curs.rowcount)

    def claim_key(
        self,
        scope: str,
        key: str,
        fingerprint: bytes,
        now_us: int,
        expired_before_us: int,
        lease_before_us: int,
    ) -> IdempotencyRecord | None:
        """Claim a key (None) or return the record of its earlier use.

        A done record older than `expired_before_us`, or a pending claim older than
        `lease_before_us`, is dropped first: the key is free again.
        """
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                self._sql(DELETE_EXPIRED_KEY), (scope, key, expired_before_us, lease_before_us)
            )
            curs.execute(self._sql(INSERT_KEY), (scope, key, fingerprint, now_us))
            if curs.rowcount == 1:
                return None
            curs.execute(self._sql(SELECT_KEY), (scope, key))
            row = curs.fetchone()
        assert row is not None
        return IdempotencyRecord(
            bytes(row["fingerprint"]), row["status"], row["response"], row["created_at_us"]
        )

    def release_key(self, scope: str, key: str, claimed_at_us: int) -> None:
        """Give a claimed key back (the request wrote nothing), if the claim is still ours."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._sql(RELEASE_KEY), (scope, key, claimed_at_us))

    def insert_receipt(self, receipt_hash: bytes, report_id: UUID, at_us: int) -> None:
        """Index a receipt hash to its report."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._sql(INSERT_RECEIPT), (receipt_hash, report_id, at_us))

    def delete_receipt(self, receipt_hash: bytes) -> None:
        """Drop a receipt whose report was never saved."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._sql(DELETE_RECEIPT), (receipt_hash,))

    def find_receipt(self, receipt_hash: bytes) -> UUID | None:
        """The report a receipt hash belongs to."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql(SELECT_RECEIPT), (receipt_hash,), prepare=True)
            row = curs.fetchone()
        return None if row is None else UUID(str(row["report_id"]))

    def hit(self, buckets: Sequence[str], window_start: int) -> list[int]:
        """Count one hit in each bucket's current window; returns the new counts."""
        counts = []
        with self.datastore.transaction(commit=True) as curs:
            for bucket in sorted(buckets):  # one lock order for every worker
                curs.execute(self._sql(HIT), (bucket, window_start), prepare=True)
                row = curs.fetchone()
                assert row is not None
                counts.append((bucket, int(row["hits"])))
        order = dict(counts)
        return [order[b] for b in buckets]

    def purge_windows(self, before: int) -> None:
        """Forget counters of windows that ended."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._sql(PURGE_WINDOWS), (before,))

    def submissions(self, after_leaf: int, limit: int) -> list[SubmissionRow]:
        """First entries of reports after a leaf index, in log order."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql(SELECT_SUBMISSIONS), (after_leaf, limit), prepare=True)
            return [SubmissionRow(r["leaf_index"], r["stream_id"]) for r in curs.fetchall()]
