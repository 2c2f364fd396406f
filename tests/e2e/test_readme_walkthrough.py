"""The README's walkthrough, run as written against `lapor-ledger serve` (what `make run` runs)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.e2e.servers import ROOT, environment, serving

README = ROOT / "README.md"
DEFAULT = "http://127.0.0.1:8000"


def walkthrough() -> str:
    """The first sh block under the README's `## Walkthrough` heading."""
    text = README.read_text()
    section = text.split("## Walkthrough", 1)[1]
    match = re.search(r"```sh\n(.*?)```", section, re.S)
    assert match, "README has no sh block under ## Walkthrough"
    return match.group(1)


def run(script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_make_run_instructions_and_readme_walkthrough(tmp_path: Path) -> None:
    assert "make run" in README.read_text().split("## Walkthrough")[0]
    env = environment(f"sqlite:///{tmp_path / 'ledger.sqlite3'}", tmp_path)
    with serving(env, tmp_path) as server:
        printed = server.output()
        assert f"listening on {server.base}" in printed
        first = [
            line.strip() for line in printed.splitlines() if "TOKEN=" in line or "whoami" in line
        ]
        whoami = run("\n".join(first).replace(DEFAULT, server.base), env)
        assert whoami.returncode == 0, whoami.stderr
        assert json.loads(whoami.stdout)["role"] == "admin_national"

        script = walkthrough()
        assert DEFAULT in script
        result = run(script.replace(DEFAULT, server.base), env)
        assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
        out = result.stdout
        for step in ('"Submitted"', '"Verified"', '"Dispositioned"', '"FollowedUp"'):
            assert step in out, step
        assert '"state": "in_follow_up"' in out
        assert "penambalan dijadwalkan" in out  # the receipt shows the agency's answer
        assert "lpr_" not in server.output()  # tokens never reach the logs
