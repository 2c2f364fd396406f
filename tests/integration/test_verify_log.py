"""`lapor-verify log`, `witness` and `report` over real HTTP against a real log.

The HTTP server is the stand-in of test_verify_support.py, answering the contract of
docs/transparency-log.md from a TransparencyLog, until the service's own /v1/log endpoints
exist; then the same commands run against the service's test client in an e2e test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger.application import LedgerApplication
from ledger.tlog import TransparencyLog
from ledger.tlog.keys import add_key
from tests.conftest import TEST_ORIGIN
from tests.integration.ledgers import handle_fully, submit_wbs
from tests.integration.test_verify_support import (
    OMBUDSMAN,
    LogServer,
    open_log,
    published,
    serve_http,
)
from verify.cli import main
from verify.witness_key import write_key_file

TOKEN = "wit_7Hq2-secret-token"


@pytest.fixture
def served(
    sqlite_url: str, tmp_path: Path
) -> Iterator[tuple[LedgerApplication, TransparencyLog, str]]:
    key_dir = tmp_path / "log-keys"
    add_key(key_dir, TEST_ORIGIN)
    app, tlog = open_log(sqlite_url, tmp_path / "keks", key_dir, [OMBUDSMAN], 1)
    with serve_http(LogServer(tlog, app, TOKEN)) as url:
        yield app, tlog, url
    app.close()


def run(*args: str) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(main, [*args, "--json"])
    return result.exit_code, json.loads(result.output)


def test_log_audit_full_and_since(
    served: tuple[LedgerApplication, TransparencyLog, str], tmp_path: Path
) -> None:
    app, tlog, url = served
    published(tlog, app, 4)
    keys = [arg for vkey in tlog.vkeys() for arg in ("--log-key", vkey)]
    since = tmp_path / "auditor.checkpoint"
    code, data = run("log", "--url", url, *keys, "--full", "--since", str(since))
    assert code == 0, data
    assert (data["tree_size"], data["entries"], data["reports"]) == (4, 4, 4)
    assert data["since"] == {"file": str(since), "action": "created"}
    handle_fully(app, submit_wbs(app))
    published(tlog, app, 1)
    code, data = run("log", "--url", url, *keys, "--since", str(since))
    assert code == 0 and data["consistent_with"] == {"tree_size": 4, "root": tlog.root(4).hex()}
    assert "\n10\n" in since.read_text()
    code, data = run("log", "--url", url, *keys, "--witness-key", OMBUDSMAN.vkey)
    assert (code, data["check"]) == (1, 8)  # nothing cosigned yet
    code, data = run("log", "--url", "ftp://127.0.0.1/", *keys)
    assert (code, data["result"]) == (2, "malformed")
    code, data = run("log", "--url", "http://127.0.0.1:1", *keys, "--timeout", "2")
    assert (code, data["result"]) == (2, "unavailable")


def test_witness_once_over_http(
    served: tuple[LedgerApplication, TransparencyLog, str], tmp_path: Path
) -> None:
    app, tlog, url = served
    published(tlog, app, 3)
    key_file, token_file, state = tmp_path / "w.key", tmp_path / "token", tmp_path / "state"
    write_key_file(key_file, OMBUDSMAN)
    token_file.write_text("wrong-token\n")
    options = ["--url", url, "--key", str(key_file), "--state", str(state)]
    keys = [arg for vkey in tlog.vkeys() for arg in ("--log-key", vkey)]
    code, data = run("witness", *options, *keys, "--token-file", str(token_file), "--once")
    assert (code, data["result"], data["status"]) == (2, "unavailable", 401)
    assert not state.exists()
    token_file.write_text(TOKEN + "\n")
    result = CliRunner().invoke(main, ["witness", *options, *keys, "--token-file", str(token_file)])
    assert result.exit_code == 0, result.output
    assert "cosigned size 3" in result.output and TOKEN not in result.output
    assert tlog.latest_witnessed_checkpoint() == tlog.latest_checkpoint()
    code, data = run("witness", *options, *keys, "--token-file", str(token_file))
    assert (code, data["cosigned"]) == (0, False)  # nothing new
    code, data = run("log", "--url", url, *keys, "--witness-key", OMBUDSMAN.vkey)
    assert code == 0 and data["witnesses"][0]["name"] == OMBUDSMAN.name  # type: ignore[index]


def test_report_proof_from_its_url(
    served: tuple[LedgerApplication, TransparencyLog, str], tmp_path: Path
) -> None:
    app, tlog, url = served
    report_id = submit_wbs(app)
    handle_fully(app, report_id)
    published(tlog, app, 2)
    keys = [arg for vkey in tlog.vkeys() for arg in ("--log-key", vkey)]
    token_file = tmp_path / "token"
    token_file.write_text("auditor-token")
    code, data = run(
        "report", f"{url}/v1/reports/{report_id}/proof", *keys, "--token-file", str(token_file)
    )
    assert code == 0, data
    assert (data["report_id"], data["versions"]) == (str(report_id), 5)
    moved = f"{url}/moved/v1/reports/{report_id}/proof"
    code, data = run("report", moved, *keys, "--token-file", str(token_file))
    assert (code, data["result"], data["status"]) == (2, "unavailable", 302)  # not followed
    missing = f"{url}/v1/nothing/{report_id}/proof"
    code, data = run("report", missing, *keys)
    assert (code, data["result"], data["status"]) == (2, "unavailable", 404)


def test_witness_interval_keeps_going_until_stopped(
    served: tuple[LedgerApplication, TransparencyLog, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app, tlog, url = served
    published(tlog, app, 2)
    key_file, token_file = tmp_path / "w.key", tmp_path / "token"
    write_key_file(key_file, OMBUDSMAN)
    token_file.write_text(TOKEN)
    rounds: list[float] = []

    def sleep(seconds: float) -> None:
        rounds.append(seconds)
        if len(rounds) == 1:
            published(tlog, app, 1)  # the log grows between two rounds
        else:
            raise KeyboardInterrupt

    monkeypatch.setattr("verify.cli.witness_commands.time.sleep", sleep)
    keys = [arg for vkey in tlog.vkeys() for arg in ("--log-key", vkey)]
    options = ["--key", str(key_file), "--state", str(tmp_path / "state")]
    options += ["--token-file", str(token_file), "--interval", "30", "--json"]
    result = CliRunner().invoke(main, ["witness", "--url", url, *options, *keys])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(x["result"], x["tree_size"], x["previous_size"]) for x in lines] == [
        ("pass", 2, None),
        ("pass", 3, 2),
    ]
    assert rounds == [30, 30]
