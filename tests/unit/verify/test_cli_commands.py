"""lapor-verify receipt, report, witness-keygen, and bundle with --witness-key and --since."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.unit.verify.bundles import (
    A,
    B,
    Bundle,
    checkpoint_line,
    happy_bundle,
    log_vkey,
    stated_hash,
)
from tests.unit.verify.receipts import KID, OMBUDSMAN, receipt_for, witnessed_log
from tests.unit.verify.test_report import GOOD as REPORT_DOC
from verify.cli import main
from verify.witness_key import read_key_file

WITNESS_OPTIONS = ["--witness-key", OMBUDSMAN.vkey, "--witness-key", KID.vkey]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def run_json(*args: str) -> tuple[int, dict[str, Any]]:
    code, output = run(*args, "--json")
    return code, json.loads(output)


@pytest.fixture
def receipt(tmp_path: Path) -> Path:
    path = tmp_path / "A-v2.tlog-proof"
    path.write_text(receipt_for(witnessed_log(), 2).render())
    return path


def test_receipt_passes_and_shows_the_entry(receipt: Path) -> None:
    code, output = run("receipt", str(receipt), "--log-key", log_vkey(), *WITNESS_OPTIONS)
    assert code == 0, output
    assert f"report (stream) id: {A}" in output
    assert "version 2: ledger.domain.report:Report.Event2" in output
    assert "recorded at: 2026-11-23T08:00:00.000002Z" in output
    assert "included in the checkpoint of size 10" in output
    code, data = run_json("receipt", str(receipt), "--log-key", log_vkey(), "--report-id", str(A))
    assert code == 0 and data["stream_id"] == str(A) and data["result"] == "pass"


def test_receipt_failures_and_malformed_files(receipt: Path, tmp_path: Path) -> None:
    code, data = run_json("receipt", str(receipt), "--log-key", log_vkey(), "--report-id", str(B))
    assert (code, data["result"], data["check"]) == (1, "fail", 11)
    code, data = run_json(
        "receipt", str(receipt), "--log-key", log_vkey(), *WITNESS_OPTIONS[:2], "--quorum", "1"
    )
    assert code == 0
    damaged = tmp_path / "damaged.tlog-proof"
    damaged.write_text(receipt.read_text().replace("index 2", "index 02"))
    code, data = run_json("receipt", str(damaged), "--log-key", log_vkey())
    assert (code, data["result"], data["error"]) == (2, "malformed", "malformed_input")
    code, output = run("receipt", str(receipt), "--log-key", log_vkey(), "--quorum", "1")
    assert code == 2 and "--quorum needs at least one --witness-key" in output


def test_report_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(REPORT_DOC))
    code, output = run("report", str(path), "--log-key", log_vkey(), *WITNESS_OPTIONS)
    assert code == 0, output
    assert f"report {A}: 4 version(s), chain from v1" in output
    code, data = run_json("report", str(path), "--log-key", log_vkey(), "--report-id", str(B))
    assert (code, data["failures_by_check"]) == (1, {"4": 4})


def test_witness_keygen_writes_a_private_file_and_prints_the_vkey(tmp_path: Path) -> None:
    out = tmp_path / "ombudsman.key"
    code, data = run_json("witness-keygen", "--name", "ombudsman.go.id/witness", "--out", str(out))
    assert code == 0
    assert data["vkey"] == read_key_file(out).vkey
    assert data["vkey"].startswith("ombudsman.go.id/witness+")
    code, output = run("witness-keygen", "--name", "x", "--out", str(out))
    assert code == 2 and "refusing to overwrite" in output


def cosigned_bundle() -> Bundle:
    bundle = happy_bundle()
    for line in bundle.tail:
        text = line["note"].partition("\n\n")[0] + "\n"
        line["note"] += "".join(w.cosign(text, 1_767_225_600) + "\n" for w in (OMBUDSMAN, KID))
    return bundle


def test_bundle_witness_policy(tmp_path: Path) -> None:
    path = tmp_path / "bundle.jsonl"
    path.write_bytes(cosigned_bundle().render())
    code, data = run_json("bundle", str(path), "--log-key", log_vkey(), *WITNESS_OPTIONS)
    assert code == 0, data
    assert data["checkpoints_accepted"] == 2 and data["accepted_checkpoint"]["tree_size"] == 10
    path.write_bytes(happy_bundle().render())
    code, data = run_json("bundle", str(path), "--log-key", log_vkey(), *WITNESS_OPTIONS)
    assert (code, data["check"]) == (1, 8)
    code, output = run("bundle", str(path), *WITNESS_OPTIONS)
    assert code == 2 and "need the trusted --log-key" in output


def test_bundle_since_first_use_then_consistency_then_split_view(tmp_path: Path) -> None:
    since, path = tmp_path / "last.checkpoint", tmp_path / "bundle.jsonl"
    small = happy_bundle()
    small.entries, small.tail = small.entries[:6], [small.tail[0]]
    path.write_bytes(small.render())
    code, output = run("bundle", str(path), "--log-key", log_vkey(), "--since", str(since))
    assert code == 0 and "created with size 6" in output and "trust on first use" in output
    path.write_bytes(happy_bundle().render())
    code, data = run_json("bundle", str(path), "--log-key", log_vkey(), "--since", str(since))
    assert code == 0 and data["since"]["action"] == "updated"
    assert data["since"]["saved"]["tree_size"] == 6 and "\n10\n" in since.read_text()
    saved = since.read_text()
    forked = happy_bundle()  # same origin and key, another history: leaf 7 (B v3, B's last)
    forked.entries[7]["payload"] = "e30="
    forked.entries[7]["entry_hash"] = stated_hash(forked.entries[7]).hex()
    forked.tail = [checkpoint_line(forked.entries, 6), checkpoint_line(forked.entries, 10)]
    path.write_bytes(forked.render())
    assert run("bundle", str(path), "--log-key", log_vkey())[0] == 0  # passes on its own
    code, data = run_json("bundle", str(path), "--log-key", log_vkey(), "--since", str(since))
    assert (code, data["check"]) == (1, 9)
    assert "root of the first 10 entries expected" in data["message"]
    assert since.read_text() == saved
    path.write_bytes(small.render())
    code, data = run_json("bundle", str(path), "--log-key", log_vkey(), "--since", str(since))
    assert (code, data["check"]) == (1, 9)
    assert "entries expected at least 10, the bundle holds 6" in data["message"]


def test_bundle_since_keeps_a_newer_saved_checkpoint(tmp_path: Path) -> None:
    since, path = tmp_path / "last.checkpoint", tmp_path / "bundle.jsonl"
    path.write_bytes(happy_bundle().render())
    assert run("bundle", str(path), "--log-key", log_vkey(), "--since", str(since))[0] == 0
    saved = since.read_text()
    older = happy_bundle()
    older.tail = older.tail[:1]  # all ten entries, but only the checkpoint at size 6
    path.write_bytes(older.render())
    code, data = run_json("bundle", str(path), "--log-key", log_vkey(), "--since", str(since))
    assert (code, data["since"]["action"]) == (0, "kept")
    assert data["accepted_checkpoint"]["tree_size"] == 6 and since.read_text() == saved
