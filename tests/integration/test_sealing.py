"""Sealed content: no plaintext in stored rows; erasure destroys the key and keeps every hash."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from ledger.application import LedgerApplication
from ledger.export import write_bundle
from ledger.settings import DatabaseUrl
from tests.integration.ledgers import ADMIN, WBS_BODY, WBS_REPORTER, open_ledger, submit_wbs
from verify.cli import main as verify_main

SECRETS = [WBS_BODY, WBS_REPORTER["name"], WBS_REPORTER["phone"], "Pungutan liar izin usaha"]


def needles() -> list[bytes]:
    """Each secret as raw UTF-8 and as it would appear inside JSON."""
    found = []
    for s in SECRETS:
        found += [s.encode(), json.dumps(s).encode()[1:-1]]
    return found


class SealingBehaviour:
    @pytest.fixture
    def url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def app(self, url: str, tmp_path: Path) -> Iterator[LedgerApplication]:
        ledger = open_ledger(url, tmp_path / "keys")
        yield ledger
        ledger.close()

    def raw_bytes(self, app: LedgerApplication, url: str) -> bytes:
        raise NotImplementedError

    def test_wbs_rows_hold_no_plaintext(self, app: LedgerApplication, url: str) -> None:
        rid = submit_wbs(app)
        assert app.get_report(rid).body == WBS_BODY  # the key opens it
        raw = self.raw_bytes(app, url)
        assert b"Submitted" in raw  # the search does read the stored rows
        for needle in needles():
            assert needle not in raw, needle

    def test_erasure_keeps_the_log_verifiable(
        self, app: LedgerApplication, url: str, tmp_path: Path
    ) -> None:
        rid = submit_wbs(app)
        app.change(rid, lambda r: r.annotate(actor=ADMIN, at=r.submitted_at, note="diterima"))
        app.erase(rid, actor=ADMIN, legal_basis="UU 27/2022 pasal 8")
        report = app.get_report(rid)
        assert report.erased
        assert (report.title, report.body, report.reporter, report.attachments) == (None,) * 4
        reopened = open_ledger(url, tmp_path / "keys2", keyring=app.data_keys.keyring)
        try:  # a fresh process has no cached key either
            assert reopened.get_report(rid).body is None
        finally:
            reopened.close()
        history = app.history(rid)
        assert history[-1].event_type == "ledger.domain.report:Report.PersonalDataErased"
        bundle = tmp_path / "bundle.jsonl"
        with bundle.open("w") as out:
            write_bundle(app.ledger, out)
        result = CliRunner().invoke(verify_main, ["bundle", str(bundle), "--json"])
        assert result.exit_code == 0, result.stdout
        assert json.loads(result.stdout)["entries"] == 3


class TestSealingSQLite(SealingBehaviour):
    @pytest.fixture
    def url(self, sqlite_url: str) -> str:
        return sqlite_url

    def raw_bytes(self, app: LedgerApplication, url: str) -> bytes:
        app.close()  # checkpoint the WAL into the file, then read the file itself
        path = Path(DatabaseUrl.parse(url).path)
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


@pytest.mark.postgres
class TestSealingPostgres(SealingBehaviour):
    @pytest.fixture
    def url(self, pg_url: str) -> str:
        return pg_url

    def raw_bytes(self, app: LedgerApplication, url: str) -> bytes:
        base, schema = url.split("?schema=")
        chunks = []
        with psycopg.connect(base) as conn:
            tables = conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (schema,),
            ).fetchall()
            for (table,) in tables:
                rows = conn.execute(f'SELECT * FROM "{schema}"."{table}"').fetchall()
                for row in rows:
                    for value in row:
                        chunks.append(value if isinstance(value, bytes) else str(value).encode())
        return b"\n".join(chunks)


def test_erasure_in_another_process_is_honoured(sqlite_url: str, tmp_path: Path) -> None:
    """A second process that cached the key stops showing sealed fields once it sees the erasure."""
    first = open_ledger(sqlite_url, tmp_path / "keys")
    second = open_ledger(sqlite_url, tmp_path / "keys", keyring=first.data_keys.keyring)
    try:
        rid = submit_wbs(first)
        assert second.get_report(rid).body == WBS_BODY  # second now holds the key in its cache
        assert second.report_events(rid)[0].body == WBS_BODY
        first.erase(rid, actor=ADMIN, legal_basis="UU 27/2022 pasal 8")
        submitted = second.report_events(rid)[0]
        assert (submitted.body, submitted.reporter) == (None, None)
        assert second.get_report(rid).body is None
    finally:
        first.close()
        second.close()


def test_every_save_path_destroys_the_key_of_an_erasure(sqlite_url: str, tmp_path: Path) -> None:
    """Plain save and save_each shred the data key once the erasure event is committed."""
    app = open_ledger(sqlite_url, tmp_path / "keys")
    try:
        first, second = submit_wbs(app), submit_wbs(app)
        report = app.get_report(first)
        report.erase_personal_data(ADMIN, report.submitted_at, legal_basis="UU 27/2022")
        app.save(report)
        batch = app.get_report(second)
        batch.erase_personal_data(ADMIN, batch.submitted_at, legal_basis="UU 27/2022")
        assert app.save_each([batch]) == [None]
        for rid in (first, second):
            assert app.data_keys.table.fetch_data_key(rid) is None
            assert app.report_events(rid)[0].body is None
    finally:
        app.close()
