"""Errors of the transparency log: one family, with the facts in the message as hex."""

from __future__ import annotations


class TlogError(Exception):
    """Base class of every transparency-log error."""


class TreeNotIntegrated(TlogError):
    """A proof or root was asked for a tree size the log has not integrated yet."""


class ProofMismatch(TlogError):
    """A proof the log built from its own nodes does not lead to the expected root."""


class InconsistentTree(TlogError):
    """The log's own tree does not extend a checkpoint it signed: it refuses to sign."""


class CheckpointNotFound(TlogError):
    """No signed checkpoint matches the request (yet)."""


class CheckpointTimeout(TlogError, TimeoutError):
    """A leaf was not covered by a signed checkpoint within the time allowed."""


class LogKeyError(TlogError):
    """The log's signing keys are missing or do not fit the configured origin."""


class WitnessConfigError(TlogError):
    """The witness keys or the k-of-n policy cannot be used."""


class CosignatureRejected(TlogError):
    """A witness cosignature was not accepted; nothing was stored."""


class UnknownWitness(CosignatureRejected):
    """The cosignature is by a witness (name and key id) that is not configured."""


class MalformedCosignature(CosignatureRejected):
    """The cosignature or its note cannot be parsed."""


class ForgedCosignature(CosignatureRejected):
    """The cosignature does not verify under the configured witness key."""


class UnknownCheckpoint(CosignatureRejected):
    """The cosigned checkpoint is not one this log signed (other origin or size)."""


class InconsistentCosignature(CosignatureRejected):
    """The cosigned checkpoint contradicts this log or the witness's previous checkpoint."""
