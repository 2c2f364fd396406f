"""What a database administrator can do with the append-only triggers bypassed."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import psycopg

from ledger.settings import DatabaseUrl

SQLITE_TRIGGERS = ["ledger_events_no_update", "ledger_events_no_delete"]

_ENTRY_FIELDS = "leaf_index, stream_id, stream_version, recorded_at_us, prev_hash, entry_hash"
POSTGRES_INSERT_ENTRY = (
    f"INSERT INTO ledger_entries ({_ENTRY_FIELDS}) VALUES (%s, %s, %s, %s, %s, %s)"
)
# On SQLite each event row holds its entry; its leaf index is its notification id - 1.
SQLITE_INSERT_EVENT = (
    "INSERT INTO ledger_events (notification_id, originator_id, originator_version, topic,"
    " recorded_at_us, prev_hash, entry_hash, state) VALUES (? + 1, ?, ?, ?, ?, ?, ?, ?)"
)
POSTGRES_INSERT_EVENT = (
    "INSERT INTO ledger_events (originator_id, originator_version, topic, state)"
    " VALUES (%s, %s, %s, %s)"
)
# Statements on one entry, by leaf index.
SQLITE_ENTRY = {
    "delete": None,  # the entry goes with its event's row
    "set_leaf": "UPDATE ledger_events SET notification_id = ? + 1 WHERE notification_id = ? + 1",
    "set_version": None,  # the entry's version is its event's
    "backdate": "UPDATE ledger_events SET recorded_at_us = recorded_at_us - 3600000000"
    " WHERE notification_id = ? + 1",
    "set_hash": "UPDATE ledger_events SET entry_hash = ? WHERE notification_id = ? + 1",
}
POSTGRES_ENTRY = {
    "delete": "DELETE FROM ledger_entries WHERE leaf_index = %s",
    "set_leaf": "UPDATE ledger_entries SET leaf_index = %s WHERE leaf_index = %s",
    "set_version": "UPDATE ledger_entries SET stream_version = %s WHERE leaf_index = %s",
    "backdate": "UPDATE ledger_entries SET recorded_at_us = recorded_at_us - 3600000000"
    " WHERE leaf_index = %s",
    "set_hash": "UPDATE ledger_entries SET entry_hash = %s WHERE leaf_index = %s",
}


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

    def entry(self, conn: Any, change: str, *params: Any) -> None:
        """Change one entry (`SQLITE_ENTRY` / `POSTGRES_ENTRY`): on SQLite, where the entry is
        part of its event's row, a deletion or a version change has already been made with
        the event, and nothing more is run."""
        statement = (SQLITE_ENTRY if self.sqlite else POSTGRES_ENTRY)[change]
        if statement is not None:
            conn.execute(statement, params)

    def insert_event(self, conn: Any, *fields: Any) -> None:
        """Insert an event and its entry by hand: leaf index, stream id, version, event type,
        payload, recorded-at, previous hash, entry hash."""
        leaf, stream_id, version, topic, state, *entry = fields
        if self.sqlite:
            conn.execute(SQLITE_INSERT_EVENT, (leaf, stream_id.hex, version, topic, *entry, state))
        else:
            conn.execute(POSTGRES_INSERT_EVENT, (stream_id, version, topic, state))
            conn.execute(POSTGRES_INSERT_ENTRY, (leaf, stream_id, version, *entry))

    def execute(self, sql: str, *params: Any) -> None:
        """Run one statement as the administrator."""
        with self.session() as conn:
            conn.execute(self.p(sql), params)

    def one(self, sql: str, *params: Any) -> Any:
        """Fetch one row as the administrator."""
        with self.session() as conn:
            return conn.execute(self.p(sql), params).fetchone()
