"""The log against `lapor-ledger serve`: the README's log block, and publishers in two workers."""

from __future__ import annotations

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from uuid import UUID

import pytest
import requests

from tests.e2e.servers import BIN, environment, serving
from tests.e2e.test_readme_walkthrough import DEFAULT, README
from verify.checkpoint import verify_checkpoint
from verify.note import parse_vkey
from verify.receipt import verify_receipt

# What the README's walkthrough leaves behind for the log block: API, REPORT and RECEIPT.
FIELD = "python3 -c 'import json, sys; print(json.load(sys.stdin)[\"{}\"])'"
SUBMIT = f"""API={DEFAULT}
SUBMITTED=$(curl -sS --fail-with-body -X POST "$API/v1/reports" \\
  -H 'Content-Type: application/json' \\
  -d '{{"classification": "pengaduan", "privacy": "anonim", "title": "Jalan", "body": "Lubang"}}')
REPORT=$(echo "$SUBMITTED" | {FIELD.format("report_id")})
RECEIPT=$(echo "$SUBMITTED" | {FIELD.format("receipt")})
"""


def log_block() -> str:
    """The sh block under the README's `## Checking the log` heading."""
    section = README.read_text().split("## Checking the log", 1)[1]
    match = re.search(r"```sh\n(.*?)```", section, re.S)
    assert match, "README has no sh block under ## Checking the log"
    return match.group(1)


@pytest.mark.slow
def test_readme_log_block_saves_and_verifies_the_receipt_proof(tmp_path: Path) -> None:
    env = environment(f"sqlite:///{tmp_path / 'ledger.sqlite3'}", tmp_path)
    with serving(env, tmp_path) as server:
        script = (SUBMIT + log_block()).replace(DEFAULT, server.base)
        script = script.replace(".venv/bin/", f"{BIN}/")  # run outside the repository
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    proof = (tmp_path / "laporan.tlog-proof").read_text()
    assert proof.startswith("c2sp.org/tlog-proof@v1\n")
    assert "Traceback" not in server.output()


@pytest.mark.postgres
def test_two_workers_publish_one_consistent_log(pg_url: str, tmp_path: Path) -> None:
    env = environment(pg_url, tmp_path, LEDGER_TLOG_INTERVAL="0.1")
    with serving(env, tmp_path, "--workers", "2", "--threads", "4") as server:

        def submit(n: int) -> dict[str, object]:
            body = {"classification": "aspirasi", "privacy": "anonim", "title": "t", "body": str(n)}
            with requests.Session() as session:  # a new connection: the workers take turns
                answer = session.post(f"{server.base}/v1/reports", json=body, timeout=30)
            assert answer.status_code == 201, answer.text
            return dict(answer.json())

        with ThreadPoolExecutor(max_workers=4) as pool:
            sent = list(pool.map(submit, range(8)))
        keys = requests.get(f"{server.base}/v1/log/keys", timeout=10).json()
        log_keys = [parse_vkey(v) for v in keys["log_vkeys"]]
        assert len(log_keys) == 1  # one signing key, made once before the workers started
        for answer in sent:
            rid = UUID(str(answer["report_id"]))
            summary = verify_receipt(str(answer["tlog_proof"]), log_keys, report_id=rid)
            assert summary.entry.leaf_index == answer["leaf_index"]
        note = requests.get(f"{server.base}/v1/log/checkpoint", timeout=10).text
        assert verify_checkpoint(note, log_keys).checkpoint.tree_size == len(sent)
    assert "Traceback" not in server.output()
