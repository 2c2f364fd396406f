"""Ledger behaviour, written once and run on every backend (SQLite file, PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest

from ledger.application import LedgerApplication
from ledger.domain import IllegalTransition, VersionConflict
from ledger.integrity.entry import ZERO_HASH, Entry
from tests.integration.ledgers import (
    ADMIN,
    LIAISON,
    T0,
    WBS_BODY,
    WBS_REPORTER,
    handle_fully,
    open_ledger,
    submit_complaint,
    submit_wbs,
)


def recompute(app: LedgerApplication, report_id) -> None:  # type: ignore[no-untyped-def]
    """Check a report's chain from the stored bytes, as an auditor would."""
    prev = ZERO_HASH
    for n, e in enumerate(app.history(report_id), start=1):
        assert e.stream_version == n
        assert e.prev_hash == prev
        assert e.payload is not None and e.event_type is not None
        entry = Entry(
            app.ledger.origin,
            e.leaf_index,
            e.stream_id,
            e.stream_version,
            e.event_type,
            e.recorded_at_us,
            e.prev_hash,
            e.payload,
        )
        assert entry.hash() == e.entry_hash
        prev = e.entry_hash


class LedgerBehaviour:
    """Behaviour every backend must show; subclasses provide `url`."""

    @pytest.fixture
    def url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def app(self, url: str, tmp_path: Path) -> Iterator[LedgerApplication]:
        ledger = open_ledger(url, tmp_path / "keys")
        yield ledger
        ledger.close()

    def test_history_is_a_hash_chain_with_gap_free_leaves(self, app: LedgerApplication) -> None:
        first = submit_complaint(app)
        second = submit_wbs(app)
        handle_fully(app, first)
        recompute(app, first)
        recompute(app, second)
        leaves = [e.leaf_index for e in app.iter_entries()]
        assert leaves == list(range(6))
        assert app.ledger.tree_size() == 6
        times = [e.recorded_at_us for e in app.iter_entries()]
        assert times == sorted(times)

    def test_sealed_fields_round_trip(self, app: LedgerApplication) -> None:
        rid = submit_wbs(app)
        report = app.get_report(rid)
        assert report.body == WBS_BODY
        assert report.reporter == WBS_REPORTER
        assert report.state == "submitted"

    def test_illegal_transition_writes_nothing(self, app: LedgerApplication) -> None:
        rid = submit_complaint(app)
        before = app.ledger.tree_size()
        with pytest.raises(IllegalTransition):
            app.change(
                rid, lambda r: r.follow_up(actor=LIAISON, at=T0, message="x", attachments=[])
            )
        assert app.ledger.tree_size() == before
        assert app.get_report(rid).version == 1

    def test_stale_expected_version_is_a_conflict(self, app: LedgerApplication) -> None:
        rid = submit_complaint(app)
        app.change(rid, lambda r: r.annotate(actor=ADMIN, at=T0, note="dicek"), expected_version=1)
        with pytest.raises(VersionConflict):
            app.change(
                rid, lambda r: r.annotate(actor=ADMIN, at=T0, note="lagi"), expected_version=1
            )
        assert app.get_report(rid).version == 2

    def test_two_writers_at_the_same_version(self, app: LedgerApplication) -> None:
        rid = submit_complaint(app)
        one, two = app.get_report(rid), app.get_report(rid)
        one.annotate(actor=ADMIN, at=T0, note="first")
        two.annotate(actor=ADMIN, at=T0, note="second")
        outcomes: list[str] = []

        def save(report) -> None:  # type: ignore[no-untyped-def]
            try:
                app.save(report)
                outcomes.append("ok")
            except Exception as e:  # the loser's error class is what we check
                outcomes.append(type(e).__name__)

        threads = [threading.Thread(target=save, args=(r,)) for r in (one, two)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["IntegrityError", "ok"]
        recompute(app, rid)
        assert [e.leaf_index for e in app.iter_entries()] == [0, 1]

    def test_reporter_response_and_erasure(self, app: LedgerApplication) -> None:
        rid = submit_wbs(app)
        app.erase(rid, actor=ADMIN, legal_basis="UU 27/2022 pasal 8", at=T0)
        report = app.get_report(rid)
        assert report.erased
        assert report.body is None and report.reporter is None and report.title is None
        types = [e.event_type for e in app.history(rid)]
        assert types[-1].endswith("Erased") or "Eras" in types[-1]
        recompute(app, rid)
        fresh_keys = app.data_keys.table.fetch_data_key(rid)
        assert fresh_keys is None

    def test_the_answer_to_an_append_is_the_stored_entry(self, app: LedgerApplication) -> None:
        rid = submit_complaint(app)
        app.change(rid, lambda r: r.annotate(actor=ADMIN, at=T0, note="cek"))
        for version in (1, 2):  # kept from the commit, compared with the row read back
            assert app.appended_entry(rid, version) == app.entry(rid, version)

    def test_append_only_through_the_application_connection(self, app: LedgerApplication) -> None:
        submit_complaint(app)
        for statement in self.tamper_statements():
            with pytest.raises(Exception, match=r"append-only|refused"):
                self.run_as_application(app, statement)
        assert app.ledger.tree_size() == 1
        recompute(app, next(app.iter_entries()).stream_id)

    def tamper_statements(self) -> list[str]:
        return [
            "UPDATE ledger_events SET state = state",
            "DELETE FROM ledger_events",
            "UPDATE ledger_meta SET value = 'other'",
        ]

    def run_as_application(self, app: LedgerApplication, statement: str) -> None:
        raise NotImplementedError


class TestSQLite(LedgerBehaviour):
    @pytest.fixture
    def url(self, sqlite_url: str) -> str:
        return sqlite_url

    def tamper_statements(self) -> list[str]:
        return [  # the entry is in the event's row
            *super().tamper_statements(),
            "UPDATE ledger_events SET recorded_at_us = recorded_at_us + 1",
            "UPDATE ledger_events SET entry_hash = prev_hash",
        ]

    def run_as_application(self, app: LedgerApplication, statement: str) -> None:
        datastore = app.factory.datastore  # type: ignore[attr-defined]
        with datastore.transaction(commit=True) as c:
            c.execute(statement)


@pytest.mark.postgres
class TestPostgres(LedgerBehaviour):
    @pytest.fixture
    def url(self, pg_url: str) -> str:
        return pg_url

    def tamper_statements(self) -> list[str]:
        return [
            *super().tamper_statements(),
            "UPDATE ledger_entries SET recorded_at_us = recorded_at_us + 1",
            "DELETE FROM ledger_entries",
            "TRUNCATE ledger_events",
            "TRUNCATE ledger_entries",
        ]

    def run_as_application(self, app: LedgerApplication, statement: str) -> None:
        datastore = app.factory.datastore  # type: ignore[attr-defined]
        with datastore.transaction(commit=True) as c:
            c.execute(f"SET LOCAL search_path = {datastore.schema}")
            c.execute(statement)


def test_a_database_keeps_its_origin(sqlite_url: str, tmp_path: Path) -> None:
    """A process configured with another origin, or without tables, refuses to start."""
    from dataclasses import replace

    from ledger.bootstrap import build_ledger
    from ledger.storage.records import OriginMismatch
    from tests.conftest import make_settings

    settings = replace(make_settings(sqlite_url, tmp_path), create_tables=False)
    with pytest.raises(OriginMismatch, match="init-db"):
        build_ledger(settings)
    open_ledger(sqlite_url, tmp_path / "keys").close()
    build_ledger(settings).close()
    with pytest.raises(OriginMismatch, match=r"other\.example/log"):
        build_ledger(replace(settings, origin="other.example/log"))


class BatchBehaviour:
    """Per-report atomicity of a batch: one report's conflict does not block the others."""

    @pytest.fixture
    def url(self) -> str:
        raise NotImplementedError

    def test_save_each_reports_per_report_outcomes(self, url: str, tmp_path: Path) -> None:
        from ledger.domain import Report, Role
        from ledger.domain.values import Actor

        app = open_ledger(url, tmp_path / "keys")
        try:
            ids = [submit_complaint(app) for _ in range(4)]
            loaded = [app.get_report(rid) for rid in ids]
            stale = app.get_report(ids[2])
            stale.annotate(actor=ADMIN, at=T0, note="first")
            app.save(stale)  # ids[2] moves on: the batch's copy is now stale
            for report in loaded:
                report.annotate(actor=ADMIN, at=T0, note="batch")
            new = Report.submit(
                uuid4(),
                actor=Actor(None, Role.REPORTER),
                at=T0,
                classification="aspirasi",
                privacy="public",
                urgency="normal",
                channel="api",
                target_agency_id=None,
                category=None,
                title="Usul taman kota",
                body="Tambah taman.",
                reporter=None,
                attachments=[],
            )
            outcomes = app.save_each(
                [*loaded, new], new_keys={new.id: app.data_keys.create(new.id)}
            )
            assert [type(o).__name__ if o else None for o in outcomes] == [
                None,
                None,
                "VersionConflict",
                None,
                None,
            ]
            assert [app.get_report(rid).version for rid in ids] == [2, 2, 2, 2]
            assert app.get_report(new.id).title == "Usul taman kota"
            assert [e.leaf_index for e in app.iter_entries()] == list(range(9))
            for rid in [*ids, new.id]:
                recompute(app, rid)
        finally:
            app.close()


class TestBatchSQLite(BatchBehaviour):
    @pytest.fixture
    def url(self, sqlite_url: str) -> str:
        return sqlite_url


@pytest.mark.postgres
class TestBatchPostgres(BatchBehaviour):
    @pytest.fixture
    def url(self, pg_url: str) -> str:
        return pg_url


FORMER_SQLITE_LAYOUT = [  # pre-release files: eventsourcing's table and a second entries table
    "CREATE TABLE ledger_events (originator_id TEXT, originator_version INTEGER, topic TEXT,"
    " state BLOB, PRIMARY KEY (originator_id, originator_version))",
    "CREATE TABLE ledger_entries (leaf_index INTEGER PRIMARY KEY, event_id INTEGER NOT NULL"
    " UNIQUE, stream_id BLOB, stream_version INTEGER, recorded_at_us INTEGER, prev_hash BLOB,"
    " entry_hash BLOB)",
]


def test_sqlite_rows_hold_their_entries_keyed_by_leaf_index(
    sqlite_url: str, tmp_path: Path
) -> None:
    """On SQLite each event row holds its entry, with notification id = leaf index + 1, and
    eventsourcing's notification log reads the same rows in the same order."""
    import sqlite3

    from ledger.settings import DatabaseUrl

    app = open_ledger(sqlite_url, tmp_path / "keys")
    try:
        first, second = submit_complaint(app), submit_wbs(app)
        app.change(first, lambda r: r.annotate(actor=ADMIN, at=T0, note="cek"))
        entries = list(app.iter_entries())
        notifications = app.recorder.select_notifications(1, 10)
        later = app.recorder.select_notifications(2, 10, stop=2, inclusive_of_start=True)
        after = app.recorder.select_notifications(1, 10, inclusive_of_start=False)
    finally:
        app.close()
    assert [(e.leaf_index, e.stream_id, e.stream_version) for e in entries] == [
        (0, first, 1),
        (1, second, 1),
        (2, first, 2),
    ]
    assert [(n.id, n.originator_id, n.originator_version) for n in notifications] == [
        (e.leaf_index + 1, e.stream_id, e.stream_version) for e in entries
    ]
    assert [n.state for n in notifications] == [e.payload for e in entries]
    assert [n.id for n in later] == [2] and [n.id for n in after] == [2, 3]
    with sqlite3.connect(DatabaseUrl.parse(sqlite_url).path) as db:
        rows = db.execute(
            "SELECT notification_id, originator_id, originator_version, entry_hash"
            " FROM ledger_events ORDER BY notification_id"
        ).fetchall()
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    db.close()
    assert rows == [
        (e.leaf_index + 1, e.stream_id.hex, e.stream_version, e.entry_hash) for e in entries
    ]
    assert "ledger_entries" not in tables


def test_a_sqlite_file_in_the_former_layout_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    import sqlite3

    from ledger.settings import DatabaseUrl
    from ledger.storage.records import OriginMismatch

    with sqlite3.connect(DatabaseUrl.parse(sqlite_url).path) as db:
        for statement in FORMER_SQLITE_LAYOUT:
            db.execute(statement)
    db.close()
    with pytest.raises(OriginMismatch, match=r"ledger_entries.*pre-release"):
        open_ledger(sqlite_url, tmp_path / "keys")
