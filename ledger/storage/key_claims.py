"""A batch's idempotency keys, claimed in one transaction (and given back in one, if any).

Keys of written items are completed in the append's own transaction (see
`ledger.storage.key_completion`). The rows and their meaning are those of
`AccessStore.claim_key` and `release_key` (the same `api_idempotency` table, so single and
batch requests share one key space); only the number of round trips and commits differs.
On PostgreSQL each step is a few array statements for the whole batch; on SQLite the
store's own statements run key by key inside one transaction; any other store is called
key by key. Keys are taken in sorted order, so two batches that share keys cannot deadlock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ledger.storage import access_sqlite as lite
from ledger.storage.access import AccessStore, IdempotencyRecord
from ledger.storage.access_postgres import PostgresAccessStore
from ledger.storage.pg_names import pg_statement

PG_DELETE_EXPIRED_KEYS = (
    "DELETE FROM {schema}.api_idempotency WHERE scope = %s AND key = ANY(%b)"
    " AND (created_at_us < %s OR (status = 'pending' AND created_at_us < %s))"
)
PG_INSERT_KEYS = (
    "INSERT INTO {schema}.api_idempotency"
    " SELECT %s, u.key, u.fingerprint, 'pending', NULL, %s"
    " FROM unnest(%b::text[], %b::bytea[]) AS u(key, fingerprint) ORDER BY u.key"
    " ON CONFLICT DO NOTHING RETURNING key"
)
PG_SELECT_KEYS = (
    "SELECT key, fingerprint, status, response, created_at_us FROM {schema}.api_idempotency"
    " WHERE scope = %s AND key = ANY(%b)"
)
PG_RELEASE_KEYS = (
    "DELETE FROM {schema}.api_idempotency WHERE scope = %s AND key = ANY(%b)"
    " AND status = 'pending' AND created_at_us = %s"
)

Found = dict[str, IdempotencyRecord | None]


def claim_keys(
    store: AccessStore,
    scope: str,
    prints: Mapping[str, bytes],
    now_us: int,
    cutoffs: tuple[int, int],
) -> Found:
    """Claim each key (None) or return the record of its earlier use.

    `cutoffs`: done records created before the first are expired, pending claims created
    before the second have outlived their lease (see `Idempotency.cutoffs`).
    """
    keys = sorted(prints)
    expired_us, lease_us = cutoffs
    if isinstance(store, PostgresAccessStore):
        return _pg_claim(store, scope, keys, prints, now_us, cutoffs)
    if isinstance(store, lite.SQLiteAccessStore):
        found: Found = {}
        with store.datastore.transaction(commit=True) as c:
            for key in keys:
                c.execute(lite.DELETE_EXPIRED_KEY, (scope, key, expired_us, lease_us))
                c.execute(lite.INSERT_KEY, (scope, key, prints[key], now_us))
                if c.sqlite_cursor.rowcount == 1:
                    found[key] = None
                    continue
                c.execute(lite.SELECT_KEY, (scope, key))
                row = c.fetchone()
                found[key] = IdempotencyRecord(bytes(row[0]), row[1], row[2], row[3])
        return found
    return {k: store.claim_key(scope, k, prints[k], now_us, *cutoffs) for k in keys}


def release_keys(
    store: AccessStore, scope: str, released: Sequence[str], claimed_at_us: int
) -> None:
    """Give back the keys of items that wrote nothing (those still claimed at `claimed_at_us`)."""
    given_back = sorted(released)
    if not given_back:
        return
    if isinstance(store, PostgresAccessStore):
        with store.datastore.transaction(commit=True) as curs:
            statement = _pg(store, PG_RELEASE_KEYS)
            curs.execute(statement, (scope, given_back, claimed_at_us), prepare=True)
    elif isinstance(store, lite.SQLiteAccessStore):
        with store.datastore.transaction(commit=True) as c:
            for key in given_back:
                c.execute(lite.RELEASE_KEY, (scope, key, claimed_at_us))
    else:
        for key in given_back:
            store.release_key(scope, key, claimed_at_us)


def _pg(store: PostgresAccessStore, statement: str) -> str:
    return pg_statement(statement, schema=store.datastore.schema)


def _pg_claim(
    store: PostgresAccessStore,
    scope: str,
    keys: list[str],
    prints: Mapping[str, bytes],
    now_us: int,
    cutoffs: tuple[int, int],
) -> Found:
    found: Found = {}
    with store.datastore.transaction(commit=True) as curs:
        curs.execute(_pg(store, PG_DELETE_EXPIRED_KEYS), (scope, keys, *cutoffs), prepare=True)
        params: tuple[Any, ...] = (scope, now_us, keys, [prints[k] for k in keys])
        curs.execute(_pg(store, PG_INSERT_KEYS), params, prepare=True)
        found |= {row["key"]: None for row in curs.fetchall()}
        taken = [k for k in keys if k not in found]
        if taken:
            curs.execute(_pg(store, PG_SELECT_KEYS), (scope, taken), prepare=True)
            for row in curs.fetchall():
                found[row["key"]] = IdempotencyRecord(
                    bytes(row["fingerprint"]), row["status"], row["response"], row["created_at_us"]
                )
    for key in keys:  # given back by its request meanwhile: still busy, as far as this one knows
        found.setdefault(key, IdempotencyRecord(prints[key], "pending", None, now_us))
    return found
