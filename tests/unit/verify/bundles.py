"""Builders of small, correct export bundles for the verifier's tests.

Hashes come from verify/entry.py and roots from verify/merkle.py, both tested on their own
against independent vectors; signatures use a fixed test key, as the log would sign.
"""

from __future__ import annotations

import base64
import json
import struct
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from verify.entry import ZERO_HASH, EntryFields, encode_entry, entry_hash
from verify.merkle import root_of
from verify.note import ED25519, VerifierKey, key_id

ORIGIN = "lapor.go.id/ledger"
A = UUID("00000000-0000-4000-8000-00000000000a")
B = UUID("00000000-0000-4000-8000-00000000000b")
C = UUID("00000000-0000-4000-8000-00000000000c")
# leaf order: A1 B1 A2 C1 B2 A3 C2 B3 A4 C3
ORDER = [A, B, A, C, B, A, C, B, A, C]
LOG_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def log_verifier_key(name: str = ORIGIN) -> VerifierKey:
    public = LOG_KEY.public_key().public_bytes_raw()
    return VerifierKey(name, key_id(name, ED25519, public), ED25519, public)


def log_vkey(name: str = ORIGIN) -> str:
    """The log key in vkey form: name+hex key id+base64(0x01 || public key)."""
    key = log_verifier_key(name)
    material = base64.b64encode(bytes((ED25519,)) + key.public_key).decode()
    return f"{name}+{key.key_id.hex()}+{material}"


def sign_note(text: str, name: str = ORIGIN) -> str:
    """Sign note text as the log does (c2sp.org/signed-note, Ed25519)."""
    key = log_verifier_key(name)
    signature = base64.b64encode(key.key_id + LOG_KEY.sign(text.encode())).decode()
    return f"{text}\n\u2014 {name} {signature}\n"


def entry_line(leaf_index: int, stream: UUID, version: int, prev: bytes) -> dict[str, Any]:
    payload = json.dumps({"actor": "intake", "n": leaf_index}, separators=(",", ":")).encode()
    line = {
        "kind": "entry",
        "leaf_index": leaf_index,
        "stream_id": str(stream),
        "stream_version": version,
        "event_type": f"ledger.domain.report:Report.Event{version}",
        "recorded_at_us": 1_795_420_800_000_000 + leaf_index,
        "prev_hash": prev.hex(),
        "entry_hash": "",
        "payload": base64.b64encode(payload).decode(),
    }
    line["entry_hash"] = stated_hash(line).hex()
    return line


def stated_hash(line: dict[str, Any]) -> bytes:
    """The entry hash of an entry line, recomputed from its fields (as a forger would)."""
    return entry_hash(
        EntryFields(
            origin=ORIGIN,
            leaf_index=line["leaf_index"],
            stream_id=UUID(line["stream_id"]),
            stream_version=line["stream_version"],
            event_type=line["event_type"],
            recorded_at_us=line["recorded_at_us"],
            prev_hash=bytes.fromhex(line["prev_hash"]),
            payload=base64.b64decode(line["payload"]),
        )
    )


def checkpoint_line(entries: list[dict[str, Any]], size: int) -> dict[str, Any]:
    root = root_of(bytes.fromhex(line["entry_hash"]) for line in entries[:size])
    text = f"{ORIGIN}\n{size}\n{base64.b64encode(root).decode()}\n"
    return {"kind": "checkpoint", "note": sign_note(text)}


@dataclass
class Bundle:
    """A bundle as lines, rendered with matching end counts unless a test says otherwise."""

    entries: list[dict[str, Any]]
    tail: list[dict[str, Any]] = field(default_factory=list)
    tree_size: int | None = None

    def render_binary(self) -> bytes:
        """The same bundle in the binary format (lapor-ledger-bundle/v2), built independently.

        Entry records carry the stated `entry_hash` and the entry bytes of the line's fields
        (an `M` record when the stored event is null); checkpoints go before the entries.
        """
        header = {
            "entry_format": 1,
            "origin": ORIGIN,
            "exported_at": "2026-11-23T08:00:00Z",
            "tree_size": len(self.entries) if self.tree_size is None else self.tree_size,
        }
        records = [frame(b"H", json.dumps(header).encode())]
        records += [frame(b"C", line["note"].encode()) for line in self.checkpoints()]
        records += [binary_entry(line) for line in self.entries]
        unlinked = [line for line in self.tail if line["kind"] == "unlinked_event"]
        for line in unlinked:
            fields = {key: value for key, value in line.items() if key != "kind"}
            records.append(frame(b"U", json.dumps(fields).encode()))
        end = {"entries": len(self.entries), "unlinked_events": len(unlinked)}
        records.append(frame(b"Z", json.dumps(end).encode()))
        return BINARY_MAGIC + b"".join(records)

    def checkpoints(self) -> list[dict[str, Any]]:
        return [line for line in self.tail if line["kind"] == "checkpoint"]

    def render(self) -> bytes:
        header = {
            "kind": "header",
            "format": "lapor-ledger-bundle/v1",
            "entry_format": 1,
            "origin": ORIGIN,
            "exported_at": "2026-11-23T08:00:00Z",
            "tree_size": len(self.entries) if self.tree_size is None else self.tree_size,
        }
        unlinked = sum(1 for line in self.tail if line["kind"] == "unlinked_event")
        end = {"kind": "end", "entries": len(self.entries), "unlinked_events": unlinked}
        lines = [header, *self.entries, *self.tail, end]
        return b"".join(json.dumps(line).encode() + b"\n" for line in lines)


BINARY_MAGIC = b"lapor-ledger-bundle/v2\n"


def frame(kind: bytes, body: bytes) -> bytes:
    """One record of a binary bundle: kind, body length (u32 big-endian), body."""
    return kind + struct.pack(">I", len(body)) + body


def binary_entry(line: dict[str, Any]) -> bytes:
    """An entry line as an `E` record (stated hash, entry bytes) or an `M` record."""
    stated = bytes.fromhex(line["entry_hash"])
    stream = UUID(line["stream_id"])
    prev = bytes.fromhex(line["prev_hash"])
    if line["payload"] is None:
        fixed = struct.pack(
            ">Q16sQq",
            line["leaf_index"],
            stream.bytes,
            line["stream_version"],
            line["recorded_at_us"],
        )
        return frame(b"M", stated + fixed + prev)
    data = encode_entry(
        EntryFields(
            origin=line.get("origin", ORIGIN),
            leaf_index=line["leaf_index"],
            stream_id=stream,
            stream_version=line["stream_version"],
            event_type=line["event_type"],
            recorded_at_us=line["recorded_at_us"],
            prev_hash=prev,
            payload=base64.b64decode(line["payload"]),
        )
    )
    return frame(b"E", stated + data)


RENDERINGS = {"jsonl": Bundle.render, "binary": Bundle.render_binary}


def happy_bundle() -> Bundle:
    """Ten entries over three streams, with checkpoints at sizes 6 and 10."""
    entries: list[dict[str, Any]] = []
    last: dict[UUID, tuple[int, bytes]] = {}
    for leaf_index, stream in enumerate(ORDER):
        version, prev = last.get(stream, (0, ZERO_HASH))
        entries.append(entry_line(leaf_index, stream, version + 1, prev))
        last[stream] = (version + 1, bytes.fromhex(entries[-1]["entry_hash"]))
    return Bundle(entries, [checkpoint_line(entries, 6), checkpoint_line(entries, 10)])
