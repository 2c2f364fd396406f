"""verify.log_audit and verify.client against an in-memory log serving the /v1/log contract."""

from __future__ import annotations

import json

import pytest

from tests.unit.verify.bundles import ORDER, A, C, stated_hash
from tests.unit.verify.fakelog import FakeLog, checkpoint_text
from tests.unit.verify.receipts import KID, LOG_KEYS, OMBUDSMAN
from verify.checkpoint import parse_checkpoint
from verify.client import PAGE_SIZE, LogClient, Response
from verify.errors import (
    BundleVerificationFailed,
    InputUnavailable,
    MalformedInput,
    VerificationFailed,
)
from verify.log_audit import audit_log
from verify.policy import WitnessPolicy

POLICY = WitnessPolicy.of([OMBUDSMAN.verifier, KID.verifier], 2)


def log_of(count: int) -> FakeLog:
    log = FakeLog()
    for i in range(count):
        log.append(ORDER[i % len(ORDER)])
    log.publish()
    return log


def test_full_audit_downloads_every_page_and_recomputes_the_root() -> None:
    log = log_of(PAGE_SIZE + 7)
    calls: list[tuple[int, int]] = []
    audit = audit_log(
        LogClient(log.fetch),
        LOG_KEYS,
        WitnessPolicy(),
        full=True,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert audit.entries is not None
    assert (audit.entries.entries, audit.entries.streams) == (PAGE_SIZE + 7, 3)
    assert calls[-1] == (PAGE_SIZE + 7, PAGE_SIZE + 7)
    assert audit.to_dict()["tree_size"] == PAGE_SIZE + 7


def test_a_rewritten_entry_is_named_and_the_root_mismatch_reported() -> None:
    log = log_of(10)
    log.entries[4]["recorded_at_us"] -= 3_600_000_000
    with pytest.raises(BundleVerificationFailed, match="in the log of 10 entries") as raised:
        audit_log(LogClient(log.fetch), LOG_KEYS, WitnessPolicy(), full=True)
    assert [(f.check, f.leaf_index) for f in raised.value.failures] == [(2, 4), (6, None)]
    assert "Merkle root expected" in raised.value.failures[1].message


def test_a_careful_rewrite_that_recomputes_hashes_fails_only_the_root() -> None:
    log = log_of(10)
    last = log.entries[9]  # the last entry of its report: no later link to break
    last["payload"] = "e30="
    last["entry_hash"] = stated_hash(last).hex()
    with pytest.raises(BundleVerificationFailed) as raised:
        audit_log(LogClient(log.fetch), LOG_KEYS, WitnessPolicy(), full=True)
    assert raised.value.failures_by_check == {6: 1}


def test_consistency_with_the_saved_checkpoint() -> None:
    log = log_of(5)
    saved = parse_checkpoint(checkpoint_text(log.leaves))
    log.append(A, 4)
    log.publish()
    audit = audit_log(LogClient(log.fetch), LOG_KEYS, WitnessPolicy(), saved=saved)
    assert audit.to_dict()["consistent_with"] == {"tree_size": 5, "root": saved.root_hash.hex()}
    other = log_of(4)
    other.append(C, 5)
    other.publish()
    with pytest.raises(VerificationFailed, match="not consistent") as raised:
        audit_log(LogClient(other.fetch), LOG_KEYS, WitnessPolicy(), saved=saved)
    assert raised.value.check == 9


def test_with_a_policy_the_newest_witnessed_checkpoint_is_audited() -> None:
    log = log_of(5)
    log.cosign(5, OMBUDSMAN)
    log.cosign(5, KID)
    log.append(A)
    log.publish()  # size 6, not cosigned yet
    audit = audit_log(LogClient(log.fetch), LOG_KEYS, POLICY)
    assert audit.checkpoint.checkpoint.tree_size == 5
    bare = log_of(3)
    with pytest.raises(VerificationFailed, match="got 0") as raised:
        audit_log(LogClient(bare.fetch), LOG_KEYS, POLICY)
    assert raised.value.check == 8


def answer(status: int, body: bytes) -> LogClient:
    return LogClient(lambda path: Response(status, body))


def test_the_contract_is_parsed_strictly() -> None:
    with pytest.raises(InputUnavailable, match="HTTP 500: boom") as raised:
        answer(500, b'{"detail": "boom"}').checkpoint()
    assert raised.value.status == 500
    with pytest.raises(MalformedInput, match="size1 expected 3"):
        answer(200, b'{"size1": 4, "size2": 5, "hashes": []}').consistency_proof(3, 5)
    bad_hash = json.dumps({"size1": 3, "size2": 5, "hashes": ["AAAA"]}).encode()
    with pytest.raises(MalformedInput, match="hashes\\[0\\] must be 32 bytes"):
        answer(200, bad_hash).consistency_proof(3, 5)
    with pytest.raises(MalformedInput, match="entry lines expected 1 to 2, got 0"):
        list(answer(200, b"").entries(0, 2))
    with pytest.raises(MalformedInput, match="not UTF-8"):
        answer(200, b"\xff").checkpoint()
    log = log_of(2)
    broken = LogClient(
        lambda path: Response(200, b'{"kind": "end"}\n') if "entries" in path else log.fetch(path)
    )
    with pytest.raises(MalformedInput, match="line 1 of the download: kind expected 'entry'"):
        audit_log(broken, LOG_KEYS, WitnessPolicy(), full=True)


def test_a_lagging_replica_is_consistent_but_older() -> None:
    log = log_of(8)
    saved = parse_checkpoint(checkpoint_text(log.leaves))
    replica = log_of(5)
    for i in range(5, 8):
        replica.append(ORDER[i % len(ORDER)])  # the entries are there, the checkpoint lags
    audit = audit_log(LogClient(replica.fetch), LOG_KEYS, WitnessPolicy(), saved=saved)
    assert audit.checkpoint.checkpoint.tree_size == 5
