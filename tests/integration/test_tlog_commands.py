"""`lapor-ledger keys …` and `lapor-ledger checkpoint` through Flask's CLI runner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from api import create_app
from api.extension import ledger
from api.tlog_commands import checkpoint_command, keys_group
from ledger.storage.keys import KeyRing
from tests.conftest import TEST_ORIGIN, make_settings
from tests.integration.ledgers import submit_complaint
from tests.integration.test_tlog_backends import PostgresBackend, SQLiteBackend, TlogBackend
from verify.checkpoint import verify_checkpoint
from verify.errors import VerificationFailed
from verify.note import parse_vkey

TLOG_VARIABLES = (
    "LEDGER_TLOG_KEY_DIR",
    "LEDGER_WITNESS_VKEYS",
    "LEDGER_WITNESS_QUORUM",
    "LEDGER_TLOG_INTERVAL",
)


class CommandBehaviour(TlogBackend):
    @pytest.fixture
    def flask_app(
        self, url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> Iterator[Flask]:
        for name in TLOG_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        settings = make_settings(url, tmp_path / "keys")
        app = create_app({"LEDGER_SETTINGS": settings, "LEDGER_KEYRING": KeyRing.ephemeral()})
        for command in (keys_group, checkpoint_command):  # the factory will register these
            if command.name not in app.cli.commands:
                app.cli.add_command(command)
        yield app
        app.extensions["lapor_ledger"].close()

    def invoke(self, app: Flask, *args: str, exit_code: int = 0) -> str:
        result = app.test_cli_runner().invoke(args=list(args))
        assert result.exit_code == exit_code, result.output
        return result.stdout

    def test_keys_rotation_and_checkpoints(self, flask_app: Flask, tmp_path: Path) -> None:
        first = self.invoke(flask_app, "keys", "init").strip()
        assert parse_vkey(first).name == TEST_ORIGIN
        assert (tmp_path / "keys" / "log" / f"0001-{first.split('+')[1]}.vkey").is_file()
        self.invoke(flask_app, "keys", "init", exit_code=1)
        with flask_app.app_context():
            submit_complaint(ledger())
        note = self.invoke(flask_app, "checkpoint")
        assert verify_checkpoint(note, [parse_vkey(first)]).checkpoint.tree_size == 1
        second = self.invoke(flask_app, "keys", "rotate").strip()
        assert self.invoke(flask_app, "keys", "vkey").split() == [first, second]
        self.invoke(flask_app, "keys", "retire", first.split("+")[1])
        assert self.invoke(flask_app, "keys", "vkey").split() == [second, first]
        self.invoke(flask_app, "keys", "retire", second.split("+")[1], exit_code=1)
        with flask_app.app_context():
            submit_complaint(ledger())
        note = self.invoke(flask_app, "checkpoint")
        assert verify_checkpoint(note, [parse_vkey(second)]).checkpoint.tree_size == 2
        with pytest.raises(VerificationFailed):
            verify_checkpoint(note, [parse_vkey(first)])
        assert self.invoke(flask_app, "checkpoint") == note  # nothing new: the same note


class TestSQLiteCommands(CommandBehaviour, SQLiteBackend):
    pass


class TestPostgresCommands(CommandBehaviour, PostgresBackend):
    pass
