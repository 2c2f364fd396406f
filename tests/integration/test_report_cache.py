"""The decoded-report cache: two ledgers on one database stand for two server processes.

A report cached by one must show the other's appends and erasure on the next load, and a
command on a report loaded before another process appended must fail with a conflict.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from eventsourcing.persistence import IntegrityError

from ledger.application import LedgerApplication
from ledger.domain import ReportNotFound, VersionConflict
from ledger.storage.keys import KeyRing
from ledger.usecases.batch_loads import load_reports
from tests.integration.ledgers import ADMIN, T0, WBS_REPORTER, open_ledger, submit_wbs


class ReportCacheBehaviour:
    @pytest.fixture
    def url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def pair(self, url: str, tmp_path: Path) -> Iterator[tuple[LedgerApplication, ...]]:
        keyring = KeyRing.ephemeral()
        first = open_ledger(url, tmp_path / "keys", keyring)
        second = open_ledger(url, tmp_path / "keys", keyring)
        yield first, second
        first.close()
        second.close()

    def test_a_cached_report_shows_what_another_process_appended(
        self, pair: tuple[LedgerApplication, ...]
    ) -> None:
        first, second = pair
        rid = submit_wbs(first)
        assert first.get_report(rid).version == 1  # now cached in the first ledger
        for n in range(3):
            second.change(rid, lambda r, n=n: r.annotate(actor=ADMIN, at=T0, note=f"cek {n}"))
        assert first.get_report(rid).version == 4
        first.change(rid, lambda r: r.annotate(actor=ADMIN, at=T0, note="dari proses 1"))
        assert second.get_report(rid).version == 5
        assert [e.originator_version for e in first.report_events(rid)] == [1, 2, 3, 4, 5]

    def test_a_stale_load_cannot_append_over_an_unseen_event(
        self, pair: tuple[LedgerApplication, ...]
    ) -> None:
        first, second = pair
        rid = submit_wbs(first)
        stale = first.get_report(rid)
        second.change(rid, lambda r: r.annotate(actor=ADMIN, at=T0, note="lebih dulu"))
        stale.annotate(actor=ADMIN, at=T0, note="terlambat")
        with pytest.raises(VersionConflict):
            first.change(
                rid, lambda r: r.annotate(actor=ADMIN, at=T0, note="x"), expected_version=1
            )
        with pytest.raises(IntegrityError):
            first.save(stale)  # the database refuses the second version 2
        assert first.get_report(rid).version == 2
        assert len(second.history(rid)) == 2

    def test_a_command_changes_a_copy_never_the_cached_report(
        self, pair: tuple[LedgerApplication, ...]
    ) -> None:
        first, _ = pair
        rid = submit_wbs(first)
        loaded = first.get_report(rid)
        loaded.reporter["name"] = "changed in place"  # type: ignore[index]
        loaded.annotate(actor=ADMIN, at=T0, note="not saved")
        again = first.get_report(rid)
        assert again.version == 1 and again.reporter == WBS_REPORTER

    def test_erasure_by_another_process_clears_the_cached_report(
        self, pair: tuple[LedgerApplication, ...]
    ) -> None:
        first, second = pair
        rid = submit_wbs(first)
        assert first.get_report(rid).reporter == WBS_REPORTER
        second.erase(rid, actor=ADMIN, legal_basis="UU 27/2022 pasal 8", at=T0)
        seen = first.get_report(rid)
        assert seen.erased and seen.reporter is None and seen.body is None

    def test_an_unknown_report_is_not_found_and_not_cached(
        self, pair: tuple[LedgerApplication, ...]
    ) -> None:
        first, second = pair
        rid = submit_wbs(second)
        second.reports.clear()
        with pytest.raises(ReportNotFound):
            first.get_report(rid.__class__(int=rid.int ^ 1))
        assert first.get_report(rid).version == 1

    def test_a_batch_load_shows_other_appends_and_erasures_and_leaves_out_unknown_ids(
        self, pair: tuple[LedgerApplication, ...]
    ) -> None:
        first, second = pair
        cached, uncached, erased = (submit_wbs(first) for _ in range(3))
        first.reports.clear()
        assert first.get_report(cached).version == 1  # cached in the first ledger only
        assert first.get_report(erased).reporter == WBS_REPORTER
        for n in range(2):
            second.change(cached, lambda r, n=n: r.annotate(actor=ADMIN, at=T0, note=f"cek {n}"))
        second.erase(erased, actor=ADMIN, legal_basis="UU 27/2022 pasal 8", at=T0)
        unknown = cached.__class__(int=cached.int ^ 1)
        loaded = load_reports(first, [cached, uncached, erased, unknown, cached])
        assert set(loaded) == {cached, uncached, erased}
        assert loaded[cached].version == 3 and loaded[uncached].version == 1
        assert loaded[erased].erased and loaded[erased].reporter is None
        loaded[uncached].reporter["name"] = "changed in place"  # type: ignore[index]
        again = load_reports(first, [uncached, cached])
        assert again[uncached].reporter == WBS_REPORTER  # a copy, as `get_report` gives
        assert again[cached].version == 3
        assert first.get_report(cached).version == 3


class TestSQLite(ReportCacheBehaviour):
    @pytest.fixture
    def url(self, sqlite_url: str) -> str:
        return sqlite_url


@pytest.mark.postgres
class TestPostgres(ReportCacheBehaviour):
    @pytest.fixture
    def url(self, pg_url: str) -> str:
        return pg_url
