"""Schemas of the transparency log's API (/v1/log) and of a report's proofs."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.schemas.base import InSchema

MAX_SIZE = 2**63 - 1
HASH_HEX = r"^[0-9a-f]{64}$"


def size(description: str, **kwargs: Any) -> fields.Integer:
    """A tree size, leaf index or range bound: 0 to 2^63-1."""
    return fields.Integer(
        validate=validate.Range(min=0, max=MAX_SIZE),
        metadata={"description": description},
        **kwargs,
    )


class CheckpointArgs(InSchema):
    """`?witnessed=1`: the latest checkpoint that meets the witness quorum."""

    witnessed = fields.Boolean(load_default=False)


class InclusionArgs(InSchema):
    """A leaf by `index` or by entry `hash` (hex), and the tree size to prove against."""

    index = size("Leaf index")
    entry_hash = fields.String(
        data_key="hash",
        validate=validate.Regexp(HASH_HEX, error="64 lower-case hex digits expected."),
        metadata={"description": "Entry hash (the RFC 6962 leaf hash), hex"},
    )
    tree_size = size("Size of the tree to prove inclusion in", required=True)

    @validates_schema
    def _one_leaf(self, data: dict[str, Any], **kwargs: Any) -> None:
        if ("index" in data) == ("entry_hash" in data):
            raise ValidationError("give exactly one of index and hash", "_schema")


class ConsistencyArgs(InSchema):
    """Two tree sizes, `from` <= `to`."""

    size1 = size("The older tree size", data_key="from", required=True)
    size2 = size("The newer tree size", data_key="to", required=True)


class EntriesArgs(InSchema):
    """Leaves [start, end), at most 1000."""

    start = size("First leaf index", required=True)
    end = size("One past the last leaf index", required=True)


class InclusionOut(Schema):
    """RFC 9162 inclusion proof: hashes from the leaf's sibling up, standard base64."""

    leaf_index = fields.Integer(required=True)
    tree_size = fields.Integer(required=True)
    leaf_hash = fields.String(required=True)
    hashes = fields.List(fields.String(), required=True)


class ConsistencyOut(Schema):
    """RFC 9162 consistency proof, standard base64."""

    size1 = fields.Integer(required=True)
    size2 = fields.Integer(required=True)
    hashes = fields.List(fields.String(), required=True)


class LogKeysOut(Schema):
    """What a verifier trusts: the log's vkeys and the witness policy."""

    origin = fields.String(required=True)
    log_vkeys = fields.List(fields.String(), required=True)
    retired_log_vkeys = fields.List(fields.String(), required=True)
    witness_vkeys = fields.List(fields.String(), required=True)
    witness_quorum = fields.Integer(required=True)


class CosignatureOut(Schema):
    """The cosignature was checked and kept."""

    tree_size = fields.Integer(required=True)
    witness = fields.String(required=True)


class ProofEntryOut(Schema):
    """A bundle `entry` line's fields and the entry's inclusion proof."""

    kind = fields.String(required=True)
    leaf_index = fields.Integer(required=True)
    stream_id = fields.String(required=True)
    stream_version = fields.Integer(required=True)
    event_type = fields.String(required=True, allow_none=True)
    recorded_at_us = fields.Integer(required=True)
    prev_hash = fields.String(required=True)
    entry_hash = fields.String(required=True)
    payload = fields.String(required=True, allow_none=True)
    inclusion = fields.List(fields.String(), required=True)


class ReportProofOut(Schema):
    """A report's history, each entry with its inclusion proof against `checkpoint`."""

    report_id = fields.UUID(required=True)
    checkpoint = fields.String(required=True)
    entries = fields.List(fields.Nested(ProofEntryOut), required=True)
    pending = fields.Integer(
        required=True,
        metadata={"description": "Newest versions not yet covered by a checkpoint (left out)"},
    )
