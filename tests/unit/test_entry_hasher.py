"""The recorder's fast entry hasher gives exactly the reference encoder's hashes and errors.

`EntryHasher` is what sequencing runs per event; `Entry.hash()` is the reference encoding of
docs/ledger-format.md. Both are checked against tests/vectors/entries.json.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import StoredEvent

from ledger.integrity.chain import sequence
from ledger.integrity.entry import ZERO_HASH, Entry, EntryEncodingError, EntryHasher

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "entries.json"
CASES = json.loads(VECTORS.read_text())["vectors"]
OK = [pytest.param(c, id=c["desc"]) for c in CASES if not c["want_err"]]
ERR = [pytest.param(c, id=c["desc"]) for c in CASES if c["want_err"]]


def _args(raw: dict[str, Any]) -> tuple[Any, ...]:
    return (
        raw["leaf_index"],
        UUID(raw["stream_id"]),
        raw["stream_version"],
        raw["event_type"],
        raw["recorded_at_us"],
        bytes.fromhex(raw["prev_hash"]),
        base64.b64decode(raw["payload"]),
    )


@pytest.mark.parametrize("case", OK)
def test_hasher_gives_the_vector_hash(case: dict[str, Any]) -> None:
    hasher = EntryHasher(case["fields"]["origin"])
    assert hasher.entry_hash(*_args(case["fields"])).hex() == case["entry_hash"]
    # Event types are cached per hasher: a second call gives the same hash.
    assert hasher.entry_hash(*_args(case["fields"])).hex() == case["entry_hash"]


@pytest.mark.parametrize("case", ERR)
def test_hasher_refuses_what_cannot_be_encoded(case: dict[str, Any]) -> None:
    with pytest.raises(EntryEncodingError):
        EntryHasher(case["fields"]["origin"]).entry_hash(*_args(case["fields"]))


def test_sequence_chains_as_the_reference_encoder() -> None:
    origin, sid = "lapor.go.id/ledger", uuid4()
    events = [StoredEvent(sid, v, f"t{v % 2}", b'{"n":%d}' % v) for v in (1, 2, 3)]
    rows = sequence(
        EntryHasher(origin), events, next_leaf=7, last_recorded_at_us=0, prev_hashes={}, now_us=5
    )
    prev = ZERO_HASH
    for i, (row, s) in enumerate(zip(rows, events, strict=True)):
        ref = Entry(origin, 7 + i, sid, s.originator_version, s.topic, 5, prev, s.state)
        assert (row.leaf_index, row.prev_hash, row.entry_hash) == (7 + i, prev, ref.hash())
        prev = row.entry_hash
