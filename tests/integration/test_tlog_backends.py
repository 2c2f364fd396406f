"""Transparency-log harness for the real backends, and the rules its tables keep.

`SQLiteBackend` and `PostgresBackend` give a ledger with a transparency log on a SQLite file
or a PostgreSQL schema, raw access that bypasses the append-only triggers (to simulate an
operator rewriting history), and a copy of a whole log (to simulate a split view). The
behaviour tests in test_tlog_*.py are written once and subclassed per backend.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import psycopg
import pytest

from ledger.application import LedgerApplication
from ledger.settings import DatabaseUrl
from ledger.tlog import TlogConfig, TransparencyLog, build_tlog
from ledger.tlog.keys import add_key
from tests.conftest import TEST_ORIGIN, postgres_base_url
from tests.integration.ledgers import open_ledger, submit_complaint

COPIED_TABLES = (
    "ledger_events",
    "ledger_entries",
    "report_keys",
    "tlog_nodes",
    "tlog_checkpoints",
    "tlog_cosignatures",
)


class TlogBackend:
    """A ledger and its transparency log on one backend; subclasses provide the database."""

    @pytest.fixture
    def url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def other_url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def key_dir(self, tmp_path: Path) -> Path:
        folder = tmp_path / "log-keys"
        add_key(folder, TEST_ORIGIN)
        return folder

    @pytest.fixture
    def app(self, url: str, tmp_path: Path) -> Iterator[LedgerApplication]:
        ledger = open_ledger(url, tmp_path / "keks")
        yield ledger
        ledger.close()

    def open_tlog(
        self,
        app: LedgerApplication,
        key_dir: Path,
        witnesses: Sequence[str] = (),
        quorum: int | None = None,
    ) -> TransparencyLog:
        config = TlogConfig(TEST_ORIGIN, key_dir, tuple(witnesses), quorum, create_dev_keys=False)
        return build_tlog(app, config)

    def tamper(self, url: str, statements: Sequence[str]) -> None:
        """Run statements with the append-only triggers out of the way."""
        raise NotImplementedError

    def copy_log(self, url: str, target: str, tmp_path: Path) -> LedgerApplication:
        """Copy the whole log to `target` and open a ledger on the copy."""
        raise NotImplementedError

    def run_as_application(self, app: LedgerApplication, statement: str) -> None:
        raise NotImplementedError

    def refused_statements(self) -> list[str]:
        return []

    def overwrite_entry_hash(self, leaf: int) -> str:
        """A statement giving entry `leaf` its previous hash as its entry hash."""
        raise NotImplementedError


class SQLiteBackend(TlogBackend):
    @pytest.fixture
    def url(self, sqlite_url: str) -> str:
        return sqlite_url

    @pytest.fixture
    def other_url(self, tmp_path: Path) -> str:
        return f"sqlite:///{tmp_path / 'copy.sqlite3'}"

    def tamper(self, url: str, statements: Sequence[str]) -> None:
        with sqlite3.connect(DatabaseUrl.parse(url).path) as conn:
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
                conn.execute(f'DROP TRIGGER "{name}"')
            for statement in statements:
                conn.execute(statement)
        conn.close()

    def copy_log(self, url: str, target: str, tmp_path: Path) -> LedgerApplication:
        source = sqlite3.connect(DatabaseUrl.parse(url).path)
        copy = sqlite3.connect(DatabaseUrl.parse(target).path)
        source.backup(copy)
        source.close()
        copy.close()
        return open_ledger(target, tmp_path / "keks-copy")

    def run_as_application(self, app: LedgerApplication, statement: str) -> None:
        with app.factory.datastore.transaction(commit=True) as c:  # type: ignore[attr-defined]
            c.execute(statement)

    def overwrite_entry_hash(self, leaf: int) -> str:
        # each event row holds its entry; leaf index = notification id - 1
        return f"UPDATE ledger_events SET entry_hash = prev_hash WHERE notification_id = {leaf + 1}"


@pytest.mark.postgres
class PostgresBackend(TlogBackend):
    @pytest.fixture
    def url(self, pg_url: str) -> str:
        return pg_url

    @pytest.fixture
    def other_url(self) -> Iterator[str]:
        base = postgres_base_url()
        schema = f"t_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield f"{base}{'&' if '?' in base else '?'}schema={schema}"
        finally:
            with psycopg.connect(base, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')

    def tamper(self, url: str, statements: Sequence[str]) -> None:
        schema = DatabaseUrl.parse(url).schema
        with psycopg.connect(postgres_base_url(), autocommit=True) as conn:
            conn.execute("SET session_replication_role = replica")  # triggers off (superuser)
            conn.execute(f'SET search_path = "{schema}"')
            for statement in statements:
                conn.execute(statement)

    def copy_log(self, url: str, target: str, tmp_path: Path) -> LedgerApplication:
        copy = open_ledger(target, tmp_path / "keks-copy")
        self.open_tlog(copy, tmp_path / "log-keys")  # creates the tlog tables
        source, dest = DatabaseUrl.parse(url).schema, DatabaseUrl.parse(target).schema
        with psycopg.connect(postgres_base_url(), autocommit=True) as conn:
            for table in COPIED_TABLES:
                conn.execute(f'INSERT INTO "{dest}".{table} SELECT * FROM "{source}".{table}')
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{dest}\".ledger_events',"
                f" 'notification_id'), (SELECT max(notification_id) FROM \"{dest}\".ledger_events))"
            )
        return copy

    def overwrite_entry_hash(self, leaf: int) -> str:
        return f"UPDATE ledger_entries SET entry_hash = prev_hash WHERE leaf_index = {leaf}"

    def refused_statements(self) -> list[str]:
        return [
            "TRUNCATE tlog_nodes",
            "TRUNCATE tlog_checkpoints CASCADE",
            "TRUNCATE tlog_cosignatures",
        ]

    def run_as_application(self, app: LedgerApplication, statement: str) -> None:
        datastore = app.factory.datastore  # type: ignore[attr-defined]
        with datastore.transaction(commit=True) as c:
            c.execute(f"SET LOCAL search_path = {datastore.schema}")
            c.execute(statement)


class TableRules(TlogBackend):
    """The tlog tables keep every row they get."""

    def statements(self) -> list[str]:
        return [
            "UPDATE tlog_nodes SET hash = hash",
            "DELETE FROM tlog_nodes",
            "UPDATE tlog_checkpoints SET note = note",
            "DELETE FROM tlog_checkpoints",
            *self.refused_statements(),
        ]

    def test_tlog_tables_are_append_only(self, app: LedgerApplication, key_dir: Path) -> None:
        tlog = self.open_tlog(app, key_dir)
        submit_complaint(app)
        assert tlog.publish_once() is not None
        for statement in self.statements():
            with pytest.raises(Exception, match=r"append-only"):
                self.run_as_application(app, statement)
        assert tlog.integrated_size() == 1 and tlog.latest_checkpoint().tree_size == 1

    def test_tables_are_created_once_and_kept(self, app: LedgerApplication, key_dir: Path) -> None:
        submit_complaint(app)
        first = self.open_tlog(app, key_dir).publish_once()
        again = self.open_tlog(app, key_dir)
        assert again.latest_checkpoint() == first
        assert again.publish_once() is None


class TestSQLiteTables(TableRules, SQLiteBackend):
    pass


class TestPostgresTables(TableRules, PostgresBackend):
    pass
