"""verify.since: check 9, the saved checkpoint file and its atomic replacement."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from tests.unit.verify.bundles import ORIGIN, A, B, C, sign_note
from tests.unit.verify.fakelog import FakeLog, checkpoint_text, subproof
from tests.unit.verify.receipts import LOG_KEYS
from verify.checkpoint import Checkpoint, parse_checkpoint
from verify.errors import InputUnavailable, MalformedInput, VerificationFailed
from verify.merkle import EMPTY_ROOT
from verify.since import (
    check_consistency,
    check_prefix_root,
    load_saved,
    needs_consistency_proof,
    save_checkpoint,
)


def grown(count: int) -> FakeLog:
    log = FakeLog()
    for i in range(count):
        log.append((A, B, C)[i % 3])
    return log


def at(log: FakeLog, size: int) -> Checkpoint:
    return parse_checkpoint(checkpoint_text(log.leaves[:size]))


def test_consistent_growth_passes_for_every_pair_of_sizes() -> None:
    log = grown(12)
    for m in range(13):
        for n in range(m, 13):
            proof = (
                subproof(m, log.leaves[:n], True)
                if needs_consistency_proof(at(log, m), at(log, n))
                else []
            )
            check_consistency(at(log, m), at(log, n), proof)


def test_a_split_view_at_the_same_size_names_both_roots() -> None:
    a, b = grown(5), grown(4)
    b.append(C)  # same first four leaves, another fifth
    saved, other = at(a, 5), at(b, 5)
    with pytest.raises(VerificationFailed, match="split view") as raised:
        check_consistency(saved, other, [])
    message = raised.value.message
    assert saved.root_hash.hex() in message and other.root_hash.hex() in message
    assert "size 5" in message and raised.value.check == 9


def test_a_rewritten_past_fails_the_consistency_proof() -> None:
    a, b = grown(6), grown(3)
    b.append(C)  # leaf 3 differs
    b.append(A)
    b.append(B)
    b.append(C)
    proof = subproof(4, b.leaves, True)
    with pytest.raises(VerificationFailed, match="saved checkpoint \\(size 4") as raised:
        check_consistency(at(a, 4), at(b, 7), proof)
    assert raised.value.check == 9


def test_an_older_checkpoint_must_be_a_prefix_of_the_saved_one() -> None:
    log, other = grown(6), grown(3)
    other.append(C)
    check_consistency(at(log, 6), at(log, 4), subproof(4, log.leaves, True))  # a stale view
    with pytest.raises(VerificationFailed, match="is not consistent with the saved") as raised:
        check_consistency(at(log, 6), at(other, 4), subproof(4, log.leaves, True))
    assert raised.value.check == 9
    with pytest.raises(MalformedInput, match="from size 4 to 6 is empty"):
        check_consistency(at(log, 6), at(log, 4), [])


def test_other_origin_and_bad_proof_shapes() -> None:
    log = grown(6)
    other = Checkpoint("x.example/log", 6, at(log, 6).root_hash)
    with pytest.raises(VerificationFailed, match="origin expected"):
        check_consistency(at(log, 3), other, [])
    with pytest.raises(MalformedInput, match="expected 0 hashes, got 1"):
        check_consistency(at(log, 6), at(log, 6), [bytes(32)])
    with pytest.raises(MalformedInput, match="expected 4 hashes, got 2"):
        check_consistency(at(log, 3), at(log, 6), subproof(3, log.leaves, True)[:2])
    with pytest.raises(VerificationFailed, match="empty tree's root"):
        check_consistency(Checkpoint(ORIGIN, 0, bytes(32)), at(log, 6), [])
    check_consistency(Checkpoint(ORIGIN, 0, EMPTY_ROOT), at(log, 6), [])


def test_prefix_root_for_bundles() -> None:
    log = grown(8)
    check_prefix_root(at(log, 5), at(log, 8), at(log, 5).root_hash, 8)
    check_prefix_root(at(log, 5), at(log, 3), at(log, 5).root_hash, 8)  # a stale checkpoint
    with pytest.raises(VerificationFailed, match="root of the first 5 entries expected"):
        check_prefix_root(at(log, 5), at(log, 8), at(log, 4).root_hash, 8)
    with pytest.raises(VerificationFailed, match="entries expected at least 9, the bundle holds 8"):
        check_prefix_root(Checkpoint(ORIGIN, 9, bytes(32)), at(log, 8), None, 8)


def test_saved_file_round_trip_and_first_use(tmp_path: Path) -> None:
    path = tmp_path / "auditor" / "last.checkpoint"
    path.parent.mkdir()
    assert load_saved(path, LOG_KEYS) is None
    note = sign_note(checkpoint_text(grown(4).leaves))
    save_checkpoint(path, note)
    assert path.read_text() == note
    saved = load_saved(path, LOG_KEYS)
    assert saved is not None and saved.checkpoint.tree_size == 4
    assert [p.name for p in path.parent.iterdir()] == ["last.checkpoint"]  # no temporary left


def test_a_damaged_or_unsigned_saved_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "last.checkpoint"
    path.write_bytes(b"\xff")
    with pytest.raises(MalformedInput, match="not UTF-8"):
        load_saved(path, LOG_KEYS)
    text = checkpoint_text(grown(4).leaves)
    path.write_text(
        text + "\n\u2014 lapor.go.id/ledger " + base64.b64encode(bytes(68)).decode() + "\n"
    )
    with pytest.raises(VerificationFailed, match="saved checkpoint"):
        load_saved(path, LOG_KEYS)
    path.write_text(text)
    with pytest.raises(MalformedInput, match=f"saved checkpoint {path}"):
        load_saved(path, LOG_KEYS)


def test_a_file_that_cannot_be_written_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(InputUnavailable, match="cannot write"):
        save_checkpoint(tmp_path / "missing" / "last.checkpoint", "x\n")
