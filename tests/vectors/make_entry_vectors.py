"""Write tests/vectors/entries.json: test vectors of the ledger entry format, version 1.

Run from the project root:  .venv/bin/python -m tests.vectors.make_entry_vectors
The bytes come from verify/entry.py (the independent implementation); the test suite then checks
that both verify/entry.py and the writer's encoder, ledger/integrity/entry.py, reproduce them.
Regenerating must not change an existing vector: a change of format is a new format version.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any
from uuid import UUID

from verify.entry import ZERO_HASH, EntryFields, encode_entry, entry_hash
from verify.errors import MalformedInput

OUT = Path(__file__).with_name("entries.json")
ORIGIN = "lapor.go.id/ledger"
REPORT = UUID("0b6f3c1e-6a52-4c1b-9d2e-3f4a5b6c7d8e")
WBS_REPORT = UUID("f1e2d3c4-b5a6-4798-8a9b-0c1d2e3f4a5b")
SUBMITTED = b'{"actor":"intake","agency":"kemenkes","channel":"web","classification":"pengaduan"}'
SEALED = (
    b'{"actor":"intake","reporter":{"$sealed":1,"alg":"A256GCM","kid":"dk-2026-01",'
    b'"ct":"q83vEjRWeJq83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4mg=="}}'
)

FIRST = EntryFields(
    origin=ORIGIN,
    leaf_index=0,
    stream_id=REPORT,
    stream_version=1,
    event_type="ledger.domain.report:Report.Submitted",
    recorded_at_us=1_795_420_800_000_000,
    prev_hash=ZERO_HASH,
    payload=SUBMITTED,
)

CASES: list[tuple[str, EntryFields]] = [
    ("first entry of a stream: version 1, previous hash 32 zero bytes", FIRST),
    (
        "later entry of the same stream, chained to the first entry's hash",
        EntryFields(
            origin=ORIGIN,
            leaf_index=1,
            stream_id=REPORT,
            stream_version=2,
            event_type="ledger.domain.report:Report.Verified",
            recorded_at_us=1_795_424_400_123_456,
            prev_hash=entry_hash(FIRST),
            payload=b'{"actor":"verifikator-1","agency":"kemenkes","state":"terverifikasi"}',
        ),
    ),
    (
        "empty payload (zero-length payload field)",
        EntryFields(
            ORIGIN, 2, WBS_REPORT, 1, "ledger.domain.report:Report.Noted", 0, ZERO_HASH, b""
        ),
    ),
    (
        "sealed field: the payload holds the ciphertext envelope, hashed as stored",
        EntryFields(
            ORIGIN,
            3,
            WBS_REPORT,
            2,
            "ledger.domain.report:Report.Submitted",
            1,
            bytes(range(32)),
            SEALED,
        ),
    ),
    (
        "non-ASCII origin and event type (UTF-8 bytes, lengths count bytes not characters)",
        EntryFields(
            origin="pengaduan.contoh.id/jejak\u00b7audit\u2013uji",
            leaf_index=4,
            stream_id=REPORT,
            stream_version=3,
            event_type="ledger.domain.report:Laporan.Ditindaklanjuti\u2713",
            recorded_at_us=1_795_430_000_000_000,
            prev_hash=bytes([0xAB]) * 32,
            payload='{"catatan":"Pelapor dihubungi \u2014 sudah ditindaklanjuti"}'.encode(),
        ),
    ),
    (
        "largest leaf index and stream version (2^64 - 1)",
        EntryFields(ORIGIN, 2**64 - 1, REPORT, 2**64 - 1, "t", 42, bytes([0xFF]) * 32, b"{}"),
    ),
    (
        "negative recorded_at: one microsecond before the Unix epoch (two's complement)",
        EntryFields(
            ORIGIN, 5, REPORT, 4, "ledger.domain.report:Report.Closed", -1, ZERO_HASH, b"{}"
        ),
    ),
    (
        "most negative recorded_at (-2^63)",
        EntryFields(
            ORIGIN, 6, REPORT, 5, "ledger.domain.report:Report.Closed", -(2**63), ZERO_HASH, b"{}"
        ),
    ),
]

ERROR_CASES: list[tuple[str, EntryFields]] = [
    ("previous hash of 31 bytes", EntryFields(ORIGIN, 0, REPORT, 1, "t", 0, bytes(31), b"")),
    (
        "negative leaf index cannot be encoded",
        EntryFields(ORIGIN, -1, REPORT, 1, "t", 0, ZERO_HASH, b""),
    ),
    (
        "stream version of 2^64 does not fit in u64",
        EntryFields(ORIGIN, 0, REPORT, 2**64, "t", 0, ZERO_HASH, b""),
    ),
    (
        "recorded_at of 2^63 does not fit in i64",
        EntryFields(ORIGIN, 0, REPORT, 1, "t", 2**63, ZERO_HASH, b""),
    ),
]


def _fields(fields: EntryFields) -> dict[str, Any]:
    return {
        "origin": fields.origin,
        "leaf_index": fields.leaf_index,
        "stream_id": str(fields.stream_id),
        "stream_version": fields.stream_version,
        "event_type": fields.event_type,
        "recorded_at_us": fields.recorded_at_us,
        "prev_hash": fields.prev_hash.hex(),
        "payload": base64.b64encode(fields.payload).decode(),
    }


def vectors() -> dict[str, Any]:
    """Return the vector file's content."""
    cases: list[dict[str, Any]] = []
    for desc, fields in CASES:
        cases.append(
            {
                "desc": desc,
                "fields": _fields(fields),
                "entry_bytes": encode_entry(fields).hex(),
                "entry_hash": entry_hash(fields).hex(),
                "want_err": False,
            }
        )
    for desc, fields in ERROR_CASES:
        try:
            encode_entry(fields)
        except MalformedInput:
            cases.append({"desc": desc, "fields": _fields(fields), "want_err": True})
        else:
            raise AssertionError(f"{desc}: encoded without error")
    return {
        "format": "lapor-ledger entry format 1 (docs/ledger-format.md)",
        "hash": "entry_hash = SHA-256(0x00 || entry_bytes)",
        "vectors": cases,
    }


def main() -> None:
    OUT.write_text(json.dumps(vectors(), indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
