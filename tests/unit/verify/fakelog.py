"""An in-memory log that speaks the /v1/log contract, for the verifier's unit tests.

Its tree is a plain recursive reading of RFC 6962 section 2.1 (MTH, PATH, SUBPROOF), its
entries are the bundle builders' entry lines, and it signs checkpoints with the test log key;
witnesses are test keys that cosign like verify.witness_key does. `fetch` and `post` are the
transport functions that verify.client.LogClient and verify.witness.witness_round take.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

from tests.unit.verify.bundles import ORIGIN, entry_line, sign_note
from verify.client import Response
from verify.entry import ZERO_HASH
from verify.note import parse_note, parse_vkey, verified_signatures
from verify.witness_key import WitnessKey

EMPTY = hashlib.sha256(b"").digest()


def _split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves: list[bytes]) -> bytes:
    """MTH(D[n]), RFC 6962 section 2.1."""
    if not leaves:
        return EMPTY
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]), RFC 6962 section 2.1.1."""
    if len(leaves) <= 1:
        return []
    k = _split(len(leaves))
    if m < k:
        return [*path(m, leaves[:k]), mth(leaves[k:])]
    return [*path(m - k, leaves[k:]), mth(leaves[:k])]


def subproof(m: int, leaves: list[bytes], complete: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b), RFC 6962 section 2.1.2."""
    if m == len(leaves):
        return [] if complete else [mth(leaves)]
    k = _split(len(leaves))
    if m <= k:
        return [*subproof(m, leaves[:k], complete), mth(leaves[k:])]
    return [*subproof(m - k, leaves[k:], False), mth(leaves[:k])]


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def checkpoint_text(leaves: list[bytes], origin: str = ORIGIN) -> str:
    return f"{origin}\n{len(leaves)}\n{b64(mth(leaves))}\n"


@dataclass
class FakeLog:
    """Entry lines, the checkpoints signed so far and the cosignatures received."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    notes: dict[int, str] = field(default_factory=dict)
    witnesses: dict[str, WitnessKey] = field(default_factory=dict)
    cosignatures: dict[int, list[str]] = field(default_factory=dict)
    posted: list[str] = field(default_factory=list)
    last: dict[UUID, tuple[int, bytes]] = field(default_factory=dict)

    @property
    def leaves(self) -> list[bytes]:
        return [bytes.fromhex(e["entry_hash"]) for e in self.entries]

    def append(self, stream: UUID, count: int = 1) -> None:
        for _ in range(count):
            version, prev = self.last.get(stream, (0, ZERO_HASH))
            line = entry_line(len(self.entries), stream, version + 1, prev)
            self.entries.append(line)
            self.last[stream] = (version + 1, bytes.fromhex(line["entry_hash"]))

    def publish(self) -> str:
        note = sign_note(checkpoint_text(self.leaves))
        self.notes[len(self.entries)] = note
        return note

    def cosigned(self, size: int) -> str:
        return self.notes[size] + "".join(f"{line}\n" for line in self.cosignatures.get(size, []))

    def cosign(self, size: int, witness: WitnessKey, timestamp: int = 1_767_225_600) -> None:
        text = self.notes[size].partition("\n\n")[0] + "\n"
        self.cosignatures.setdefault(size, []).append(witness.cosign(text, timestamp))

    # -- the transport ------------------------------------------------------------------

    def fetch(self, target: str) -> Response:
        parts = urlsplit(target)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/v1/log/checkpoint":
            sizes = sorted(self.notes) if "witnessed" not in query else sorted(self.cosignatures)
            return self._text(self.cosigned(sizes[-1])) if sizes else Response(404, b"{}")
        if parts.path == "/v1/log/proof/consistency":
            m, n = int(query["from"]), int(query["to"])
            proof = subproof(m, self.leaves[:n], True) if 0 < m < n else []
            return self._json({"size1": m, "size2": n, "hashes": [b64(h) for h in proof]})
        if parts.path == "/v1/log/entries":
            start, end = int(query["start"]), min(int(query["end"]), int(query["start"]) + 1000)
            lines = [json.dumps(e) + "\n" for e in self.entries[start:end]]
            return Response(200, "".join(lines).encode())
        return Response(404, b'{"title": "Not Found"}')

    def post(self, target: str, body: bytes) -> Response:
        note = body.decode()
        self.posted.append(note)
        text, _, lines = note.partition("\n\n")
        size = int(text.split("\n")[1])
        if self.notes.get(size, "").partition("\n\n")[0] != text:
            return Response(409, b'{"detail": "not a checkpoint of this log"}')
        for name, key in self.witnesses.items():
            verifier = parse_vkey(key.vkey)
            if verified_signatures(parse_note(note), [verifier]):
                line = next(x for x in lines.splitlines() if x.startswith(f"\u2014 {name} "))
                self.cosignatures.setdefault(size, []).append(line)
                return self._json({"tree_size": size, "witness": name})
        return Response(403, b'{"detail": "unknown witness"}')

    @staticmethod
    def _text(text: str) -> Response:
        return Response(200, text.encode())

    @staticmethod
    def _json(data: dict[str, Any]) -> Response:
        return Response(200, json.dumps(data).encode())
