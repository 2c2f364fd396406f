"""The worked example in docs/ledger-format.md is what both encoders produce."""

from __future__ import annotations

import re
from pathlib import Path
from uuid import UUID

import pytest

from ledger.integrity.entry import ZERO_HASH, Entry
from verify.entry import EntryFields, encode_entry, entry_hash

DOC = Path(__file__).resolve().parents[2] / "docs" / "ledger-format.md"
STREAM = UUID("1b4e28ba-2fa1-41d2-883f-0016d3cca427")
T = 1772416800000000


def documented() -> list[tuple[bytes, bytes]]:
    """(entry bytes, entry hash) pairs from the doc's code blocks."""
    blocks = re.findall(
        r"```\nentry_bytes[^=]*=\n(.*?)entry_hash = (.*?)```", DOC.read_text(), re.S
    )
    pairs = []
    for body, hashes in blocks:
        pairs.append((bytes.fromhex("".join(body.split())), bytes.fromhex(hashes.split()[-1])))
    return pairs


def entries() -> list[Entry]:
    first = Entry(
        "lapor.go.id/ledger",
        0,
        STREAM,
        1,
        "ledger.domain.report:Report.Submitted",
        T,
        ZERO_HASH,
        b'{"state":"submitted"}',
    )
    second = Entry(
        "lapor.go.id/ledger",
        1,
        STREAM,
        2,
        "ledger.domain.report:Report.Verified",
        T + 3_600_000_000,
        first.hash(),
        b'{"state":"verified"}',
    )
    return [first, second]


@pytest.mark.parametrize("n", [0, 1])
def test_doc_example_matches_both_encoders(n: int) -> None:
    raw, digest = documented()[n]
    entry = entries()[n]
    assert entry.encode() == raw
    assert entry.hash() == digest
    fields = EntryFields(
        origin=entry.origin,
        leaf_index=entry.leaf_index,
        stream_id=entry.stream_id,
        stream_version=entry.stream_version,
        event_type=entry.event_type,
        recorded_at_us=entry.recorded_at_us,
        prev_hash=entry.prev_hash,
        payload=entry.payload,
    )
    assert encode_entry(fields) == raw
    assert entry_hash(fields) == digest
