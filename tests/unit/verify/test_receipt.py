"""verify.receipt: one correct tlog-proof, and mutations of it that must be refused."""

from __future__ import annotations

import base64
from collections.abc import Callable
from uuid import UUID

import pytest

from tests.unit.verify.bundles import ORIGIN, A, B, sign_note
from tests.unit.verify.fakelog import checkpoint_text
from tests.unit.verify.receipts import (
    KID,
    LOG_KEYS,
    OMBUDSMAN,
    WITNESS_KEYS,
    Receipt,
    entry_bytes,
    receipt_for,
    witnessed_log,
)
from verify.errors import MalformedInput, VerificationError, VerificationFailed
from verify.receipt import parse_tlog_proof, verify_receipt

LOG = witnessed_log()
GOOD = receipt_for(LOG, 2)  # report A, version 2
B64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def flip(raw: bytes, position: int = 0) -> bytes:
    return raw[:position] + bytes([raw[position] ^ 1]) + raw[position + 1 :]


def test_a_good_receipt_verifies_under_the_full_witness_policy() -> None:
    summary = verify_receipt(GOOD.render(), LOG_KEYS, WITNESS_KEYS, 2, report_id=A)
    assert (summary.entry.stream_id, summary.entry.stream_version, summary.entry.leaf_index) == (
        A,
        2,
        2,
    )
    assert summary.entry.event_type == "ledger.domain.report:Report.Event2"
    assert summary.checkpoint.checkpoint.tree_size == 10
    assert [s.name for s in summary.checkpoint.cosignatures] == sorted([KID.name, OMBUDSMAN.name])
    data = summary.to_dict()
    assert data["recorded_at"] == "2026-11-23T08:00:00.000002Z"
    assert data["checkpoint"]["log_signers"] == [ORIGIN]  # type: ignore[index]


def test_every_leaf_of_every_size_has_a_receipt_that_verifies() -> None:
    log = witnessed_log()
    for size in range(1, 11):
        log.entries, full = log.entries[:size], log.entries
        log.publish()
        log.entries = full
        for index in range(size):
            verify_receipt(receipt_for(log, index, size).render(), LOG_KEYS)


def test_bytes_input_and_no_witness_keys() -> None:
    assert verify_receipt(GOOD.render().encode(), LOG_KEYS).checkpoint.cosignatures == ()


def _cosigned_at_9() -> str:
    text = checkpoint_text(LOG.leaves[:9])
    lines = [witness.cosign(text, 1_767_225_600) for witness in (OMBUDSMAN, KID)]
    return sign_note(text) + "".join(f"{line}\n" for line in lines)


def _other_checkpoint(r: Receipt) -> Receipt:
    return r.but(note=_cosigned_at_9())


def _beyond_the_tree(r: Receipt) -> Receipt:
    return receipt_for(LOG, 9).but(note=_cosigned_at_9())


MUTATIONS: list[tuple[str, Callable[[Receipt], Receipt | str], type[VerificationError], int]] = [
    ("wrong-leaf", lambda r: r.but(extra=entry_bytes(LOG.entries[3])), VerificationFailed, 11),
    (
        "wrong-leaf-same-index",
        lambda r: r.but(extra=flip(r.extra or b"", len(r.extra or b"") - 2)),
        VerificationFailed,
        10,
    ),
    ("wrong-index", lambda r: r.but(index=3), VerificationFailed, 11),
    (
        "modified-proof",
        lambda r: r.but(proof=(flip(r.proof[0]), *r.proof[1:])),
        VerificationFailed,
        10,
    ),
    ("other-checkpoint", _other_checkpoint, VerificationFailed, 10),
    (
        "other-origin",
        lambda r: r.but(extra=entry_bytes(LOG.entries[2], "x.example/log")),
        VerificationFailed,
        11,
    ),
    ("proof-too-short", lambda r: r.but(proof=r.proof[:-1]), MalformedInput, 0),
    ("proof-too-long", lambda r: r.but(proof=(*r.proof, r.proof[0])), MalformedInput, 0),
    ("no-extra", lambda r: r.but(extra=None), MalformedInput, 0),
    ("extra-not-an-entry", lambda r: r.but(extra=(r.extra or b"") + b"\x00"), MalformedInput, 0),
    ("bad-header", lambda r: r.but(header="c2sp.org/tlog-proof@v2"), MalformedInput, 0),
    ("index-beyond-tree", _beyond_the_tree, MalformedInput, 0),
    ("trailing-garbage", lambda r: r.render() + "x", MalformedInput, 0),
    ("crlf", lambda r: r.render().replace("\n", "\r\n"), MalformedInput, 0),
    ("no-blank-line", lambda r: r.render().replace("\n\n", "\n", 1), MalformedInput, 0),
    ("index-leading-zero", lambda r: r.render().replace("index 2", "index 02"), MalformedInput, 0),
    ("index-negative", lambda r: r.render().replace("index 2", "index -2"), MalformedInput, 0),
    ("extra-whitespace", lambda r: r.render().replace("index 2", "index  2"), MalformedInput, 0),
    (
        "non-canonical-base64",
        lambda r: r.render().replace(
            base64.b64encode(r.proof[0]).decode(), base64.b64encode(r.proof[0]).decode()[:-2] + "B="
        ),
        MalformedInput,
        0,
    ),
    ("not-utf8", lambda r: r.render() + "\udcff", MalformedInput, 0),
]


@pytest.mark.parametrize(
    ("desc", "mutate", "want_err", "check"), MUTATIONS, ids=[m[0] for m in MUTATIONS]
)
def test_mutated_receipts_are_refused(
    desc: str,
    mutate: Callable[[Receipt], Receipt | str],
    want_err: type[VerificationError],
    check: int,
) -> None:
    mutated = mutate(GOOD)
    text = mutated.render() if isinstance(mutated, Receipt) else mutated
    data = text.encode("utf-8", "surrogateescape")
    with pytest.raises(want_err) as raised:
        verify_receipt(data, LOG_KEYS, WITNESS_KEYS, 2)
    if check:
        assert isinstance(raised.value, VerificationFailed) and raised.value.check == check


def test_the_report_id_must_match_when_given() -> None:
    with pytest.raises(VerificationFailed, match=f"report id\\) expected {B}, got {A}") as raised:
        verify_receipt(GOOD.render(), LOG_KEYS, report_id=B)
    assert raised.value.check == 11


def test_signatures_and_the_witness_policy() -> None:
    text = GOOD.render()
    with pytest.raises(VerificationFailed, match="no trusted log key") as raised:
        verify_receipt(text, [WITNESS_KEYS[0]])
    assert raised.value.check == 7
    alone = receipt_for(witnessed_log(), 2).but(note=LOG.notes[10] + LOG.cosignatures[10][0] + "\n")
    with pytest.raises(VerificationFailed, match="got 1") as raised:
        verify_receipt(alone.render(), LOG_KEYS, WITNESS_KEYS, 2)
    assert raised.value.check == 8
    assert verify_receipt(alone.render(), LOG_KEYS, WITNESS_KEYS, 1)


def test_every_one_byte_change_is_refused() -> None:
    """Flip each byte (XOR 1) and substitute each base64 or decimal character: never a pass."""
    data = GOOD.render().encode()
    for position in range(len(data)):
        variants = [flip(data, position)]
        char = chr(data[position])
        if char in B64_ALPHABET:
            replacement = B64_ALPHABET[(B64_ALPHABET.index(char) + 1) % 64]
            variants.append(data[:position] + replacement.encode() + data[position + 1 :])
        for variant in variants:
            with pytest.raises((MalformedInput, VerificationFailed)):
                verify_receipt(variant, LOG_KEYS, WITNESS_KEYS, 2)


def test_parse_keeps_the_parts() -> None:
    parsed = parse_tlog_proof(GOOD.render())
    assert (parsed.extra, parsed.index, parsed.proof) == (GOOD.extra, 2, GOOD.proof)
    assert parsed.note == GOOD.note
    assert parse_tlog_proof(GOOD.but(extra=None).render()).extra is None


def test_uuid_in_summary_is_the_report() -> None:
    assert isinstance(verify_receipt(GOOD.render(), LOG_KEYS).entry.stream_id, UUID)
