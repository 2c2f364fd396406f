"""Entry format v1 vectors (tests/vectors/entries.json): the verifier and the writer agree.

The verifier's encoder (verify/entry.py) and the writer's (ledger/integrity/entry.py) are two
implementations of docs/ledger-format.md; the point of these vectors is that both produce the
same bytes and hashes, so an auditor's verifier and the ledger cannot drift apart silently.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from ledger.integrity import entry as writer
from verify.entry import EntryFields, decode_entry, encode_entry, entry_hash
from verify.errors import MalformedInput

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "entries.json"
CASES = json.loads(VECTORS.read_text())["vectors"]
OK = [pytest.param(case, id=case["desc"]) for case in CASES if not case["want_err"]]
ERR = [pytest.param(case, id=case["desc"]) for case in CASES if case["want_err"]]


def _verifier_fields(raw: dict[str, Any]) -> EntryFields:
    return EntryFields(
        origin=raw["origin"],
        leaf_index=raw["leaf_index"],
        stream_id=UUID(raw["stream_id"]),
        stream_version=raw["stream_version"],
        event_type=raw["event_type"],
        recorded_at_us=raw["recorded_at_us"],
        prev_hash=bytes.fromhex(raw["prev_hash"]),
        payload=base64.b64decode(raw["payload"]),
    )


def _writer_entry(raw: dict[str, Any]) -> writer.Entry:
    fields = _verifier_fields(raw)
    return writer.Entry(
        origin=fields.origin,
        leaf_index=fields.leaf_index,
        stream_id=fields.stream_id,
        stream_version=fields.stream_version,
        event_type=fields.event_type,
        recorded_at_us=fields.recorded_at_us,
        prev_hash=fields.prev_hash,
        payload=fields.payload,
    )


def test_the_vectors_cover_what_they_promise() -> None:
    assert len(OK) >= 6 and len(ERR) >= 2
    assert any(case["fields"]["recorded_at_us"] < 0 for case in CASES if not case["want_err"])


@pytest.mark.parametrize("case", OK)
def test_verifier_encodes_the_vector(case: dict[str, Any]) -> None:
    fields = _verifier_fields(case["fields"])
    assert encode_entry(fields).hex() == case["entry_bytes"]
    assert entry_hash(fields).hex() == case["entry_hash"]
    assert decode_entry(bytes.fromhex(case["entry_bytes"])) == fields


@pytest.mark.parametrize("case", OK)
def test_writer_encodes_the_same_bytes(case: dict[str, Any]) -> None:
    entry = _writer_entry(case["fields"])
    assert entry.encode().hex() == case["entry_bytes"]
    assert entry.hash().hex() == case["entry_hash"]


@pytest.mark.parametrize("case", ERR)
def test_both_refuse_what_cannot_be_encoded(case: dict[str, Any]) -> None:
    with pytest.raises(MalformedInput):
        encode_entry(_verifier_fields(case["fields"]))
    with pytest.raises(writer.EntryEncodingError):
        _writer_entry(case["fields"]).encode()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda raw: raw + b"\x00", "after the end"),
        (lambda raw: raw[:-1], "truncated"),
        (lambda raw: b"\x02" + raw[1:], "version"),
    ],
    ids=["trailing-byte", "truncated", "version-2"],
)
def test_decoder_refuses_damaged_bytes(mutate: Callable[[bytes], bytes], message: str) -> None:
    raw = bytes.fromhex(CASES[0]["entry_bytes"])
    with pytest.raises(MalformedInput, match=message):
        decode_entry(mutate(raw))
