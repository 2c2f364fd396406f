"""Support for the projection tests: a fresh ledger per backend, snapshots of the views.

Holds no tests itself; the behaviour classes in `test_projections_*.py` subclass
`SQLiteBackend` or `PostgresBackend` to run on each.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from ledger.application import LedgerApplication
from ledger.settings import Settings
from projections.runner import Projections
from tests.conftest import make_settings, postgres_base_url
from tests.integration.ledgers import open_ledger

VIEW_TABLES = (
    "proj_reports",
    "proj_clocks",
    "proj_shares",
    "proj_share_counts",
    "proj_clock_counts",
    "proj_daily",
    "proj_daily_origin",
)


def snapshot(p: Projections) -> dict[str, list[dict[str, Any]]]:
    """Every row of every view table, in primary-key order."""
    with p.reading() as tx:
        return {name: tx.rows(statement, {}) for name, statement in tx.sql.snapshot.items()}


def stream_ids(app: LedgerApplication) -> list[uuid.UUID]:
    """Every report in the log, in order of first appearance."""
    seen: dict[uuid.UUID, None] = {}
    for entry in app.iter_entries():
        seen.setdefault(entry.stream_id, None)
    return list(seen)


class Backend:
    """A fresh ledger database per test (fixtures) or per example (`fresh_url`)."""

    @classmethod
    @contextmanager
    def fresh_url(cls) -> Iterator[str]:
        raise NotImplementedError

    @pytest.fixture
    def workdir(self) -> Iterator[Path]:
        with tempfile.TemporaryDirectory() as folder:
            yield Path(folder)

    @pytest.fixture
    def url(self) -> Iterator[str]:
        with self.fresh_url() as url:
            yield url

    @pytest.fixture
    def settings(self, url: str, workdir: Path) -> Settings:
        return make_settings(url, workdir / "keys")

    @pytest.fixture
    def app(self, url: str, workdir: Path) -> Iterator[LedgerApplication]:
        ledger = open_ledger(url, workdir / "keys")
        yield ledger
        ledger.close()

    @pytest.fixture
    def projections(self, app: LedgerApplication) -> Projections:
        return Projections(app)

    @classmethod
    @contextmanager
    def fresh_ledger(cls) -> Iterator[LedgerApplication]:
        """A ledger on a database of its own, closed and removed afterwards."""
        with cls.fresh_url() as url, tempfile.TemporaryDirectory() as folder:
            ledger = open_ledger(url, Path(folder) / "keys")
            try:
                yield ledger
            finally:
                ledger.close()


class SQLiteBackend(Backend):
    """A new SQLite file."""

    @classmethod
    @contextmanager
    def fresh_url(cls) -> Iterator[str]:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'ledger.sqlite3'}"

    @pytest.fixture
    def refuse_report_row(self, app: LedgerApplication) -> Callable[[str], None]:
        """Have the database refuse the `proj_reports` row of one report (a view write that
        fails), with a trigger."""

        def refuse(report_id: str) -> None:
            with app.factory.datastore.transaction(commit=True) as c:  # type: ignore[attr-defined]
                c.execute(
                    "CREATE TRIGGER refuse_row BEFORE INSERT ON proj_reports"
                    f" WHEN NEW.report_id = '{report_id}'"
                    " BEGIN SELECT RAISE(ABORT, 'row refused'); END"
                )

        return refuse


class PostgresBackend(Backend):
    """A new schema on the test PostgreSQL server, dropped afterwards."""

    @classmethod
    @contextmanager
    def fresh_url(cls) -> Iterator[str]:
        base = postgres_base_url()
        schema = f"t_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield f"{base}{'&' if '?' in base else '?'}schema={schema}"
        finally:
            with psycopg.connect(base, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')

    @pytest.fixture
    def refuse_report_row(self, app: LedgerApplication) -> Callable[[str], None]:
        """Have the database refuse the `proj_reports` row of one report (a view write that
        fails), with a trigger."""

        def refuse(report_id: str) -> None:
            datastore: Any = app.factory.datastore  # type: ignore[attr-defined]
            schema = datastore.schema
            with datastore.transaction(commit=True) as c:
                c.execute(
                    f'CREATE FUNCTION "{schema}".refuse_row() RETURNS trigger LANGUAGE plpgsql'
                    f" AS $$ BEGIN IF NEW.report_id::text = '{report_id}'"
                    " THEN RAISE EXCEPTION 'row refused'; END IF; RETURN NEW; END $$"
                )
                c.execute(
                    f'CREATE TRIGGER refuse_row BEFORE INSERT ON "{schema}".proj_reports'
                    f' FOR EACH ROW EXECUTE FUNCTION "{schema}".refuse_row()'
                )

        return refuse


def at(text: str) -> datetime:
    """An aware time from ISO text."""
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None
    return moment
