"""The transparency log on real backends: integrate, sign, prove, refuse, rotate, wait, receipts.

Everything the log hands out is checked with the independent verifier (verify/).
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from ledger.application import LedgerApplication
from ledger.tlog import (
    CheckpointNotFound,
    CheckpointTimeout,
    InconsistentTree,
    SignedCheckpoint,
    TlogPublisher,
    TransparencyLog,
    TreeNotIntegrated,
    integration,
)
from ledger.tlog.keys import LogKeys, add_key, retire_key
from tests.conftest import TEST_ORIGIN
from tests.integration.ledgers import (
    WBS_BODY,
    WBS_REPORTER,
    handle_fully,
    submit_complaint,
    submit_wbs,
)
from tests.integration.test_tlog_backends import PostgresBackend, SQLiteBackend, TlogBackend
from verify.checkpoint import verify_checkpoint
from verify.entry import decode_entry
from verify.errors import VerificationFailed
from verify.merkle import EMPTY_ROOT, leaf_hash, root_of, verify_consistency, verify_inclusion
from verify.note import VerifierKey, parse_vkey


def trusted(tlog: TransparencyLog) -> list[VerifierKey]:
    return [parse_vkey(v) for v in tlog.vkeys()]


def overwrite_node(level: int, index: int) -> str:
    """SQL that replaces a stored node by the hash of leaf 0 (both backends)."""
    return (
        "UPDATE tlog_nodes SET hash = (SELECT hash FROM tlog_nodes WHERE level = 0 AND idx = 0)"
        f" WHERE level = {level} AND idx = {index}"
    )


def hashes(app: LedgerApplication) -> list[bytes]:
    return [e.entry_hash for e in app.iter_entries()]


@dataclass
class Receipt:
    extra: bytes
    index: int
    proof: list[bytes]
    note: str


def parse_receipt(text: str) -> Receipt:
    """Read a c2sp.org/tlog-proof@v1 as the specification lays it out."""
    head, note = text.split("\n\n", 1)
    lines = head.split("\n")
    assert lines[0] == "c2sp.org/tlog-proof@v1"
    assert lines[1].startswith("extra ") and lines[2].startswith("index ")
    proof = [base64.b64decode(line, validate=True) for line in lines[3:]]
    extra = base64.b64decode(lines[1].removeprefix("extra "), validate=True)
    return Receipt(extra, int(lines[2].removeprefix("index ")), proof, note)


class LogBehaviour(TlogBackend):
    def test_publish_signs_a_checkpoint_that_verifies(
        self, app: LedgerApplication, key_dir: Path
    ) -> None:
        tlog = self.open_tlog(app, key_dir)
        empty = tlog.publish_once()
        assert empty is not None and (empty.tree_size, empty.root) == (0, EMPTY_ROOT)
        rid = submit_complaint(app)
        submit_wbs(app)
        handle_fully(app, rid)
        checkpoint = tlog.publish_once()
        assert checkpoint is not None
        signed = verify_checkpoint(checkpoint.note, trusted(tlog), origin=TEST_ORIGIN)
        leaves = hashes(app)
        assert signed.checkpoint.tree_size == len(leaves) == 6
        assert signed.checkpoint.root_hash == root_of(leaves) == checkpoint.root == tlog.root(6)
        assert tlog.publish_once() is None
        assert tlog.latest_checkpoint() == checkpoint == tlog.checkpoint(6)
        assert tlog.checkpoint(0) == empty

    def test_proofs_from_the_stored_tree(
        self, app: LedgerApplication, key_dir: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(integration, "BATCH", 3)  # several integration transactions
        tlog = self.open_tlog(app, key_dir)
        signed: list[SignedCheckpoint] = []
        for _ in range(4):
            submit_complaint(app)
            signed.append(_published(tlog))
        handle_fully(app, submit_wbs(app))
        signed.append(_published(tlog))
        leaves = hashes(app)
        assert [c.tree_size for c in signed] == [1, 2, 3, 4, 9] and len(leaves) == 9
        for size in range(1, len(leaves) + 1):
            root = root_of(leaves[:size])
            assert tlog.root(size) == root
            for index in range(size):
                proof = tlog.inclusion_proof(index, size)
                verify_inclusion(index, size, leaves[index], proof, root)
        for old in signed:
            for new in signed:
                if old.tree_size <= new.tree_size:
                    proof = tlog.consistency_proof(old.tree_size, new.tree_size)
                    verify_consistency(old.tree_size, new.tree_size, proof, old.root, new.root)
        assert [tlog.leaf_index_for_hash(h) for h in leaves] == list(range(9))
        with pytest.raises(KeyError, match="00" * 32):
            tlog.leaf_index_for_hash(bytes(32))
        with pytest.raises(TreeNotIntegrated):
            tlog.inclusion_proof(0, 10)

    @pytest.mark.parametrize(
        ("signed_size", "integrate_more", "statements"),
        [
            pytest.param(3, False, [overwrite_node(1, 0)], id="node-under-the-signed-root"),
            pytest.param(3, True, [overwrite_node(2, 0)], id="node-of-the-new-tree"),
            pytest.param(
                4,
                False,
                [
                    "DELETE FROM tlog_nodes WHERE (idx + 1) * (1 << level) > 2",
                    lambda backend: backend.overwrite_entry_hash(2),
                ],
                id="rewritten-suffix",
            ),
        ],
    )
    def test_refuses_to_sign_a_tree_that_does_not_extend_its_last_checkpoint(
        self,
        app: LedgerApplication,
        key_dir: Path,
        url: str,
        signed_size: int,
        integrate_more: bool,
        statements: list[str | Callable[[TlogBackend], str]],
    ) -> None:
        tlog = self.open_tlog(app, key_dir)
        for _ in range(signed_size):
            submit_complaint(app)
        last = _published(tlog)
        submit_complaint(app)
        if integrate_more:
            assert tlog.integrate() == signed_size + 1
        integrated = tlog.integrated_size()
        self.tamper(url, [s if isinstance(s, str) else s(self) for s in statements])
        for _ in range(2):  # and it keeps refusing
            expected = f"signed at size {signed_size} \\(root {last.root.hex()}\\)"
            with pytest.raises(InconsistentTree, match=expected):
                tlog.publish_once()
        assert tlog.latest_checkpoint() == last
        assert tlog.integrated_size() <= integrated

    def test_key_rotation_keeps_every_checkpoint_verifiable(
        self, app: LedgerApplication, key_dir: Path, tmp_path: Path
    ) -> None:
        tlog = self.open_tlog(app, key_dir)
        (old,) = tlog.vkeys()
        submit_complaint(app)
        before = _published(tlog)
        new = add_key(key_dir, TEST_ORIGIN)  # `keys rotate`: both keys sign
        submit_complaint(app)
        during = _published(tlog)
        retire_key(key_dir, TEST_ORIGIN, old.split("+")[1])  # `keys retire`
        submit_complaint(app)
        after = _published(tlog)
        assert tlog.vkeys() == [new, old]
        counts = [
            len(verify_checkpoint(c.note, trusted(tlog)).signatures)
            for c in (before, during, after)
        ]
        assert counts == [1, 2, 1]
        with pytest.raises(VerificationFailed, match="no signature by a trusted key"):
            verify_checkpoint(after.note, [parse_vkey(old)])
        with pytest.raises(VerificationFailed, match="no signature by a trusted key"):
            verify_checkpoint(before.note, [parse_vkey(new)])
        rogue = LogKeys.load(tmp_path / "rogue", TEST_ORIGIN, create=True)
        with pytest.raises(VerificationFailed, match="no signature by a trusted key"):
            verify_checkpoint(rogue.sign(after.text), trusted(tlog))

    def test_wait_for_checkpoint(self, app: LedgerApplication, key_dir: Path) -> None:
        tlog = self.open_tlog(app, key_dir)
        first = app.history(submit_complaint(app))[-1]
        with pytest.raises(CheckpointTimeout, match=f"leaf {first.leaf_index} expected"):
            tlog.wait_for_checkpoint(first.leaf_index, 0.3)
        woken: list[SignedCheckpoint] = []
        waiter = threading.Thread(target=lambda: woken.append(tlog.wait_for_checkpoint(0, 10)))
        waiter.start()
        time.sleep(0.1)
        tlog.publish_once()
        waiter.join(5)
        assert [c.tree_size for c in woken] == [1]
        publisher = TlogPublisher(tlog, 0.05)
        publisher.start()
        try:
            entry = app.history(submit_complaint(app))[-1]
            checkpoint = tlog.wait_for_checkpoint(entry.leaf_index, 10)
        finally:
            publisher.stop()
        assert not publisher.running and publisher.failure is None
        proof = tlog.inclusion_proof(entry.leaf_index, checkpoint.tree_size)
        verify_inclusion(
            entry.leaf_index, checkpoint.tree_size, entry.entry_hash, proof, checkpoint.root
        )

    def test_publisher_stops_when_the_log_refuses_to_sign(
        self, app: LedgerApplication, key_dir: Path, url: str
    ) -> None:
        tlog = self.open_tlog(app, key_dir)
        submit_complaint(app)
        submit_complaint(app)
        _published(tlog)
        self.tamper(url, [overwrite_node(1, 0)])
        submit_complaint(app)
        publisher = TlogPublisher(tlog, 0.05)
        publisher.start()
        deadline = time.monotonic() + 10
        while publisher.running and time.monotonic() < deadline:
            time.sleep(0.05)
        publisher.stop()
        assert isinstance(publisher.failure, InconsistentTree)
        assert tlog.latest_checkpoint().tree_size == 2

    def test_tlog_proof_receipt(self, app: LedgerApplication, key_dir: Path) -> None:
        tlog = self.open_tlog(app, key_dir)
        rid = submit_wbs(app)
        submit_complaint(app)
        with pytest.raises(CheckpointNotFound):
            tlog.tlog_proof(0)
        _published(tlog)
        entry = app.history(rid)[0]
        receipt = parse_receipt(tlog.tlog_proof(entry.leaf_index))
        assert receipt.index == entry.leaf_index == 0
        fields = decode_entry(receipt.extra)
        assert (fields.stream_id, fields.stream_version, fields.origin) == (rid, 1, TEST_ORIGIN)
        assert leaf_hash(receipt.extra) == entry.entry_hash
        assert WBS_BODY.encode() not in receipt.extra
        assert WBS_REPORTER["name"].encode() not in receipt.extra
        signed = verify_checkpoint(receipt.note, trusted(tlog), origin=TEST_ORIGIN)
        cp = signed.checkpoint
        verify_inclusion(receipt.index, cp.tree_size, entry.entry_hash, receipt.proof, cp.root_hash)
        submit_complaint(app)
        with pytest.raises(CheckpointNotFound, match="leaf 2 expected in a signed checkpoint"):
            tlog.tlog_proof(2)


def _published(tlog: TransparencyLog) -> SignedCheckpoint:
    checkpoint = tlog.publish_once()
    assert checkpoint is not None
    return checkpoint


class TestSQLiteLog(LogBehaviour, SQLiteBackend):
    pass


class TestPostgresLog(LogBehaviour, PostgresBackend):
    pass
