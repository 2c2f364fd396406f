"""The worked example of docs/bundle-format.md: the exporter writes it, the verifier accepts it."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from ledger.export_binary import END, HEADER, MAGIC, entry_record, record
from ledger.storage.records import EntryRecord
from tests.unit.test_ledger_format_doc import entries
from verify.bundle import verify_bundle

DOC = Path(__file__).resolve().parents[3] / "docs" / "bundle-format.md"
ROOT = "a55b4233bfcb2253f051c55357d11a14965de6f3b9265236687c70a3233090e5"


def documented() -> bytes:
    (block,) = re.findall(r"```\nbundle \((\d+) bytes\) =\n(.*?)```", DOC.read_text(), re.S)
    data = bytes.fromhex("".join(block[1].split()))
    assert len(data) == int(block[0])
    return data


def test_the_exporter_writes_the_documented_bytes() -> None:
    header = {
        "entry_format": 1,
        "origin": "lapor.go.id/ledger",
        "exported_at": "2026-11-23T08:00:00.000000Z",
        "tree_size": 2,
    }
    records = [
        EntryRecord(
            e.leaf_index,
            e.stream_id,
            e.stream_version,
            e.recorded_at_us,
            e.prev_hash,
            e.hash(),
            e.event_type,
            e.payload,
        )
        for e in entries()
    ]
    written = b"".join(
        [
            MAGIC,
            record(HEADER, json.dumps(header, separators=(",", ":")).encode()),
            *(entry_record("lapor.go.id/ledger", r) for r in records),
            record(END, b'{"entries":2,"unlinked_events":0}'),
        ]
    )
    assert written == documented()


def test_the_verifier_accepts_the_documented_bytes() -> None:
    summary = verify_bundle(lambda: io.BytesIO(documented()))
    assert (summary.entries, summary.streams, summary.root_hex) == (2, 1, ROOT)
