"""verify.note and verify.checkpoint beyond the shared examples: cosignatures and refusals."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from verify.checkpoint import parse_checkpoint, verify_checkpoint
from verify.errors import MalformedInput, VerificationError, VerificationFailed
from verify.note import (
    COSIGNATURE_V1,
    ED25519,
    VerifierKey,
    key_id,
    parse_note,
    parse_vkey,
    verified_signatures,
    verify_note,
)

LOG = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
WITNESS = Ed25519PrivateKey.from_private_bytes(bytes(range(32, 64)))
ORIGIN = "lapor.go.id/ledger"
ROOT = base64.b64encode(bytes(range(32))).decode()
BODY = f"{ORIGIN}\n20852163\n{ROOT}\n"
TIME = 1_679_315_147
SPEC_KEY = "AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"  # c2sp.org/signed-note's example


def verifier(private: Ed25519PrivateKey, name: str, sig_type: int) -> VerifierKey:
    public = private.public_key().public_bytes_raw()
    return VerifierKey(name, key_id(name, sig_type, public), sig_type, public)


def vkey(key: VerifierKey) -> str:
    material = base64.b64encode(bytes((key.sig_type,)) + key.public_key).decode()
    return f"{key.name}+{key.key_id.hex()}+{material}"


def line(key: VerifierKey, raw: bytes) -> str:
    return f"\u2014 {key.name} {base64.b64encode(key.key_id + raw).decode()}\n"


LOG_KEY = verifier(LOG, ORIGIN, ED25519)
WITNESS_KEY = verifier(WITNESS, "witness.ombudsman.go.id/w1", COSIGNATURE_V1)
LOG_LINE = line(LOG_KEY, LOG.sign(BODY.encode()))
COSIGNED = f"cosignature/v1\ntime {TIME}\n{BODY}".encode()
WITNESS_LINE = line(WITNESS_KEY, TIME.to_bytes(8, "big") + WITNESS.sign(COSIGNED))
NOTE = f"{BODY}\n{LOG_LINE}{WITNESS_LINE}"


def test_log_signature_and_cosignature_verify() -> None:
    verified = verify_note(NOTE, [LOG_KEY, WITNESS_KEY])
    assert verified.text == BODY
    assert [(s.name, s.sig_type, s.timestamp) for s in verified.signatures] == [
        (ORIGIN, ED25519, None),
        (WITNESS_KEY.name, COSIGNATURE_V1, TIME),
    ]


def test_vkeys_round_trip() -> None:
    assert parse_vkey(vkey(LOG_KEY)) == LOG_KEY
    assert parse_vkey(vkey(WITNESS_KEY)) == WITNESS_KEY


def test_unknown_keys_are_ignored() -> None:
    assert [s.name for s in verified_signatures(parse_note(NOTE), [WITNESS_KEY])] == [
        WITNESS_KEY.name
    ]
    same_key_other_type = verifier(WITNESS, WITNESS_KEY.name, ED25519)
    assert verified_signatures(parse_note(NOTE), [same_key_other_type]) == ()


def test_cosignature_with_a_changed_timestamp_fails() -> None:
    forged = line(WITNESS_KEY, (TIME + 1).to_bytes(8, "big") + WITNESS.sign(COSIGNED))
    with pytest.raises(VerificationFailed, match="does not verify"):
        verify_note(f"{BODY}\n{LOG_LINE}{forged}", [LOG_KEY, WITNESS_KEY])


def test_a_failing_known_signature_rejects_the_note_even_if_another_verifies() -> None:
    bad = line(LOG_KEY, LOG.sign(b"another text"))
    with pytest.raises(VerificationFailed):
        verify_note(f"{BODY}\n{bad}{WITNESS_LINE}", [LOG_KEY, WITNESS_KEY])


def test_checkpoint_verifies_under_the_key_named_after_its_origin() -> None:
    signed = verify_checkpoint(NOTE, [LOG_KEY, WITNESS_KEY], origin=ORIGIN)
    assert signed.checkpoint.tree_size == 20852163
    assert [s.name for s in signed.signatures] == [ORIGIN]
    with pytest.raises(VerificationFailed, match="origin"):
        verify_checkpoint(NOTE, [LOG_KEY], origin="other.example/log")
    with pytest.raises(VerificationFailed, match="no trusted log key"):
        verify_checkpoint(NOTE, [WITNESS_KEY])


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(BODY, id="no-signatures"),
        pytest.param(f"{BODY}\n{LOG_LINE}".rstrip("\n"), id="no-final-newline"),
        pytest.param(f"{BODY}\n- {ORIGIN} AAAAAAA=\n", id="hyphen-not-em-dash"),
        pytest.param(f"{BODY}\n\u2014 {ORIGIN} !!!\n", id="bad-base64"),
        pytest.param(f"{BODY}\n\u2014 {ORIGIN} AAAA\n", id="signature-too-short"),
        pytest.param(f"{BODY}\n\u2014 a+b AAAAAAA=\n", id="plus-in-key-name"),
        pytest.param(f"{BODY}\x07\n{LOG_LINE}", id="control-character"),
        pytest.param(f"{BODY}\n" + LOG_LINE * 101, id="too-many-signatures"),
    ],
)
def test_malformed_notes(text: str) -> None:
    with pytest.raises(MalformedInput):
        parse_note(text)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("example.com/foo+530d903a", id="two-parts"),
        pytest.param(
            "example.com/foo+530D903A+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", id="upper-hex"
        ),
        pytest.param(
            "example.com/foo+00000000+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", id="wrong-id"
        ),
        pytest.param(
            "example.com/foo+530d903a+AkyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", id="bad-key"
        ),
    ],
)
def test_malformed_vkeys(value: str) -> None:
    with pytest.raises(MalformedInput):
        parse_vkey(value)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(f"{ORIGIN}\n20852163\n", id="two-lines"),
        pytest.param(f"{ORIGIN}\n020852163\n{ROOT}\n", id="leading-zero"),
        pytest.param(f"{ORIGIN}\n+5\n{ROOT}\n", id="signed-size"),
        pytest.param(f"{ORIGIN}\n18446744073709551616\n{ROOT}\n", id="size-beyond-u64"),
        pytest.param(f"{ORIGIN}\n5\n{ROOT[:-4]}\n", id="short-root"),
        pytest.param(f"{ORIGIN}\n5\n{ROOT}\n\n", id="empty-extension-line"),
        pytest.param(f"{ORIGIN}\n5\n{ROOT}", id="no-final-newline"),
    ],
)
def test_malformed_checkpoints(text: str) -> None:
    with pytest.raises(MalformedInput):
        parse_checkpoint(text)


def test_checkpoint_extension_lines_are_kept() -> None:
    checkpoint = parse_checkpoint(f"{ORIGIN}\n0\n{ROOT}\nextension one\n")
    assert (checkpoint.tree_size, checkpoint.extensions) == (0, ("extension one",))


def test_errors_share_one_family() -> None:
    assert issubclass(MalformedInput, VerificationError)
    assert issubclass(VerificationFailed, VerificationError)
