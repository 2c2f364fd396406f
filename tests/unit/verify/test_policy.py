"""verify.policy: checks 7 and 8, log key rotation and the witness quorum."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.unit.verify.bundles import ORIGIN, log_verifier_key, sign_note
from tests.unit.verify.receipts import KID, OMBUDSMAN
from verify.errors import MalformedInput, VerificationFailed
from verify.note import ED25519, VerifierKey, key_id
from verify.policy import QuorumNotMet, WitnessPolicy, accept_checkpoint
from verify.witness_key import WitnessKey

TEXT = f"{ORIGIN}\n4\n{base64.b64encode(bytes(32)).decode()}\n"
T = 1_767_225_600
NEW_LOG_KEY = Ed25519PrivateKey.generate()


def new_verifier() -> VerifierKey:
    public = NEW_LOG_KEY.public_key().public_bytes_raw()
    return VerifierKey(ORIGIN, key_id(ORIGIN, ED25519, public), ED25519, public)


def new_line(text: str = TEXT) -> str:
    signature = new_verifier().key_id + NEW_LOG_KEY.sign(text.encode())
    return f"\u2014 {ORIGIN} {base64.b64encode(signature).decode()}\n"


def cosigned(note: str, *witnesses: WitnessKey) -> str:
    return note + "".join(w.cosign(TEXT, T) + "\n" for w in witnesses)


OLD_ONLY = sign_note(TEXT)
BOTH = OLD_ONLY + new_line()  # during a rotation both keys sign
NEW_ONLY = f"{TEXT}\n{new_line()}"  # after the old key is retired


@pytest.mark.parametrize("note", [OLD_ONLY, BOTH, NEW_ONLY], ids=["before", "during", "after"])
def test_rotation_verifies_with_the_new_vkey_list(note: str) -> None:
    accepted = accept_checkpoint(note, [log_verifier_key(), new_verifier()], WitnessPolicy())
    assert accepted.checkpoint.tree_size == 4
    assert accepted.log_signers == [ORIGIN]


def test_an_old_verifier_still_accepts_checkpoints_signed_during_the_rotation() -> None:
    accepted = accept_checkpoint(BOTH, [log_verifier_key()], WitnessPolicy())
    assert len(accepted.log_signatures) == 1


def test_a_checkpoint_signed_only_by_an_unknown_key_is_refused() -> None:
    with pytest.raises(VerificationFailed, match="no signature by a trusted key") as raised:
        accept_checkpoint(NEW_ONLY, [log_verifier_key()], WitnessPolicy())
    assert raised.value.check == 7


def test_a_forged_signature_by_a_trusted_key_is_refused_even_beside_a_good_one() -> None:
    forged = OLD_ONLY + new_line(TEXT.replace("4", "5", 1))
    with pytest.raises(VerificationFailed, match="does not verify") as raised:
        accept_checkpoint(forged, [log_verifier_key(), new_verifier()], WitnessPolicy())
    assert raised.value.check == 7


def test_the_quorum_counts_distinct_valid_witnesses() -> None:
    policy = WitnessPolicy.of([OMBUDSMAN.verifier, KID.verifier], 2)
    accepted = accept_checkpoint(cosigned(OLD_ONLY, OMBUDSMAN, KID), [log_verifier_key()], policy)
    assert [s.name for s in accepted.cosignatures] == [KID.name, OMBUDSMAN.name]
    twice = cosigned(OLD_ONLY, OMBUDSMAN, OMBUDSMAN)
    with pytest.raises(QuorumNotMet, match="got 1 \\(ombudsman") as raised:
        accept_checkpoint(twice, [log_verifier_key()], policy)
    assert (raised.value.check, raised.value.expected, raised.value.actual) == (8, 2, 1)


def test_a_witness_with_two_keys_counts_once() -> None:
    rotated = WitnessKey.generate(OMBUDSMAN.name)
    policy = WitnessPolicy.of([OMBUDSMAN.verifier, rotated.verifier], None)
    assert (policy.quorum, policy.names) == (1, (OMBUDSMAN.name,))
    note = cosigned(OLD_ONLY, OMBUDSMAN, rotated)
    assert len(accept_checkpoint(note, [log_verifier_key()], policy).cosignatures) == 1


def test_a_forged_cosignature_by_a_trusted_witness_fails_check_8() -> None:
    impostor = WitnessKey(KID.name, OMBUDSMAN.private_key)  # KID's name, another key's id
    policy = WitnessPolicy.of([OMBUDSMAN.verifier, KID.verifier], 1)
    assert accept_checkpoint(cosigned(OLD_ONLY, OMBUDSMAN, impostor), [log_verifier_key()], policy)
    prefix, encoded = OMBUDSMAN.cosign(TEXT, T).rsplit(" ", 1)
    raw = bytearray(base64.b64decode(encoded))
    raw[-1] ^= 1  # the last byte of the Ed25519 signature
    tampered = f"{prefix} {base64.b64encode(bytes(raw)).decode()}"
    with pytest.raises(VerificationFailed, match="does not verify") as raised:
        accept_checkpoint(OLD_ONLY + tampered + "\n", [log_verifier_key()], policy)
    assert raised.value.check == 8 and not isinstance(raised.value, QuorumNotMet)


@pytest.mark.parametrize("quorum", [-1, 3])
def test_an_impossible_quorum_is_malformed(quorum: int) -> None:
    with pytest.raises(MalformedInput, match="quorum expected 0 to 2"):
        WitnessPolicy.of([OMBUDSMAN.verifier, KID.verifier], quorum)


def test_a_log_key_is_not_a_witness_key() -> None:
    with pytest.raises(MalformedInput, match="type expected 0x04"):
        WitnessPolicy.of([log_verifier_key()], 1)


def test_policy_description() -> None:
    assert WitnessPolicy().describe() == "no witness policy"
    policy = WitnessPolicy.of([OMBUDSMAN.verifier, KID.verifier])
    assert policy.describe() == f"2 of 2 witnesses ({KID.name}, {OMBUDSMAN.name})"
