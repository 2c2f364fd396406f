"""Storage of the API's own state, beside the ledger: tokens, idempotency, receipts, rate limits.

None of it is part of the hash chain; the tables are mutable (tokens are revoked, idempotency
records complete or expire, counters count). An idempotency record is completed by the
append's own transaction (`ledger.storage.key_completion`), not through this interface. Both
backends share this interface and reach the database through the ledger's own datastore.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol
from uuid import UUID

if TYPE_CHECKING:
    from ledger.application import LedgerApplication


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """A stored API token: never the secret, only its SHA-256."""

    token_id: str
    secret_hash: bytes
    role: str
    agency_id: str | None
    label: str
    created_at_us: int
    revoked_at_us: int | None = None


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """What a key was first used for, and (once done) the response it got."""

    fingerprint: bytes
    status: str  # "pending" or "done"
    response: str | None
    created_at_us: int


@dataclass(frozen=True, slots=True)
class SubmissionRow:
    """A report's first entry: where it sits in the log."""

    leaf_index: int
    report_id: UUID


class AccessStore(Protocol):
    """The API state tables on one backend."""

    def create_tables(self) -> None: ...

    def ping(self) -> None: ...

    def insert_token(self, token: TokenRecord) -> None: ...

    def get_token(self, token_id: str) -> TokenRecord | None: ...

    def list_tokens(self) -> list[TokenRecord]: ...

    def revoke_token(self, token_id: str, at_us: int) -> bool: ...

    def claim_key(
        self,
        scope: str,
        key: str,
        fingerprint: bytes,
        now_us: int,
        expired_before_us: int,
        lease_before_us: int,
    ) -> IdempotencyRecord | None: ...

    def release_key(self, scope: str, key: str, claimed_at_us: int) -> None: ...

    def insert_receipt(self, receipt_hash: bytes, report_id: UUID, at_us: int) -> None: ...

    def delete_receipt(self, receipt_hash: bytes) -> None: ...

    def find_receipt(self, receipt_hash: bytes) -> UUID | None: ...

    def hit(self, buckets: Sequence[str], window_start: int) -> list[int]: ...

    def purge_windows(self, before: int) -> None: ...

    def submissions(self, after_leaf: int, limit: int) -> list[SubmissionRow]: ...


def access_store_for(app: LedgerApplication) -> AccessStore:
    """The access store on the same database (and connection pool) as the ledger.

    Its tables are created if missing, unless the settings say not to run DDL
    (`LEDGER_CREATE_TABLES=false`: an application role, or a node on a streaming replica).
    """
    from eventsourcing.postgres import PostgresFactory
    from eventsourcing.sqlite import SQLiteFactory

    from ledger.storage.access_postgres import PostgresAccessStore
    from ledger.storage.access_sqlite import SQLiteAccessStore

    factory = app.factory
    store: AccessStore
    if isinstance(factory, SQLiteFactory):
        store = SQLiteAccessStore(factory.datastore)
    elif isinstance(factory, PostgresFactory):
        store = PostgresAccessStore(factory.datastore)
    else:
        raise TypeError(f"no access store for {type(factory).__name__}")
    if app.settings.create_tables:  # false: the owner made them (a replica is read-only)
        store.create_tables()
    return store
