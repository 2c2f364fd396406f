"""Plain data the transparency-log use cases return: sizes, base64 hashes, notes and keys."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID


def b64(hashes: Iterable[bytes]) -> list[str]:
    """Hashes in standard base64, as in the RFC 6962 test vectors."""
    return [base64.b64encode(h).decode() for h in hashes]


@dataclass(frozen=True)
class InclusionProof:
    """An RFC 9162 inclusion proof of one leaf in the tree of `tree_size`."""

    leaf_index: int
    tree_size: int
    leaf_hash: str
    hashes: list[str]


@dataclass(frozen=True)
class ConsistencyProof:
    """An RFC 9162 consistency proof from `size1` to `size2`."""

    size1: int
    size2: int
    hashes: list[str]


@dataclass(frozen=True)
class LogKeysView:
    """The keys a verifier needs: the log's vkeys (active, retired) and the witness policy."""

    origin: str
    log_vkeys: list[str]
    retired_log_vkeys: list[str]
    witness_vkeys: list[str]
    witness_quorum: int


@dataclass(frozen=True)
class CosignatureAccepted:
    """A witness cosignature the log checked and kept."""

    tree_size: int
    witness: str


@dataclass(frozen=True)
class ReportProof:
    """A report's history (bundle entry fields and an inclusion proof each) and its checkpoint.

    `pending` counts the newest versions that no signed checkpoint covers yet; they are left
    out and appear in a later proof.
    """

    report_id: UUID
    checkpoint: str
    entries: list[dict[str, Any]]
    pending: int


@dataclass(frozen=True)
class Coverage:
    """The signed checkpoint that covers a newly appended entry."""

    tree_size: int
    note: str
