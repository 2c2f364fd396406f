"""Witness cosignatures on real backends: accepted, forged, inconsistent, split view, quorum."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.application import LedgerApplication
from ledger.tlog import (
    CheckpointTimeout,
    ForgedCosignature,
    InconsistentCosignature,
    MalformedCosignature,
    SignedCheckpoint,
    TransparencyLog,
    UnknownCheckpoint,
    UnknownWitness,
)
from ledger.tlog.checkpoint import CheckpointBody
from ledger.tlog.notes import COSIGNATURE_V1, cosign, parse_signature_line, signature_line
from ledger.tlog.notes import verifier_key as make_vkey
from tests.conftest import TEST_ORIGIN
from tests.integration.ledgers import submit_complaint
from tests.integration.test_tlog_backends import PostgresBackend, SQLiteBackend, TlogBackend
from verify.checkpoint import verify_checkpoint
from verify.note import parse_vkey, verify_note

OMBUDSMAN, KID, STRANGER = "ombudsman.go.id/witness", "komisiinformasi.go.id/witness", "x.example"
T = 1_767_225_600  # 2026-01-01T00:00:00Z


class Witness:
    """A test witness: a name and an Ed25519 key, cosigning whatever it is shown."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.key = Ed25519PrivateKey.generate()
        public = self.key.public_key().public_bytes_raw()
        self.vkey = make_vkey(name, COSIGNATURE_V1, public).vkey

    def line(self, checkpoint: SignedCheckpoint | str, at: int = T) -> str:
        text = checkpoint if isinstance(checkpoint, str) else checkpoint.text
        return cosign(text, self.name, self.key, at)

    def cosigned(self, checkpoint: SignedCheckpoint, at: int = T) -> str:
        return checkpoint.note + self.line(checkpoint, at) + "\n"


def published(tlog: TransparencyLog, app: LedgerApplication, reports: int) -> SignedCheckpoint:
    for _ in range(reports):
        submit_complaint(app)
    checkpoint = tlog.publish_once()
    assert checkpoint is not None
    return checkpoint


class WitnessBehaviour(TlogBackend):
    @pytest.fixture
    def ombudsman(self) -> Witness:
        return Witness(OMBUDSMAN)

    @pytest.fixture
    def kid(self) -> Witness:
        return Witness(KID)

    @pytest.fixture
    def tlog(
        self, app: LedgerApplication, key_dir: Path, ombudsman: Witness, kid: Witness
    ) -> TransparencyLog:
        return self.open_tlog(app, key_dir, [ombudsman.vkey, kid.vkey], quorum=2)

    def test_a_quorum_of_valid_cosignatures_witnesses_a_checkpoint(
        self, app: LedgerApplication, tlog: TransparencyLog, ombudsman: Witness, kid: Witness
    ) -> None:
        checkpoint = published(tlog, app, 3)
        assert tlog.latest_witnessed_checkpoint() is None
        first = tlog.accept_cosignature(ombudsman.cosigned(checkpoint), OMBUDSMAN)
        assert (first.witness, first.tree_size, first.timestamp) == (OMBUDSMAN, 3, T)
        assert tlog.latest_witnessed_checkpoint() is None  # 1 of 2
        tlog.accept_cosignature(kid.line(checkpoint, T + 5), KID)  # a bare line for our note
        assert tlog.latest_witnessed_checkpoint() == checkpoint
        note = tlog.cosigned_note(checkpoint)
        log_keys = [parse_vkey(v) for v in tlog.vkeys()]
        verify_checkpoint(note, log_keys, origin=TEST_ORIGIN)
        witnessed = verify_note(note, [parse_vkey(ombudsman.vkey), parse_vkey(kid.vkey)])
        assert sorted((s.name, s.timestamp) for s in witnessed.signatures) == [
            (KID, T + 5),
            (OMBUDSMAN, T),
        ]
        again = tlog.accept_cosignature(ombudsman.cosigned(checkpoint, T + 9), OMBUDSMAN)
        assert again == first  # the first cosignature of a checkpoint is kept

    def test_forged_and_unknown_cosignatures_are_refused(
        self, app: LedgerApplication, tlog: TransparencyLog, ombudsman: Witness
    ) -> None:
        checkpoint = published(tlog, app, 2)
        name, kid, raw = parse_signature_line(ombudsman.line(checkpoint))
        retimed = signature_line(name, kid, (T + 1).to_bytes(8, "big") + raw[8:])
        flipped = signature_line(name, kid, raw[:-1] + bytes([raw[-1] ^ 1]))
        for line in (retimed, flipped):
            with pytest.raises(ForgedCosignature, match="does not verify"):
                tlog.accept_cosignature(checkpoint.note + line + "\n", OMBUDSMAN)
        impostor = Witness(OMBUDSMAN)  # same name, a key that is not configured
        with pytest.raises(UnknownWitness, match=f"key id expected {kid.hex()}"):
            tlog.accept_cosignature(impostor.cosigned(checkpoint), OMBUDSMAN)
        with pytest.raises(UnknownWitness, match="x\\.example"):
            tlog.accept_cosignature(Witness(STRANGER).cosigned(checkpoint), STRANGER)
        with pytest.raises(MalformedCosignature, match="no signature line by witness"):
            tlog.accept_cosignature(checkpoint.note, OMBUDSMAN)
        other = CheckpointBody("other.example/log", 2, checkpoint.root).text
        with pytest.raises(UnknownCheckpoint, match=r"got 'other\.example/log' at size 2"):
            tlog.accept_cosignature(other + "\n" + ombudsman.line(other) + "\n", OMBUDSMAN)
        unsigned = CheckpointBody(TEST_ORIGIN, 1, tlog.root(1)).text
        with pytest.raises(UnknownCheckpoint, match="at size 1"):
            tlog.accept_cosignature(unsigned + "\n" + ombudsman.line(unsigned) + "\n", OMBUDSMAN)
        assert tlog.latest_witnessed_checkpoint() is None
        assert tlog.cosigned_note(checkpoint) == checkpoint.note

    def test_a_witness_only_moves_forward_along_consistent_checkpoints(
        self, app: LedgerApplication, tlog: TransparencyLog, url: str, ombudsman: Witness
    ) -> None:
        three = published(tlog, app, 3)
        five = published(tlog, app, 2)
        tlog.accept_cosignature(ombudsman.cosigned(five), OMBUDSMAN)
        with pytest.raises(InconsistentCosignature, match="expected at least 5, got 3"):
            tlog.accept_cosignature(ombudsman.cosigned(three), OMBUDSMAN)
        seven = published(tlog, app, 2)
        # leaf 5 is in the consistency proof from 5 to 7; changing it breaks the proof
        self.tamper(
            url,
            [
                "UPDATE tlog_nodes SET hash = (SELECT hash FROM tlog_nodes WHERE level = 0"
                " AND idx = 0) WHERE level = 0 AND idx = 5"
            ],
        )
        with pytest.raises(InconsistentCosignature, match="cosigned size 5 before"):
            tlog.accept_cosignature(ombudsman.cosigned(seven), OMBUDSMAN)
        assert tlog.latest_witnessed_checkpoint() is None

    def test_split_view_is_refused(
        self,
        app: LedgerApplication,
        tlog: TransparencyLog,
        key_dir: Path,
        other_url: str,
        url: str,
        tmp_path: Path,
        ombudsman: Witness,
        kid: Witness,
    ) -> None:
        shared = published(tlog, app, 3)
        tlog.accept_cosignature(ombudsman.cosigned(shared), OMBUDSMAN)
        copy_app = self.copy_log(url, other_url, tmp_path)
        try:
            copy = self.open_tlog(copy_app, key_dir, [ombudsman.vkey, kid.vkey], 2)
            assert copy.latest_checkpoint() == shared  # same origin, same key, same history
            view_a = published(tlog, app, 2)
            view_b = published(copy, copy_app, 2)
            log_keys = [parse_vkey(v) for v in tlog.vkeys()]
            a = verify_checkpoint(view_a.note, log_keys, origin=TEST_ORIGIN).checkpoint
            b = verify_checkpoint(view_b.note, log_keys, origin=TEST_ORIGIN).checkpoint
            assert (a.tree_size, b.tree_size) == (5, 5) and a.root_hash != b.root_hash
            tlog.accept_cosignature(ombudsman.cosigned(view_a), OMBUDSMAN)
            with pytest.raises(InconsistentCosignature, match=f"split view.*{view_b.root.hex()}"):
                tlog.accept_cosignature(ombudsman.cosigned(view_b), OMBUDSMAN)
            longer_b = published(copy, copy_app, 1)
            with pytest.raises(UnknownCheckpoint, match="at size 6"):
                tlog.accept_cosignature(ombudsman.cosigned(longer_b), OMBUDSMAN)
            with pytest.raises(InconsistentCosignature, match="split view"):
                copy.accept_cosignature(ombudsman.cosigned(view_a), OMBUDSMAN)
            assert tlog.cosigned_note(view_a).count(OMBUDSMAN) == 1
        finally:
            copy_app.close()

    def test_receipts_prefer_the_latest_witnessed_checkpoint(
        self, app: LedgerApplication, tlog: TransparencyLog, ombudsman: Witness, kid: Witness
    ) -> None:
        three = published(tlog, app, 3)
        for witness in (ombudsman, kid):
            tlog.accept_cosignature(witness.cosigned(three), witness.name)
        five = published(tlog, app, 2)
        tlog.accept_cosignature(ombudsman.cosigned(five), OMBUDSMAN)
        assert tlog.latest_witnessed_checkpoint() == three
        early, late = tlog.tlog_proof(1), tlog.tlog_proof(4)
        assert early.endswith(tlog.cosigned_note(three)) and KID in early
        assert late.endswith(tlog.cosigned_note(five)) and KID not in late
        with pytest.raises(CheckpointTimeout):
            tlog.wait_for_checkpoint(5, 0.05)


class TestSQLiteWitness(WitnessBehaviour, SQLiteBackend):
    pass


class TestPostgresWitness(WitnessBehaviour, PostgresBackend):
    pass
