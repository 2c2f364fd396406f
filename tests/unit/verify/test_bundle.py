"""verify.bundle: one correct bundle, and mutations of it that every check must catch."""

from __future__ import annotations

import base64
import copy
import gzip
import io
import json
from collections.abc import Callable
from typing import Any
from uuid import UUID

import pytest

from tests.unit.verify.bundles import (
    ORIGIN,
    RENDERINGS,
    A,
    B,
    Bundle,
    C,
    checkpoint_line,
    entry_line,
    happy_bundle,
    log_verifier_key,
    stated_hash,
)
from verify.bundle import BundleSummary, verify_bundle, verify_bundle_signatures
from verify.errors import (
    BundleVerificationFailed,
    MalformedInput,
    VerificationError,
    VerificationFailed,
)
from verify.merkle import root_of
from verify.note import ED25519, VerifierKey

Render = Callable[[Bundle], bytes]


def verify_bytes(data: bytes, **options: Any) -> BundleSummary:
    return verify_bundle(lambda: io.BytesIO(data), **options)


@pytest.fixture(params=sorted(RENDERINGS))
def render(request: pytest.FixtureRequest) -> Render:
    """Each test of the checks runs on the bundle in both formats."""
    return RENDERINGS[request.param]


def test_happy_bundle_verifies(render: Render) -> None:
    summary = verify_bytes(render(happy_bundle()))
    assert (summary.entries, summary.streams, summary.reports, summary.events) == (10, 3, 3, 10)
    assert summary.unlinked == 0
    assert summary.checkpoints_checked == 2
    hashes = [bytes.fromhex(line["entry_hash"]) for line in happy_bundle().entries]
    assert summary.root_hex == root_of(hashes).hex()
    assert [
        signed.checkpoint.tree_size
        for signed in verify_bundle_signatures(summary, [log_verifier_key()])
    ] == [6, 10]


def test_gzip_bundle_verifies(render: Render) -> None:
    assert verify_bytes(gzip.compress(render(happy_bundle()))).entries == 10


def test_empty_ledger_verifies(render: Render) -> None:
    summary = verify_bytes(render(Bundle([])))
    assert summary.entries == 0
    assert summary.root_hex == root_of([]).hex()


def test_progress_is_reported(render: Render) -> None:
    calls: list[tuple[int, int]] = []
    verify_bytes(render(happy_bundle()), progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (10, 10)


# --- forged or damaged bundles: well-formed, but a check fails ----------------------------


def _change_payload_byte(b: Bundle) -> None:
    payload = bytearray(base64.b64decode(b.entries[4]["payload"]))
    payload[2] ^= 0x01
    b.entries[4]["payload"] = base64.b64encode(payload).decode()


def _swap_payloads(b: Bundle) -> None:
    first, second = b.entries[2], b.entries[6]
    first["payload"], second["payload"] = second["payload"], first["payload"]


def _insert_forged_entry(b: Bundle) -> None:
    # A forger slips version 5 of stream A in at leaf 5, chained and hashed correctly.
    previous = b.entries[8]
    b.entries.insert(5, entry_line(5, A, 5, bytes.fromhex(previous["entry_hash"])))


def _swap_leaf_indexes(b: Bundle) -> None:
    b.entries[5]["leaf_index"], b.entries[6]["leaf_index"] = 6, 5


def _null_payload(b: Bundle) -> None:
    b.entries[5]["payload"] = None
    b.entries[5]["event_type"] = None


def _unlinked_event(b: Bundle) -> None:
    b.tail.insert(
        0,
        {
            "kind": "unlinked_event",
            "stream_id": str(B),
            "stream_version": 4,
            "event_type": "ledger.domain.report:Report.Closed",
            "payload": base64.b64encode(b"{}").decode(),
        },
    )


def _forge_checkpoint_root(b: Bundle) -> None:
    forged = copy.deepcopy(b.entries)
    forged[0]["entry_hash"] = "00" * 32
    b.tail[1] = checkpoint_line(forged, 10)


def _recorded_time(b: Bundle) -> None:
    b.entries[3]["recorded_at_us"] += 1


def _remove(index: int) -> Callable[[Bundle], None]:
    def remove(b: Bundle) -> None:
        del b.entries[index]

    return remove


def _tree_size(b: Bundle) -> None:
    b.tree_size = 11


def _cut_last_entry(b: Bundle) -> None:
    b.entries.pop()  # header and end line agree on 9 entries; the checkpoint says 10


# (check, leaf index, stream, version) facts that must be among the failures
Fact = tuple[int, int | None, UUID | None, int | None]
FORGERIES = [
    pytest.param(_change_payload_byte, [(2, 4, B, 2), (6, None, None, None)], id="payload-byte"),
    pytest.param(_remove(4), [(3, 5, A, 3), (4, 7, B, 3)], id="entry-removed"),
    pytest.param(_swap_payloads, [(2, 2, A, 2), (2, 6, C, 2)], id="payloads-swapped"),
    pytest.param(
        _insert_forged_entry, [(4, 5, A, 5), (3, 5, A, 3), (4, 5, A, 3)], id="forged-entry-inserted"
    ),
    pytest.param(_remove(7), [(3, 8, A, 4)], id="last-event-of-stream-removed"),
    pytest.param(_recorded_time, [(2, 3, C, 1)], id="recorded-time-changed"),
    pytest.param(
        _swap_leaf_indexes, [(3, 6, A, 3), (3, 5, C, 2), (2, 5, C, 2)], id="leaf-indexes-swapped"
    ),
    pytest.param(_unlinked_event, [(5, None, B, 4)], id="unlinked-event"),
    pytest.param(_null_payload, [(4, 5, A, 3)], id="null-payload"),
    pytest.param(_forge_checkpoint_root, [(6, None, None, None)], id="checkpoint-root-forged"),
    pytest.param(_tree_size, [(3, None, None, None)], id="header-tree-size"),
    pytest.param(_cut_last_entry, [(6, None, None, None)], id="entries-cut-below-checkpoint"),
]


@pytest.mark.parametrize(("mutate", "facts"), FORGERIES)
def test_forged_or_damaged_bundle_fails(
    mutate: Callable[[Bundle], None], facts: list[Fact], render: Render
) -> None:
    bundle = happy_bundle()
    mutate(bundle)
    with pytest.raises(BundleVerificationFailed) as caught:
        verify_bytes(render(bundle))
    found = {(f.check, f.leaf_index, f.stream_id, f.stream_version) for f in caught.value.failures}
    for check, leaf_index, stream, version in facts:
        assert (check, leaf_index, str(stream) if stream else None, version) in found or (
            leaf_index is None and any(f[0] == check for f in found)
        ), f"no check {check} failure at entry {leaf_index} in {sorted(map(str, found))}"


def test_failure_message_names_entry_stream_version_and_hashes(render: Render) -> None:
    bundle = happy_bundle()
    _change_payload_byte(bundle)
    with pytest.raises(BundleVerificationFailed) as caught:
        verify_bytes(render(bundle))
    failure = caught.value.failures[0]
    stated = bundle.entries[4]["entry_hash"]
    assert failure.message == (
        f"entry 4 (stream {B} v2): entry hash expected {stated}, "
        f"got {stated_hash(bundle.entries[4]).hex()}"
    )
    assert failure.to_dict()["expected"] == stated
    assert caught.value.to_dict()["failures_by_check"] == {"2": 1, "6": 2}


def test_max_failures_lists_some_and_counts_all(render: Render) -> None:
    bundle = happy_bundle()
    for line in bundle.entries:
        line["recorded_at_us"] += 1
    with pytest.raises(BundleVerificationFailed) as caught:
        verify_bytes(render(bundle), max_failures=3)
    assert len(caught.value.failures) == 3
    assert caught.value.total_failures == 10 + 2  # every entry, both checkpoints


def test_signature_by_an_untrusted_key_fails_check_7(render: Render) -> None:
    summary = verify_bytes(render(happy_bundle()))
    other = VerifierKey(ORIGIN, b"\x00\x01\x02\x03", ED25519, bytes(32))
    with pytest.raises(VerificationFailed) as caught:
        verify_bundle_signatures(summary, [other])
    assert caught.value.check == 7


# --- malformed bundles: cannot be read at all (JSON Lines; binary: test_bundle_binary.py) ---


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def _replace_field(index: int, key: str, value: Any) -> Callable[[bytes], bytes]:
    def mutate(data: bytes) -> bytes:
        lines = _lines(data)
        line = json.loads(lines[index])
        line[key] = value
        lines[index] = json.dumps(line).encode() + b"\n"
        return b"".join(lines)

    return mutate


def _move_entry_after_checkpoint(data: bytes) -> bytes:
    lines = _lines(data)  # 0 header, 1-10 entries, 11-12 checkpoints, 13 end
    return b"".join([*lines[:10], lines[11], lines[10], *lines[12:]])


def _duplicate_key(data: bytes) -> bytes:
    return data.replace(b'{"kind": "entry",', b'{"kind": "entry", "kind": "entry",', 1)


MALFORMED = [
    pytest.param(lambda d: b"".join(_lines(d)[:-1]), 14, id="truncated-no-end-line"),
    pytest.param(lambda d: d[: len(d) // 2], None, id="cut-mid-line"),
    pytest.param(lambda d: d.replace(b'"kind": "entry"', b'"kind": entry', 1), 2, id="bad-json"),
    pytest.param(_replace_field(3, "leaf_index", "2"), 4, id="wrong-type"),
    pytest.param(_replace_field(3, "stream_version", True), 4, id="boolean-as-integer"),
    pytest.param(_replace_field(3, "prev_hash", "AB" * 32), 4, id="upper-case-hex"),
    pytest.param(_replace_field(3, "payload", "not base64!"), 4, id="bad-base64"),
    pytest.param(_replace_field(3, "entry_hash", None), 4, id="null-hash"),
    pytest.param(_replace_field(-1, "entries", 9), 14, id="end-count-mismatch"),
    pytest.param(_replace_field(3, "kind", "surprise"), 4, id="unknown-kind"),
    pytest.param(_duplicate_key, 2, id="duplicate-key"),
    pytest.param(lambda d: b"".join(_lines(d)[1:]), 1, id="header-not-first"),
    pytest.param(_move_entry_after_checkpoint, 12, id="entry-after-checkpoint"),
    pytest.param(lambda d: d + _lines(d)[1], 15, id="data-after-end"),
    pytest.param(lambda d: d.replace(b"go.id/ledger", b"go.id/\xff", 1), 1, id="not-utf8"),
    pytest.param(lambda d: b"", None, id="empty-file"),
    pytest.param(lambda d: gzip.compress(d)[:-12], None, id="damaged-gzip"),
    pytest.param(_replace_field(0, "format", "lapor-ledger-bundle/v2"), 1, id="unknown-format"),
    pytest.param(_replace_field(11, "note", "no signatures\n"), 12, id="bad-checkpoint-note"),
]


@pytest.mark.parametrize(("mutate", "line"), MALFORMED)
def test_malformed_bundle_is_refused(mutate: Callable[[bytes], bytes], line: int | None) -> None:
    with pytest.raises(MalformedInput) as caught:
        verify_bytes(mutate(happy_bundle().render()))
    if line is not None:
        assert caught.value.line == line, str(caught.value)


def test_malformed_and_failed_are_different_branches() -> None:
    assert not issubclass(MalformedInput, VerificationFailed)
    assert issubclass(BundleVerificationFailed, VerificationError)
