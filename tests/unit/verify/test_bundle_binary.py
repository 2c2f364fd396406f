"""verify.bundle on binary bundles (lapor-ledger-bundle/v2): framing, malformed input, and the
fast path, which must reach exactly the verdicts of the full decoding."""

from __future__ import annotations

import base64
import gzip
import io
import json
import struct
from collections.abc import Callable
from typing import Any
from uuid import UUID

import pytest

from tests.unit.verify.bundles import (
    BINARY_MAGIC,
    ORIGIN,
    A,
    Bundle,
    binary_entry,
    checkpoint_line,
    entry_line,
    frame,
    happy_bundle,
    log_verifier_key,
    stated_hash,
)
from verify import bundle_binary_scan as scan_module
from verify.bundle import BundleSummary, verify_bundle, verify_bundle_signatures
from verify.bundle_binary import CHUNK_BYTES
from verify.entry import ZERO_HASH
from verify.errors import BundleVerificationFailed, MalformedInput


def verify_bytes(data: bytes, **options: Any) -> BundleSummary:
    return verify_bundle(lambda: io.BytesIO(data), **options)


def records(data: bytes) -> list[bytes]:
    """The framed records of a binary bundle, magic line removed."""
    out, pos = [], len(BINARY_MAGIC)
    while pos < len(data):
        (length,) = struct.unpack_from(">I", data, pos + 1)
        out.append(data[pos : pos + 5 + length])
        pos += 5 + length
    return out


def join(parts: list[bytes]) -> bytes:
    return BINARY_MAGIC + b"".join(parts)


def failures_of(data: bytes) -> list[dict[str, object]]:
    with pytest.raises(BundleVerificationFailed) as caught:
        verify_bytes(data, max_failures=100)
    found = caught.value.to_dict()["failures"]
    assert isinstance(found, list)
    # where a checkpoint is differs between the formats (record or line): leave it out
    return [{k: v for k, v in f.items() if k not in ("line", "message")} for f in found]


def big_bundle(streams: int = 40, versions: int = 60) -> Bundle:
    """Enough entries (2,400 of ~1.1 kB) to span several read chunks."""
    entries: list[dict[str, Any]] = []
    last: dict[UUID, tuple[int, bytes]] = {}
    ids = [UUID(int=n + 1) for n in range(streams)]
    for leaf_index in range(streams * versions):
        stream = ids[(leaf_index * 7) % streams] if leaf_index >= streams else ids[leaf_index]
        version, prev = last.get(stream, (0, ZERO_HASH))
        line = entry_line(leaf_index, stream, version + 1, prev)
        line["payload"] = base64.b64encode(bytes(1000) + str(leaf_index).encode()).decode()
        line["entry_hash"] = stated_hash(line).hex()
        entries.append(line)
        last[stream] = (version + 1, bytes.fromhex(line["entry_hash"]))
    tail = [checkpoint_line(entries, 1000), checkpoint_line(entries, len(entries))]
    return Bundle(entries, tail)


def test_big_bundle_spans_chunks_and_takes_roots_in_one_pass() -> None:
    bundle = big_bundle()
    data = bundle.render_binary()
    assert len(data) > 2 * CHUNK_BYTES
    opened = []

    def opener() -> io.BytesIO:
        opened.append(1)
        return io.BytesIO(data)

    calls: list[tuple[int, int]] = []
    summary = verify_bundle(opener, progress=lambda d, t: calls.append((d, t)), prefix_sizes=[7])
    assert (summary.entries, summary.streams, summary.checkpoints_checked) == (2400, 40, 2)
    assert len(opened) == 1  # checkpoints precede the entries: no second pass
    assert summary.prefix_roots.keys() == {7}
    assert summary.prefix_roots == verify_bytes(bundle.render(), prefix_sizes=[7]).prefix_roots
    assert calls[-1] == (2400, 2400) and (1024, 2400) in calls
    assert [s.checkpoint.tree_size for s in verify_bundle_signatures(summary, [log_verifier_key()])]


@pytest.mark.parametrize("damaged", [0, 1, 999, 1000, 1500, 2399])
def test_fast_path_reaches_the_verdicts_of_the_full_decoding(damaged: int) -> None:
    """Failures at any position, also next to chunk and progress boundaries, are the same in
    both formats (the JSON Lines verifier decodes every entry)."""
    bundle = big_bundle()
    bundle.entries[damaged]["recorded_at_us"] += 1
    binary, lines = failures_of(bundle.render_binary()), failures_of(bundle.render())
    assert binary == lines
    assert {(f["check"], f.get("leaf_index")) for f in binary} >= {(2, damaged)}


def test_entry_of_another_origin_fails_check_2() -> None:
    bundle = happy_bundle()
    line = bundle.entries[3]
    line["origin"] = "other.example/log"  # bundles.binary_entry encodes it into the bytes
    parts = records(bundle.render_binary())
    parts[3 + 2] = binary_entry({**line, "entry_hash": stated_hash(line).hex()})
    found = failures_of(join(parts))
    assert {
        "check": 2,
        "leaf_index": 3,
        "expected": ORIGIN,
        "actual": "other.example/log",
    }.items() <= found[0].items()


def test_checkpoint_failure_names_its_record() -> None:
    bundle = happy_bundle()
    bundle.tail[1] = checkpoint_line([*bundle.entries[:9], entry_line(9, A, 1, ZERO_HASH)], 10)
    with pytest.raises(BundleVerificationFailed) as caught:
        verify_bytes(bundle.render_binary())
    assert caught.value.failures[-1].message.startswith("checkpoint at record 3 (size 10)")


# --- malformed: the record that cannot be read is named (exit code 2) -----------------------


def _body(index: int, body: bytes) -> Callable[[list[bytes]], list[bytes]]:
    def mutate(parts: list[bytes]) -> list[bytes]:
        parts[index] = parts[index][:1] + struct.pack(">I", len(body)) + body
        return parts

    return mutate


def _json_body(index: int, **changes: Any) -> Callable[[list[bytes]], list[bytes]]:
    def mutate(parts: list[bytes]) -> list[bytes]:
        data = json.loads(parts[index][5:])
        data.update(changes)
        return _body(index, json.dumps(data).encode())(parts)

    return mutate


def _entry_bytes(
    index: int, change: Callable[[bytes], bytes]
) -> Callable[[list[bytes]], list[bytes]]:
    def mutate(parts: list[bytes]) -> list[bytes]:
        return _body(index, change(parts[index][5:]))(parts)

    return mutate


def _swap(a: int, b: int) -> Callable[[list[bytes]], list[bytes]]:
    def mutate(parts: list[bytes]) -> list[bytes]:
        parts[a], parts[b] = parts[b], parts[a]
        return parts

    return mutate


UNLINKED = frame(
    b"U",
    json.dumps(
        {"stream_id": str(UUID(int=1)), "stream_version": 1, "event_type": "t", "payload": ""}
    ).encode(),
)
# records: 0 header, 1-2 checkpoints, 3-12 entries, 13 end (record numbers are one more)
MALFORMED = [
    pytest.param(lambda p: p[:-1], 14, "no end record", id="no-end-record"),
    pytest.param(lambda p: [*p[:5], p[5][:40]], 6, "truncated record", id="cut-mid-record"),
    pytest.param(lambda p: [*p[:5], p[5][:3]], 6, "truncated record frame", id="cut-mid-frame"),
    pytest.param(lambda p: p[1:], 1, "first record must be the header", id="no-header"),
    pytest.param(_json_body(0, entry_format=2), 1, "entry_format", id="entry-format"),
    pytest.param(_json_body(0, tree_size=-1), 1, "tree_size", id="header-field-type"),
    pytest.param(_body(0, b"{not json"), 1, "not a JSON object", id="header-not-json"),
    pytest.param(_json_body(-1, entries=9), 14, "end record states entries 9", id="end-count"),
    pytest.param(lambda p: [*p, p[3]], 15, "data after the end record", id="data-after-end"),
    pytest.param(_swap(2, 3), 4, "misplaced record kind 'C'", id="checkpoint-after-entry"),
    pytest.param(
        lambda p: [*p[:4], UNLINKED, *p[4:]],
        6,
        "misplaced record kind 'E'",
        id="entry-after-unlinked",
    ),
    pytest.param(lambda p: [*p[:3], b"X" + p[3][1:], *p[4:]], 4, "kind 'X'", id="unknown-kind"),
    pytest.param(
        _entry_bytes(3, lambda b: b[:32] + b"\x02" + b[33:]),
        4,
        "entry format version expected 1",
        id="entry-format-version",
    ),
    pytest.param(
        _entry_bytes(3, lambda b: b + b"\x00"), 4, "1 bytes after the end", id="entry-trailing-byte"
    ),
    pytest.param(_entry_bytes(3, lambda b: b[:-1]), 4, "truncated", id="entry-short-payload"),
    pytest.param(_entry_bytes(3, lambda b: b[:20]), 4, "32-byte entry hash", id="entry-no-hash"),
    pytest.param(
        _entry_bytes(3, lambda b: b.replace(b"Report.Event1", b"Report.Ev\xffnt1")),
        4,
        "event type is not UTF-8",
        id="event-type-not-utf8",
    ),
    pytest.param(_body(1, b"\xff note"), 2, "not UTF-8", id="checkpoint-not-utf8"),
    pytest.param(_body(1, b"no signatures\n"), 2, "checkpoint note", id="bad-checkpoint-note"),
    pytest.param(
        lambda p: [*p[:3], frame(b"M", bytes(50)), *p[4:]],
        4,
        "104 bytes",
        id="missing-record-length",
    ),
    pytest.param(
        lambda p: [*p[:3], b"E\xff\xff\xff\xff", *p[4:]], 4, "longer than", id="record-too-long"
    ),
]


@pytest.mark.parametrize(("mutate", "record", "words"), MALFORMED)
def test_malformed_binary_bundle_names_the_record(
    mutate: Callable[[list[bytes]], list[bytes]], record: int, words: str
) -> None:
    with pytest.raises(MalformedInput) as caught:
        verify_bytes(join(mutate(records(happy_bundle().render_binary()))))
    assert caught.value.line == record, str(caught.value)
    assert caught.value.message.startswith(f"record {record}: "), str(caught.value)
    assert words in caught.value.message, str(caught.value)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"lapor-ledger-bundle/v3\n", id="unknown-version"),
        pytest.param(BINARY_MAGIC, id="magic-only"),
        pytest.param(gzip.compress(happy_bundle().render_binary())[:-12], id="damaged-gzip"),
    ],
)
def test_unreadable_binary_bundle_is_malformed(data: bytes) -> None:
    with pytest.raises(MalformedInput):
        verify_bytes(data)


def test_good_entries_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """A spy on the full decoding: a correct bundle never needs it, a damaged entry does."""
    decoded: list[int] = []
    full = scan_module._check_decoded

    def spy(records: Any, scan: Any, kind: int, start: int, end: int, observe: Any) -> None:
        decoded.append(records.number)
        full(records, scan, kind, start, end, observe)

    monkeypatch.setattr(scan_module, "_check_decoded", spy)
    bundle = big_bundle()
    verify_bytes(bundle.render_binary())
    assert decoded == []
    bundle.entries[1500]["recorded_at_us"] += 1
    failures_of(bundle.render_binary())
    assert decoded == [1500 + 4]  # header and two checkpoints come first
