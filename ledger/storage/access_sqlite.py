"""The API state tables on SQLite (ledger/storage/access.py describes them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.sqlite import SQLiteDatastore

from ledger.storage.access import IdempotencyRecord, SubmissionRow, TokenRecord

CREATE_TABLES = [
    "CREATE TABLE IF NOT EXISTS api_tokens ("
    " token_id TEXT PRIMARY KEY, secret_hash BLOB NOT NULL, role TEXT NOT NULL,"
    " agency_id TEXT, label TEXT NOT NULL, created_at_us INTEGER NOT NULL,"
    " revoked_at_us INTEGER)",
    "CREATE TABLE IF NOT EXISTS api_idempotency ("
    " scope TEXT NOT NULL, key TEXT NOT NULL, fingerprint BLOB NOT NULL,"
    " status TEXT NOT NULL, response TEXT, created_at_us INTEGER NOT NULL,"
    " PRIMARY KEY (scope, key))",
    "CREATE TABLE IF NOT EXISTS api_receipts ("
    " receipt_hash BLOB PRIMARY KEY, report_id TEXT NOT NULL, created_at_us INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS api_rate_limits ("
    " bucket TEXT NOT NULL, window_start INTEGER NOT NULL, hits INTEGER NOT NULL,"
    " PRIMARY KEY (bucket, window_start))",
]
PING = "SELECT 1"
INSERT_CREDENTIAL = "INSERT INTO api_tokens VALUES (?, ?, ?, ?, ?, ?, NULL)"
SELECT_CREDENTIAL = "SELECT * FROM api_tokens WHERE token_id = ?"
SELECT_CREDENTIALS = "SELECT * FROM api_tokens ORDER BY created_at_us, token_id"
REVOKE_CREDENTIAL = (
    "UPDATE api_tokens SET revoked_at_us = ? WHERE token_id = ? AND revoked_at_us IS NULL"
)
# A record past its lifetime, or a claim past its lease (its append never committed).
DELETE_EXPIRED_KEY = (
    "DELETE FROM api_idempotency WHERE scope = ? AND key = ?"
    " AND (created_at_us < ? OR (status = 'pending' AND created_at_us < ?))"
)
INSERT_KEY = (
    "INSERT INTO api_idempotency VALUES (?, ?, ?, 'pending', NULL, ?) ON CONFLICT DO NOTHING"
)
SELECT_KEY = (
    "SELECT fingerprint, status, response, created_at_us FROM api_idempotency"
    " WHERE scope = ? AND key = ?"
)
RELEASE_KEY = (
    "DELETE FROM api_idempotency WHERE scope = ? AND key = ?"
    " AND status = 'pending' AND created_at_us = ?"
)
INSERT_RECEIPT = "INSERT INTO api_receipts VALUES (?, ?, ?)"
DELETE_RECEIPT = "DELETE FROM api_receipts WHERE receipt_hash = ?"
SELECT_RECEIPT = "SELECT report_id FROM api_receipts WHERE receipt_hash = ?"
HIT = (
    "INSERT INTO api_rate_limits VALUES (?, ?, 1)"
    " ON CONFLICT (bucket, window_start) DO UPDATE SET hits = hits + 1 RETURNING hits"
)
PURGE_WINDOWS = "DELETE FROM api_rate_limits WHERE window_start < ?"
# Submissions after a leaf index (leaf index = notification id - 1 on SQLite).
SELECT_SUBMISSIONS = (
    "SELECT notification_id - 1, originator_id FROM ledger_events"
    " WHERE originator_version = 1 AND notification_id > ? + 1 ORDER BY notification_id LIMIT ?"
)


def _token(row: Any) -> TokenRecord:
    return TokenRecord(
        row["token_id"],
        bytes(row["secret_hash"]),
        row["role"],
        row["agency_id"],
        row["label"],
        row["created_at_us"],
        row["revoked_at_us"],
    )


class SQLiteAccessStore:
    """API state in the ledger's SQLite file."""

    def __init__(self, datastore: SQLiteDatastore) -> None:
        self.datastore = datastore

    def create_tables(self) -> None:
        """Create the tables if they do not exist."""
        with self.datastore.transaction(commit=True) as c:
            for statement in CREATE_TABLES:
                c.execute(statement)

    def ping(self) -> None:
        """Run a trivial query (readiness)."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(PING)

    def insert_token(self, token: TokenRecord) -> None:
        """Store a new token."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                INSERT_CREDENTIAL,
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
        """The token with this id, revoked or not."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(SELECT_CREDENTIAL, (token_id,))
            row = c.fetchone()
        return None if row is None else _token(row)

    def list_tokens(self) -> list[TokenRecord]:
        """Every token, oldest first."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(SELECT_CREDENTIALS)
            return [_token(row) for row in c.fetchall()]

    def revoke_token(self, token_id: str, at_us: int) -> bool:
        """Revoke a token; False if unknown or already revoked."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(REVOKE_CREDENTIAL, (at_us, token_id))
            return bool(c.sqlite_cursor.rowcount)

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
        with self.datastore.transaction(commit=True) as c:
            c.execute(DELETE_EXPIRED_KEY, (scope, key, expired_before_us, lease_before_us))
            c.execute(INSERT_KEY, (scope, key, fingerprint, now_us))
            if c.sqlite_cursor.rowcount == 1:
                return None
            c.execute(SELECT_KEY, (scope, key))
            row = c.fetchone()
        return IdempotencyRecord(bytes(row[0]), row[1], row[2], row[3])

    def release_key(self, scope: str, key: str, claimed_at_us: int) -> None:
        """Give a claimed key back (the request wrote nothing), if the claim is still ours."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(RELEASE_KEY, (scope, key, claimed_at_us))

    def insert_receipt(self, receipt_hash: bytes, report_id: UUID, at_us: int) -> None:
        """Index a receipt hash to its report."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(INSERT_RECEIPT, (receipt_hash, report_id.hex, at_us))

    def delete_receipt(self, receipt_hash: bytes) -> None:
        """Drop a receipt whose report was never saved."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(DELETE_RECEIPT, (receipt_hash,))

    def find_receipt(self, receipt_hash: bytes) -> UUID | None:
        """The report a receipt hash belongs to."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(SELECT_RECEIPT, (receipt_hash,))
            row = c.fetchone()
        return None if row is None else UUID(row[0])

    def hit(self, buckets: Sequence[str], window_start: int) -> list[int]:
        """Count one hit in each bucket's current window; returns the new counts."""
        counts = []
        with self.datastore.transaction(commit=True) as c:
            for bucket in buckets:
                c.execute(HIT, (bucket, window_start))
                counts.append(int(c.fetchone()[0]))
        return counts

    def purge_windows(self, before: int) -> None:
        """Forget counters of windows that ended."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(PURGE_WINDOWS, (before,))

    def submissions(self, after_leaf: int, limit: int) -> list[SubmissionRow]:
        """First entries of reports after a leaf index, in log order."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(SELECT_SUBMISSIONS, (after_leaf, limit))
            return [SubmissionRow(row[0], UUID(hex=row[1])) for row in c.fetchall()]
