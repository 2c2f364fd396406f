"""Helpers for the batch endpoint tests: post a batch, read a report's version, verify the log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from ledger.export import write_bundle
from tests.integration.api_support import Api, holder_of
from verify.cli import main as verify_main

BATCH = "/v1/actions:batch"


def item(rid: str, action: str, args: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """One batch item."""
    return {"report_id": rid, "action": action, "args": args or {}, **extra}


def post_batch(api: Api, token: str | None, items: list[dict[str, Any]]) -> Any:
    """POST a batch; returns the response."""
    return api.client.post(BATCH, json={"items": items}, headers=api.headers(token))


def version(api: Api, token: str, rid: str) -> int:
    """The report's current version, as its ETag says."""
    response = api.read(token, rid)
    assert response.status_code == 200, response.json
    return int(response.headers["ETag"].strip('"'))


def verify_log(api: Api, tmp_path: Path) -> dict[str, Any]:
    """Export the whole log and run `lapor-verify bundle` on it; returns its JSON outcome."""
    ledger = holder_of(api.app).ledger
    bundle = tmp_path / "bundle.jsonl"
    with bundle.open("w") as out:
        write_bundle(ledger.ledger, out)
    result = CliRunner().invoke(verify_main, ["bundle", str(bundle), "--json"])
    assert result.exit_code == 0, result.stdout
    outcome: dict[str, Any] = json.loads(result.stdout)
    size = ledger.ledger.tree_size()
    assert outcome["entries"] == size
    assert [e.leaf_index for e in ledger.iter_entries()] == list(range(size))
    return outcome
