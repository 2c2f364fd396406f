"""The log's own proof checks against transparency-dev/merkle's vectors (../shared/vectors)."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

import pytest

from ledger.tlog.errors import ProofMismatch
from ledger.tlog.proofcheck import verify_consistency, verify_inclusion

VECTORS = Path(__file__).resolve().parents[3].parent / "shared" / "vectors" / "rfc6962"


def cases(kind: str) -> list[Any]:
    files = sorted((VECTORS / kind).rglob("*.json"))
    if not files:
        marks = [] if os.environ.get("CI") == "true" else [pytest.mark.skip(reason="no vectors")]
        return [pytest.param(None, id="missing-shared-vectors", marks=marks)]
    return [
        pytest.param(v, id=f"{p.parent.name}/{v['desc']}")
        for p in files
        for v in [json.loads(p.read_text())]
    ]


def b64(value: str | None) -> bytes:
    return base64.b64decode(value or "")


@pytest.mark.parametrize("vector", cases("inclusion"))
def test_inclusion_vector(vector: dict[str, Any] | None) -> None:
    assert vector is not None, f"shared vectors expected at {VECTORS}"
    proof = [b64(h) for h in vector["proof"] or []]
    args = (vector["leafIdx"], vector["treeSize"], b64(vector["leafHash"]), proof)
    if vector["wantErr"]:
        with pytest.raises(ProofMismatch):
            verify_inclusion(*args, b64(vector["root"]))
    else:
        verify_inclusion(*args, b64(vector["root"]))


@pytest.mark.parametrize("vector", cases("consistency"))
def test_consistency_vector(vector: dict[str, Any] | None) -> None:
    assert vector is not None, f"shared vectors expected at {VECTORS}"
    proof = [b64(h) for h in vector["proof"] or []]
    args = (vector["size1"], vector["size2"], proof, b64(vector["root1"]), b64(vector["root2"]))
    if vector["wantErr"]:
        with pytest.raises(ProofMismatch):
            verify_consistency(*args)
    else:
        verify_consistency(*args)
