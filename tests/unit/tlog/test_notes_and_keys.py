"""Signed notes, cosignatures, log keys and witness policy, checked with verify.note."""

from __future__ import annotations

import ast
import json
import logging
import os
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.tlog import notes
from ledger.tlog.checkpoint import CheckpointBody, parse_body
from ledger.tlog.errors import LogKeyError, UnknownWitness, WitnessConfigError
from ledger.tlog.keys import LogKeys, add_key, retire_key
from ledger.tlog.notes import BadSignature, MalformedNote
from ledger.tlog.receipt import format_tlog_proof
from ledger.tlog.witness import WitnessPolicy
from verify.checkpoint import verify_checkpoint
from verify.errors import VerificationFailed
from verify.note import parse_vkey, verify_note

ORIGIN = "test.lapor.example/ledger"
BODY = CheckpointBody(ORIGIN, 42, bytes(range(32))).text
EXAMPLES = Path(__file__).resolve().parents[3].parent / "shared/vectors/signed-note/examples.json"


def witness(name: str = "ombudsman.go.id") -> tuple[Ed25519PrivateKey, str]:
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes_raw()
    return key, notes.verifier_key(name, notes.COSIGNATURE_V1, public).vkey


def test_the_specification_example_parses_and_verifies() -> None:
    if not EXAMPLES.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared vectors expected at {EXAMPLES}")
        pytest.skip(f"shared vectors expected at {EXAMPLES}")
    example = json.loads(EXAMPLES.read_text())["vectors"][0]
    key = notes.parse_vkey(example["vkey"])
    assert key.vkey == example["vkey"]
    text, lines = notes.split_note(example["note"])
    assert notes.verify_line(text, lines[0], key) is None
    with pytest.raises(BadSignature, match="does not verify"):
        notes.verify_line(text.replace("example", "exemple"), lines[0], key)


def test_log_keys_sign_checkpoints_that_verify_independently(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        keys = LogKeys.load(tmp_path, ORIGIN, create=True)
    assert "development log signing key" in caplog.text
    (private,) = tmp_path.glob("*.key")
    assert private.stat().st_mode & 0o777 == 0o600
    signed = verify_checkpoint(keys.sign(BODY), [parse_vkey(v) for v in keys.vkeys()])
    assert signed.checkpoint.tree_size == 42 and len(signed.signatures) == 1
    assert parse_body(BODY) == CheckpointBody(ORIGIN, 42, bytes(range(32)))


def test_rotation_and_retirement(tmp_path: Path) -> None:
    first = add_key(tmp_path, ORIGIN)
    second = add_key(tmp_path, ORIGIN)
    both = LogKeys.load(tmp_path, ORIGIN)
    assert both.vkeys() == [first, second] and both.retired == ()
    note = both.sign(BODY)
    assert len(verify_note(note, [parse_vkey(first), parse_vkey(second)]).signatures) == 2
    assert retire_key(tmp_path, ORIGIN, first.split("+")[1]) == first
    after = LogKeys.load(tmp_path, ORIGIN)
    assert [k.vkey for k in after.active] == [second] and after.retired == (first,)
    assert after.vkeys() == [second, first]
    with pytest.raises(VerificationFailed, match="no signature by a trusted key"):
        verify_note(after.sign(BODY), [parse_vkey(first)])
    with pytest.raises(LogKeyError, match="only active key"):
        retire_key(tmp_path, ORIGIN, second.split("+")[1])
    with pytest.raises(LogKeyError, match="expected the id of an active key"):
        retire_key(tmp_path, ORIGIN, "deadbeef")
    third = add_key(tmp_path, ORIGIN)
    assert (tmp_path / f"0003-{third.split('+')[1]}.vkey").is_file()


def test_a_verify_only_folder_lists_keys_and_refuses_to_sign(tmp_path: Path) -> None:
    signing, replica = tmp_path / "primary", tmp_path / "replica"
    first, second = add_key(signing, ORIGIN), add_key(signing, ORIGIN)
    replica.mkdir()
    for public in signing.glob("*.vkey"):
        (replica / public.name).write_bytes(public.read_bytes())
    with pytest.raises(LogKeyError, match="no active log signing key"):
        LogKeys.load(replica, ORIGIN)  # a signing node must hold its private keys
    keys = LogKeys.load(replica, ORIGIN, signing=False)
    assert keys.vkeys() == [first, second] and keys.retired == () and keys.active == ()
    with pytest.raises(LogKeyError, match="verifier keys only"):
        keys.sign(BODY)
    with pytest.raises(LogKeyError, match="no log verifier key"):
        LogKeys.load(tmp_path / "empty", ORIGIN, signing=False)
    assert LogKeys.load(signing, ORIGIN, signing=False).active  # private keys still load


def test_keys_of_another_origin_or_none_are_refused(tmp_path: Path) -> None:
    with pytest.raises(LogKeyError, match="no active log signing key"):
        LogKeys.load(tmp_path, ORIGIN)
    add_key(tmp_path, "other.example/log")
    with pytest.raises(LogKeyError, match=r"expected an Ed25519 key named 'test\.lapor"):
        LogKeys.load(tmp_path, ORIGIN)
    ours = tmp_path / "ours"
    add_key(ours, ORIGIN)
    for private in ours.glob("*.key"):
        private.unlink()  # private keys gone (a missing mount): never silently re-keyed
    with pytest.raises(LogKeyError, match="no active log signing key"):
        LogKeys.load(ours, ORIGIN, create=True)


def test_cosignatures_verify_independently_and_forgeries_do_not() -> None:
    key, vkey = witness()
    line = notes.cosign(BODY, "ombudsman.go.id", key, 1_760_000_000)
    verified = verify_note(BODY + "\n" + line + "\n", [parse_vkey(vkey)])
    assert verified.signatures[0].timestamp == 1_760_000_000
    ours = notes.parse_vkey(vkey)
    assert notes.verify_line(BODY, line, ours) == 1_760_000_000
    name, kid, raw = notes.parse_signature_line(line)
    later = notes.signature_line(name, kid, (1_760_000_001).to_bytes(8, "big") + raw[8:])
    with pytest.raises(BadSignature, match="does not verify"):
        notes.verify_line(BODY, later, ours)
    with pytest.raises(BadSignature, match="expected 72 bytes, got 71"):
        notes.verify_line(BODY, notes.signature_line(name, kid, raw[:-1]), ours)
    with pytest.raises(MalformedNote, match="line is by"):
        notes.verify_line(BODY, notes.cosign(BODY, "kid.go.id", key, 1), ours)
    with pytest.raises(MalformedNote, match="expected standard base64"):
        notes.parse_signature_line(line[:-1])


def test_vkeys_are_checked() -> None:
    _, vkey = witness()
    name, kid, material = vkey.split("+", 2)
    with pytest.raises(MalformedNote, match=f"key id expected {kid}, got 00000000"):
        notes.parse_vkey(f"{name}+00000000+{material}")
    with pytest.raises(MalformedNote, match="expected <name>"):
        notes.parse_vkey("no-plus-signs")
    with pytest.raises(MalformedNote, match="no spaces"):
        notes.verifier_key("two words", notes.ED25519, bytes(32))


def test_witness_policy() -> None:
    vkeys = [witness(n)[1] for n in ("a.example", "b.example", "c.example")]
    assert WitnessPolicy.from_vkeys(vkeys).quorum == 2
    assert WitnessPolicy.from_vkeys(vkeys, 3).quorum == 3
    assert WitnessPolicy.from_vkeys([]).quorum == 0
    with pytest.raises(WitnessConfigError, match="quorum expected 0 to 3, got 4"):
        WitnessPolicy.from_vkeys(vkeys, 4)
    with pytest.raises(WitnessConfigError, match="at least 1"):
        WitnessPolicy.from_vkeys(vkeys, 0)
    with pytest.raises(WitnessConfigError, match="one key per witness name"):
        WitnessPolicy.from_vkeys([vkeys[0], vkeys[0]])
    log_key = notes.verifier_key("log.example", notes.ED25519, bytes(32)).vkey
    with pytest.raises(WitnessConfigError, match="type 0x04"):
        WitnessPolicy.from_vkeys([log_key])
    with pytest.raises(UnknownWitness, match=r"got 'd\.example'"):
        WitnessPolicy.from_vkeys(vkeys).witness("d.example")


def test_tlog_proof_layout() -> None:
    note = BODY + "\n\u2014 log sig\n"
    text = format_tlog_proof(7, [b"\x01" * 32, b"\x02" * 32], note, extra=b"entry")
    assert text == (
        "c2sp.org/tlog-proof@v1\nextra ZW50cnk=\nindex 7\n"
        "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\n"
        "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=\n\n" + note
    )
    assert format_tlog_proof(0, [], note) == "c2sp.org/tlog-proof@v1\nindex 0\n\n" + note


def test_the_note_module_can_be_copied_alone() -> None:
    tree = ast.parse(Path(notes.__file__).read_text())
    roots = {
        (n.module or "").split(".")[0] if isinstance(n, ast.ImportFrom) else a.name.split(".")[0]
        for n in ast.walk(tree)
        if isinstance(n, ast.Import | ast.ImportFrom)
        for a in n.names
    }
    assert roots - sys.stdlib_module_names - {"__future__"} == {"cryptography"}
