"""View transactions commit without waiting for the disk; every other write still waits.

The views are derived from the log and store their position with their rows, so a crash that
takes back the last view transactions loses nothing the follower does not apply again
(docs/projections.md, "Durability of the views"). The relaxed setting must not leak to the
connections the ledger, the access tables or the transparency log write through.
"""

from __future__ import annotations

import sqlite3
from contextlib import ExitStack
from typing import Any

import pytest

from ledger.application import LedgerApplication
from ledger.demo import run_demo
from projections.runner import Projections
from tests.integration.test_projections_support import PostgresBackend, SQLiteBackend, snapshot

FULL, NORMAL = 2, 1  # SQLite's PRAGMA synchronous levels
FAST = 2  # SQLite's PRAGMA secure_delete levels: 0 off, 1 on, 2 fast


def _settings(c: Any) -> tuple[int, int]:
    """The synchronous and secure_delete levels a cursor's connection runs with."""
    c.execute("PRAGMA synchronous")
    synchronous = c.fetchone()[0]
    c.execute("PRAGMA secure_delete")
    return synchronous, c.fetchone()[0]


def _catch_up_in_small_batches(app: LedgerApplication) -> Projections:
    run_demo(app, reports=30, seed=11)
    p = Projections(app)
    assert [c.failure for c in p.catch_up(batch_size=7)] == [None, None]
    return p


class TestSQLite(SQLiteBackend):
    def test_a_view_commits_with_synchronous_normal_and_without_overwriting(
        self, app: LedgerApplication
    ) -> None:
        p = _catch_up_in_small_batches(app)
        datastore: Any = app.recorder.datastore  # type: ignore[attr-defined]
        with datastore.get_connection(commit=False) as conn:
            _, library_default = _settings(conn.cursor())
        with p.views["reports"].transaction(commit=True) as tx:
            assert _settings(tx.cursor) == (NORMAL, FAST)
        with p.views["reports"].transaction(commit=False) as tx:  # reads are left alone
            assert _settings(tx.cursor) == (FULL, library_default)

    def test_every_pooled_connection_is_back_at_full(self, app: LedgerApplication) -> None:
        p = _catch_up_in_small_batches(app)
        p.rebuild(batch_size=50)
        datastore: Any = app.recorder.datastore  # type: ignore[attr-defined]
        held = datastore.pool.num_in_pool
        assert held >= 1
        with ExitStack() as stack:  # take every idle connection of the pool at once
            conns = [
                stack.enter_context(datastore.get_connection(commit=False)) for _ in range(held)
            ]
            levels = [_settings(conn.cursor()) for conn in conns]
        default = sqlite3.connect(":memory:").execute("PRAGMA secure_delete").fetchone()[0]
        assert levels == [(FULL, default)] * held

    def test_views_equal_a_rebuild_after_relaxed_commits(self, app: LedgerApplication) -> None:
        p = _catch_up_in_small_batches(app)
        incremental = snapshot(p)
        p.rebuild()
        assert snapshot(p) == incremental


@pytest.mark.postgres
class TestPostgres(PostgresBackend):
    def test_a_view_commits_without_waiting_for_the_wal(self, app: LedgerApplication) -> None:
        p = _catch_up_in_small_batches(app)
        with p.views["reports"].transaction(commit=True) as tx:
            tx.cursor.execute("SHOW synchronous_commit")
            assert tx.cursor.fetchone()["synchronous_commit"] == "off"
        datastore: Any = app.recorder.datastore  # type: ignore[attr-defined]
        for _ in range(datastore.pool.max_size + 1):  # the setting ended with its transaction
            with datastore.transaction(commit=True) as c:
                c.execute("SHOW synchronous_commit")
                assert c.fetchone()["synchronous_commit"] == "on"
