"""What a database administrator can do with the append-only triggers bypassed."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import psycopg

from ledger.settings import DatabaseUrl

SQLITE_TRIGGERS = [
    "ledger_events_no_update",
    "ledger_events_no_delete",
    "ledger_entries_no_update",
    "ledger_entries_no_delete",
]

_ENTRY_FIELDS = "leaf_index, stream_id, stream_version, recorded_at_us, prev_hash, entry_hash"
POSTGRES_INSERT_ENTRY = (
    f"INSERT INTO ledger_entries ({_ENTRY_FIELDS}) VALUES (%s, %s, %s, %s, %s, %s)"
)
SQLITE_INSERT_ENTRY = (
    f"INSERT INTO ledger_entries (event_id, {_ENTRY_FIELDS})"
    " SELECT rowid, ?, ?, ?, ?, ?, ? FROM ledger_events"
    " WHERE originator_id = ? AND originator_version = ?"
)


class Dba:
    """A superuser session on the ledger's database, triggers bypassed, speaking one dialect."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.db = DatabaseUrl.parse(url)
        self.sqlite = self.db.scheme == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Any]:
        """A committed transaction with the append-only triggers out of the way."""
        if self.sqlite:
            conn = sqlite3.connect(self.db.path)
            try:
                for name in SQLITE_TRIGGERS:  # editing the file: the triggers are just dropped
                    conn.execute(f"DROP TRIGGER IF EXISTS {name}")
                yield conn
                conn.commit()
            finally:
                conn.close()
            return
        base = self.url.split("?")[0]
        schema = parse_qs(urlsplit(self.url).query)["schema"][0]
        with psycopg.connect(base) as conn:
            conn.execute("SET session_replication_role = replica")  # superuser: triggers off
            conn.execute(f'SET search_path = "{schema}"')
            yield conn

    def p(self, sql: str) -> str:
        """Translate `?` placeholders for psycopg."""
        return sql if self.sqlite else sql.replace("?", "%s")

    def sid(self, stream_id: Any) -> Any:
        """A stream id as the backend stores it."""
        return stream_id.hex if self.sqlite else stream_id

    def insert_entry(self, conn: Any, *fields: Any) -> None:
        """Insert a ledger entry (leaf index, stream id, version, recorded-at, previous hash,
        entry hash) by hand; on SQLite it links to the event stored at that stream and version."""
        leaf, stream_id, version, *rest = fields
        if self.sqlite:
            conn.execute(
                SQLITE_INSERT_ENTRY,
                (leaf, stream_id.bytes, version, *rest, stream_id.hex, version),
            )
        else:
            conn.execute(POSTGRES_INSERT_ENTRY, (leaf, stream_id, version, *rest))

    def execute(self, sql: str, *params: Any) -> None:
        """Run one statement as the administrator."""
        with self.session() as conn:
            conn.execute(self.p(sql), params)

    def one(self, sql: str, *params: Any) -> Any:
        """Fetch one row as the administrator."""
        with self.session() as conn:
            return conn.execute(self.p(sql), params).fetchone()
