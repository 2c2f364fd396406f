"""`lapor-ledger --help` and `--version` speak of the ledger, not of Flask under it."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from api.cli import main


def test_help_lists_the_operator_commands_and_only_our_options(tmp_path: Path) -> None:
    env = {"LEDGER_DATABASE_URL": f"sqlite:///{tmp_path / 'ledger.sqlite3'}"}
    env["LEDGER_KEY_DIR"] = str(tmp_path / "keys")
    result = CliRunner().invoke(main, ["--help"], env=env)
    assert result.exit_code == 0, result.output
    options = result.output.split("Options:")[1].split("Commands:")[0]
    assert "--version" in options and "--help" in options
    for flask_option in ("--app", "--env-file", "--debug"):
        assert flask_option not in options
    for command in ("serve", "export", "tokens", "keys", "projections", "erasures", "demo"):
        assert f"\n  {command} " in result.output, command


def test_version_is_the_ledger_s() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("lapor-ledger, version ")
