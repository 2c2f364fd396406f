"""RFC 6962 / RFC 9162 proof vectors from transparency-dev/merkle (../shared/vectors/rfc6962)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from verify.errors import VerificationError
from verify.merkle import root_from_inclusion_proof, verify_consistency, verify_inclusion


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value or "")


def _proof(vector: dict[str, Any]) -> list[bytes]:
    return [_b64(node) for node in vector["proof"] or []]


def test_inclusion_vector(inclusion_case: dict[str, Any]) -> None:
    v = inclusion_case
    args = (v["leafIdx"], v["treeSize"], _b64(v["leafHash"]), _proof(v), _b64(v["root"]))
    if v["wantErr"]:
        with pytest.raises(VerificationError):
            verify_inclusion(*args)
    else:
        verify_inclusion(*args)
        assert root_from_inclusion_proof(*args[:4]) == args[4]


def test_consistency_vector(consistency_case: dict[str, Any]) -> None:
    v = consistency_case
    args = (v["size1"], v["size2"], _proof(v), _b64(v["root1"]), _b64(v["root2"]))
    if v["wantErr"]:
        with pytest.raises(VerificationError):
            verify_consistency(*args)
    else:
        verify_consistency(*args)
