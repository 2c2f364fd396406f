"""The library load target on SQLite and PostgreSQL: written, counted, and the log verifies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger.deadlines import DeadlineStamper
from ledger.export import write_bundle
from ledger.load.library import run_library
from ledger.load.profile import load_profile
from ledger.load.schedule import build_schedule
from tests.integration.api_support import build_app
from tests.integration.ledgers import open_ledger
from verify.cli import main as verify_main


def load_and_verify(url: str, tmp_path: Path) -> None:
    app = open_ledger(url, tmp_path / "keys")
    try:
        schedule = build_schedule(
            load_profile(), DeadlineStamper.load_default(), reports=300, threads=4, seed=21
        )
        stats = run_library(app, schedule, seconds=2.0)
        assert stats.errors == {} and stats.conflicts == 0
        assert stats.reports == 300 and stats.events == schedule.events
        assert app.ledger.tree_size() == schedule.events
        assert stats.disaster > 0 and stats.lebaran > 0
        assert 0 < stats.percentile(0.5) <= stats.percentile(0.99)
        bundle = tmp_path / "bundle.jsonl"
        with bundle.open("w", encoding="utf-8") as out:
            write_bundle(app.ledger, out)
    finally:
        app.close()
    result = CliRunner().invoke(verify_main, ["bundle", str(bundle), "--json"])
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.stdout)
    assert not outcome.get("failures")
    leaves = [
        json.loads(line)["leaf_index"]
        for line in bundle.read_text("utf-8").splitlines()
        if '"leaf_index"' in line
    ]
    assert leaves == list(range(schedule.events))  # gap-free


def test_library_load_on_sqlite(sqlite_url: str, tmp_path: Path) -> None:
    load_and_verify(sqlite_url, tmp_path)


@pytest.mark.postgres
def test_library_load_on_postgres(pg_url: str, tmp_path: Path) -> None:
    load_and_verify(pg_url, tmp_path)


def test_load_command_prints_a_json_summary(sqlite_url: str, tmp_path: Path) -> None:
    runner = build_app(sqlite_url, tmp_path / "keys").test_cli_runner()
    result = runner.invoke(args=["load", "--reports", "40", "--threads", "2", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["target"] == "library" and summary["reports"] == 40
    assert summary["errors"] == {} and summary["events_per_s"] > 0
    refused = runner.invoke(args=["load", "--target", "http"])
    assert refused.exit_code == 2 and "--token-file" in refused.output
