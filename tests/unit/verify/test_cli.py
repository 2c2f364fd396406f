"""The lapor-verify command: exit codes 0/1/2, text and --json output."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.unit.verify.bundles import A, happy_bundle, log_vkey
from verify.cli import main


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "good.jsonl.gz"
    path.write_bytes(gzip.compress(happy_bundle().render()))
    return path


@pytest.fixture
def forged(tmp_path: Path) -> Path:
    bundle = happy_bundle()
    bundle.entries[2]["recorded_at_us"] += 1
    path = tmp_path / "forged.jsonl"
    path.write_bytes(bundle.render())
    return path


@pytest.fixture
def malformed(tmp_path: Path) -> Path:
    path = tmp_path / "malformed.jsonl"
    path.write_bytes(happy_bundle().render().rsplit(b"\n", 2)[0] + b"\n")  # no end line
    return path


def run(*args: str, stdin: bytes | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    return result.exit_code, result.output


def test_good_bundle_passes_with_counts(good: Path) -> None:
    code, output = run("bundle", str(good))
    assert code == 0, output
    assert "PASS" in output
    assert "entries verified: 10" in output
    assert "streams (reports) verified: 3" in output
    assert "events verified: 10" in output


def test_good_bundle_json(good: Path) -> None:
    code, output = run("bundle", "--json", str(good))
    data = json.loads(output)
    assert code == 0
    assert data["result"] == "pass"
    assert (data["entries"], data["streams"], data["reports"], data["events"]) == (10, 3, 3, 10)
    assert data["checkpoints_checked"] == 2
    assert data["checkpoint_signatures"] == "unchecked"


def test_checkpoint_signatures_with_trusted_log_key(good: Path) -> None:
    code, output = run("bundle", "--json", "--log-key", log_vkey(), str(good))
    assert code == 0, output
    data = json.loads(output)
    assert data["checkpoint_signatures"] == "verified"
    assert data["log_signers"] == ["lapor.go.id/ledger"]


def test_checkpoint_signed_by_an_untrusted_key_fails(good: Path) -> None:
    code, output = run("bundle", "--json", "--log-key", log_vkey("other.example/log"), str(good))
    assert code == 1
    assert json.loads(output)["check"] == 7


def test_forged_bundle_fails_with_facts(forged: Path) -> None:
    code, output = run("bundle", "--json", str(forged))
    data = json.loads(output)
    assert code == 1
    assert data["result"] == "fail"
    first = data["failures"][0]
    assert (first["check"], first["leaf_index"], first["stream_id"], first["stream_version"]) == (
        2,
        2,
        str(A),
        2,
    )
    assert len(first["expected"]) == len(first["actual"]) == 64
    assert data["total_failures"] == 3  # the entry and both checkpoints covering it


def test_forged_bundle_text_lists_failures(forged: Path) -> None:
    code, output = run("bundle", "--max-failures", "1", str(forged))
    assert code == 1
    assert "FAIL" in output
    assert f"[check 2] entry 2 (stream {A} v2): entry hash expected" in output
    assert "2 more" in output


def test_malformed_bundle_exits_2(malformed: Path) -> None:
    code, output = run("bundle", "--json", str(malformed))
    data = json.loads(output)
    assert code == 2
    assert data["result"] == "malformed"
    assert data["line"] == 14


def test_bundle_from_stdin(good: Path) -> None:
    code, output = run("bundle", "-", stdin=good.read_bytes())
    assert code == 0, output


def test_bad_log_key_is_malformed(good: Path) -> None:
    code, output = run("bundle", "--log-key", "not-a-key", str(good))
    assert code == 2
    assert "MALFORMED" in output


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    code, _ = run("bundle", str(tmp_path / "absent.jsonl"))
    assert code == 2


def test_help_explains_checks_and_exit_codes() -> None:
    code, output = run("bundle", "--help")
    assert code == 0
    assert "Exit codes" in output
    assert "--max-failures" in output
    assert "checkpoint" in output
