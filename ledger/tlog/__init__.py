"""Transparency log: RFC 6962 Merkle tree, C2SP signed checkpoints, witnesses and proofs.

See docs/transparency-log.md. `build_tlog(app)` composes a `TransparencyLog` over the
ledger's own database; `TlogPublisher` integrates and signs in the background.
"""

from __future__ import annotations

from ledger.tlog.bootstrap import build_publisher, build_tlog
from ledger.tlog.checkpoint import SignedCheckpoint
from ledger.tlog.config import TlogConfig
from ledger.tlog.errors import (
    CheckpointNotFound,
    CheckpointTimeout,
    CosignatureRejected,
    ForgedCosignature,
    InconsistentCosignature,
    InconsistentTree,
    LogKeyError,
    MalformedCosignature,
    TlogError,
    TreeNotIntegrated,
    UnknownCheckpoint,
    UnknownWitness,
    WitnessConfigError,
)
from ledger.tlog.log import TransparencyLog
from ledger.tlog.publisher import TlogPublisher
from ledger.tlog.witness import Cosignature, WitnessPolicy

__all__ = [
    "CheckpointNotFound",
    "CheckpointTimeout",
    "Cosignature",
    "CosignatureRejected",
    "ForgedCosignature",
    "InconsistentCosignature",
    "InconsistentTree",
    "LogKeyError",
    "MalformedCosignature",
    "SignedCheckpoint",
    "TlogConfig",
    "TlogError",
    "TlogPublisher",
    "TransparencyLog",
    "TreeNotIntegrated",
    "UnknownCheckpoint",
    "UnknownWitness",
    "WitnessConfigError",
    "WitnessPolicy",
    "build_publisher",
    "build_tlog",
]
