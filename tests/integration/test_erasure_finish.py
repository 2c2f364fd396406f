"""`lapor-ledger erasures pending|finish`: an erasure interrupted before its key was destroyed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.application import Application
from flask import Flask

from api import create_app
from ledger.application import LedgerApplication
from ledger.storage.keys import KeyRing
from tests.conftest import make_settings
from tests.integration.ledgers import ADMIN, WBS_BODY, submit_wbs


def interrupted_erasure(app: LedgerApplication) -> UUID:
    """A WBS report whose erasure event is committed but whose key was never destroyed.

    eventsourcing's own `Application.save` records the event without the ledger's key
    destruction after the commit: exactly the state a crash between the two leaves.
    """
    rid = submit_wbs(app)
    report = app.get_report(rid)
    report.erase_personal_data(ADMIN, report.submitted_at, legal_basis="UU 27/2022 pasal 8")
    Application.save(app, report)
    return rid


class ErasureCommandBehaviour:
    @pytest.fixture
    def url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def flask_app(self, url: str, tmp_path: Path) -> Iterator[Flask]:
        settings = make_settings(url, tmp_path / "keys")
        app = create_app({"LEDGER_SETTINGS": settings, "LEDGER_KEYRING": KeyRing.ephemeral()})
        yield app
        app.extensions["lapor_ledger"].close()

    def invoke(self, flask_app: Flask, *args: str) -> tuple[int, str, str]:
        result = flask_app.test_cli_runner().invoke(args=["erasures", *args])
        return result.exit_code, result.stdout, result.stderr

    def test_finish_destroys_the_surviving_key_once(self, flask_app: Flask) -> None:
        with flask_app.app_context():
            app = flask_app.extensions["lapor_ledger"].ledger
            done = submit_wbs(app)
            app.erase(done, actor=ADMIN, legal_basis="UU 27/2022 pasal 8")  # a complete one
            untouched = submit_wbs(app)
            rid = interrupted_erasure(app)
            assert app.data_keys.table.fetch_data_key(rid) is not None
        code, out, err = self.invoke(flask_app, "pending")
        assert (code, out.split()) == (0, [str(rid)]), err
        assert "1 erasure(s) pending" in err
        code, out, err = self.invoke(flask_app, "finish")
        assert (code, out.split()) == (0, [str(rid)]), err
        assert "1 data key(s) destroyed now" in err
        with flask_app.app_context():
            app = flask_app.extensions["lapor_ledger"].ledger
            assert app.data_keys.table.fetch_data_key(rid) is None
            app.data_keys.forget(rid)
            assert app.report_events(rid)[0].body is None
            assert app.get_report(untouched).body == WBS_BODY  # other reports keep their keys
        code, out, err = self.invoke(flask_app, "finish")
        assert (code, out, "0 data key(s) destroyed now" in err) == (0, "", True)


class TestErasureCommandSQLite(ErasureCommandBehaviour):
    @pytest.fixture
    def url(self, sqlite_url: str) -> str:
        return sqlite_url


@pytest.mark.postgres
class TestErasureCommandPostgres(ErasureCommandBehaviour):
    @pytest.fixture
    def url(self, pg_url: str) -> str:
        return pg_url
