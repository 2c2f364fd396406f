"""`lapor-ledger projections rebuild|catch-up|status|timers` on a real database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from api import create_app
from api.projection_commands import projections_group
from ledger.demo import run_demo
from ledger.settings import Settings
from ledger.storage.keys import KeyRing
from tests.integration.test_projections_failures import send_to_unknown_agency
from tests.integration.test_projections_support import PostgresBackend, SQLiteBackend


class CliBehaviour:
    """The operator commands report positions, lag and the failure a projection stopped at."""

    @pytest.fixture
    def flask_app(self, settings: Settings) -> Iterator[Flask]:
        app = create_app({"LEDGER_SETTINGS": settings, "LEDGER_KEYRING": KeyRing.ephemeral()})
        app.cli.add_command(projections_group)
        yield app
        app.extensions["lapor_ledger"].close()

    def invoke(self, flask_app: Flask, *args: str) -> tuple[int, str]:
        result = flask_app.test_cli_runner().invoke(args=["projections", *args])
        return result.exit_code, result.output

    def test_rebuild_then_status(self, flask_app: Flask, workdir: Path) -> None:
        with flask_app.app_context():
            ledger = flask_app.extensions["lapor_ledger"].ledger
            run_demo(ledger, reports=20, seed=5)
            top = ledger.recorder.max_notification_id()
        code, out = self.invoke(flask_app, "status")
        assert code == 0 and "reports" in out and f"{top}" in out
        code, out = self.invoke(flask_app, "rebuild")
        assert code == 0, out
        assert f"reports: {top} events applied, position {top}" in out
        code, out = self.invoke(flask_app, "rebuild", "daily")
        assert code == 0 and "daily:" in out and "reports:" not in out
        code, out = self.invoke(flask_app, "status")
        assert code == 0 and " 0 " in out
        code, out = self.invoke(flask_app, "timers", "--now", "2026-12-01T00:00:00+07:00")
        assert code == 0 and "auto-closed" in out

    def test_rebuild_in_parts_and_one_under_way_in_status(self, flask_app: Flask) -> None:
        with flask_app.app_context():
            holder = flask_app.extensions["lapor_ledger"]
            run_demo(holder.ledger, reports=30, seed=6)
            top = holder.ledger.recorder.max_notification_id()
        code, out = self.invoke(flask_app, "rebuild", "--parts", "2")
        assert code == 0, out
        assert f"reports: {top} events applied, position {top}" in out
        with flask_app.app_context():  # as a rebuild in parts killed before any commit leaves it
            for view in holder.projections.views.values():
                view.reset(parts=(2, top))
        code, out = self.invoke(flask_app, "status")
        assert code == 0 and "rebuild in 2 parts under way" in " ".join(out.split()), out
        code, out = self.invoke(flask_app, "catch-up")
        assert code == 0 and f"reports: {top} events applied, position {top}" in out
        code, out = self.invoke(flask_app, "status")
        assert code == 0 and "under way" not in out

    def test_failure_shows_in_status_and_exit_code(self, flask_app: Flask) -> None:
        with flask_app.app_context():
            send_to_unknown_agency(flask_app.extensions["lapor_ledger"].ledger)
        code, out = self.invoke(flask_app, "catch-up", "reports")
        assert code == 1 and "stopped at notification 4" in out and "kota-baru" in out
        code, out = self.invoke(flask_app, "status")
        assert code == 1 and "FollowedUp" in out
        code, out = self.invoke(flask_app, "timers")
        assert code == 1 and "timers not run" in out
        code, out = self.invoke(flask_app, "rebuild", "nonsense")
        assert code == 2


class TestSQLite(SQLiteBackend, CliBehaviour):
    pass


@pytest.mark.postgres
class TestPostgres(PostgresBackend, CliBehaviour):
    pass
