"""verify.report: one report's history with its inclusion proofs, and what must be refused."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any
from uuid import UUID

import pytest

from tests.unit.verify.bundles import A, B, stated_hash
from tests.unit.verify.fakelog import FakeLog, b64, path
from tests.unit.verify.receipts import KID, LOG_KEYS, OMBUDSMAN, witnessed_log
from verify.errors import BundleVerificationFailed, MalformedInput, VerificationFailed
from verify.policy import WitnessPolicy
from verify.report import verify_report_proof

LOG = witnessed_log()
POLICY = WitnessPolicy.of([OMBUDSMAN.verifier, KID.verifier], 2)


def document(log: FakeLog, report: UUID, size: int = 10) -> dict[str, Any]:
    entries = [
        {**line, "inclusion": [b64(h) for h in path(line["leaf_index"], log.leaves[:size])]}
        for line in log.entries[:size]
        if line["stream_id"] == str(report)
    ]
    return {"checkpoint": log.cosigned(size), "entries": entries}


def render(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc).encode()


GOOD = document(LOG, A)


def test_a_report_history_verifies() -> None:
    summary = verify_report_proof(render(GOOD), LOG_KEYS, POLICY, report_id=A)
    assert summary.report_id == A
    assert [e.stream_version for e in summary.entries] == [1, 2, 3, 4]
    data = summary.to_dict()
    assert data["versions"] == 4 and data["checkpoint"]["tree_size"] == 10  # type: ignore[index]


def _drop_first(doc: dict[str, Any]) -> None:
    del doc["entries"][0]


def _swap(doc: dict[str, Any]) -> None:
    doc["entries"][1], doc["entries"][2] = doc["entries"][2], doc["entries"][1]


def _rewrite(doc: dict[str, Any]) -> None:
    line = doc["entries"][3]
    line["payload"] = "e30="
    line["entry_hash"] = stated_hash(line).hex()


def _forge_payload(doc: dict[str, Any]) -> None:
    doc["entries"][1]["payload"] = "e30="


def _other_report(doc: dict[str, Any]) -> None:
    doc["entries"].append(document(LOG, B)["entries"][0])


def _flip_proof(doc: dict[str, Any]) -> None:
    doc["entries"][0]["inclusion"][0] = b64(bytes(32))


MUTATIONS: list[tuple[str, Callable[[dict[str, Any]], None], dict[int, int]]] = [
    ("missing-first-version", _drop_first, {4: 2}),
    ("reordered", _swap, {4: 7}),
    ("rewritten-last-version", _rewrite, {10: 1}),
    ("changed-payload", _forge_payload, {2: 1, 10: 1}),
    ("other-report-mixed-in", _other_report, {4: 4}),
    ("modified-proof", _flip_proof, {10: 1}),
]


@pytest.mark.parametrize(("desc", "mutate", "by_check"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_forged_histories_fail_with_facts(
    desc: str, mutate: Callable[[dict[str, Any]], None], by_check: dict[int, int]
) -> None:
    doc = copy.deepcopy(GOOD)
    mutate(doc)
    with pytest.raises(BundleVerificationFailed, match="the report's history") as raised:
        verify_report_proof(render(doc), LOG_KEYS, POLICY, report_id=A)
    assert raised.value.failures_by_check == by_check
    assert all(f.leaf_index is not None for f in raised.value.failures)


@pytest.mark.parametrize(
    ("desc", "doc"),
    [
        ("not-json", b"{"),
        ("no-entries", render({"checkpoint": GOOD["checkpoint"], "entries": []})),
        ("no-checkpoint", render({"entries": GOOD["entries"]})),
        ("bad-hash-hex", render({**GOOD, "entries": [{**GOOD["entries"][0], "entry_hash": "AB"}]})),
        (
            "bad-inclusion",
            render({**GOOD, "entries": [{**GOOD["entries"][0], "inclusion": ["x"]}]}),
        ),
        ("short-proof", render({**GOOD, "entries": [{**GOOD["entries"][0], "inclusion": []}]})),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_malformed_documents(desc: str, doc: bytes) -> None:
    with pytest.raises(MalformedInput):
        verify_report_proof(doc, LOG_KEYS, WitnessPolicy())


def test_the_checkpoint_must_be_signed_and_witnessed() -> None:
    with pytest.raises(VerificationFailed) as raised:
        verify_report_proof(render({**GOOD, "checkpoint": LOG.notes[10]}), LOG_KEYS, POLICY)
    assert raised.value.check == 8
    with pytest.raises(VerificationFailed) as raised:
        verify_report_proof(render(GOOD), [OMBUDSMAN.verifier], WitnessPolicy())
    assert raised.value.check == 7


def test_an_entry_beyond_the_checkpoint_fails_check_10() -> None:
    small = FakeLog(entries=LOG.entries[:8])
    small.publish()
    doc = document(small, A, 8)
    doc["entries"].append({**LOG.entries[8], "inclusion": []})  # A v4 is leaf 8
    with pytest.raises(BundleVerificationFailed) as raised:
        verify_report_proof(render(doc), LOG_KEYS, WitnessPolicy(), report_id=A)
    assert raised.value.failures_by_check == {10: 1}
    assert "leaf index expected below 8 (the checkpoint's size), got 8" in raised.value.message


def test_the_documents_report_id_and_pending_count() -> None:
    doc = {**GOOD, "report_id": str(A), "pending": 2}
    summary = verify_report_proof(render(doc), LOG_KEYS, POLICY)
    assert (summary.report_id, summary.pending) == (A, 2)
    with pytest.raises(BundleVerificationFailed) as raised:
        verify_report_proof(render({**doc, "report_id": str(B)}), LOG_KEYS, POLICY, report_id=A)
    assert raised.value.failures_by_check == {4: 1}
    assert "report_id expected" in raised.value.failures[0].message
    with pytest.raises(MalformedInput, match="pending must be an integer"):
        verify_report_proof(render({**doc, "pending": -1}), LOG_KEYS, POLICY)
