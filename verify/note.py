"""Signed notes (c2sp.org/signed-note) and witness cosignatures (c2sp.org/tlog-cosignature).

A note is UTF-8 text ending in a newline, a blank line, then signature lines
"<U+2014> <key name> <base64(4-byte key id || signature)>". Verifier keys are vkeys,
"<name>+<hex key id>+<base64(type byte || public key)>", with key id
SHA-256(name || 0x0A || type || public key)[:4]. Two signature types are supported:

- 0x01, Ed25519 over the note text (c2sp.org/signed-note, "Ed25519 signatures");
- 0x04, timestamped Ed25519 cosignatures: the signature is u64 timestamp || Ed25519 signature
  over "cosignature/v1\\ntime <timestamp>\\n" || note text (c2sp.org/tlog-cosignature).

As the specification requires, signatures from unknown keys (name and id not both matching a
trusted key) are ignored, a failing signature of a known key rejects the note, and a note
without a verifying trusted signature is rejected. This module only verifies; it never signs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from verify.errors import MalformedInput, VerificationFailed

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
MAX_SIGNATURES = 100  # the specification asks verifiers to accept at least 16
_SIGNATURE_SIZE = {ED25519: 64, COSIGNATURE_V1: 8 + 64}
_DASH = "\u2014 "
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")
KEY_NAME = re.compile(r"[^\s+]+")  # a key name: no whitespace, no "+"
_HEX_ID = re.compile(r"[0-9a-f]{8}")


@dataclass(frozen=True, slots=True)
class VerifierKey:
    """A trusted public key: its name, key id, signature type and Ed25519 key bytes."""

    name: str
    key_id: bytes
    sig_type: int
    public_key: bytes


@dataclass(frozen=True, slots=True)
class NoteSignature:
    """One signature line of a note, not yet verified."""

    name: str
    key_id: bytes
    signature: bytes


@dataclass(frozen=True, slots=True)
class Note:
    """A parsed note: its text (with the final newline) and its signature lines."""

    text: str
    signatures: tuple[NoteSignature, ...]


@dataclass(frozen=True, slots=True)
class VerifiedSignature:
    """A signature that verified under a trusted key; timestamp for cosignatures."""

    name: str
    key_id: bytes
    sig_type: int
    timestamp: int | None


@dataclass(frozen=True, slots=True)
class VerifiedNote:
    """A note's text with the trusted signatures that verified it."""

    text: str
    signatures: tuple[VerifiedSignature, ...]


def key_id(name: str, sig_type: int, public_key: bytes) -> bytes:
    """Return the 4-byte key id SHA-256(name || 0x0A || type || public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes((sig_type,)) + public_key).digest()[:4]


def parse_vkey(vkey: str) -> VerifierKey:
    """Parse a verifier key "<name>+<hex key id>+<base64(type || key)>" and check its id."""
    parts = vkey.strip().split("+", 2)  # the base64 key may itself contain "+"
    if len(parts) != 3 or not KEY_NAME.fullmatch(parts[0]) or not _HEX_ID.fullmatch(parts[1]):
        raise MalformedInput(f"verifier key {vkey!r} is not <name>+<8 hex digits>+<base64 key>")
    name, hex_id, encoded = parts
    material = _b64(encoded, f"verifier key {name}")
    if len(material) != 33 or material[0] not in _SIGNATURE_SIZE:
        raise MalformedInput(
            f"verifier key {name}: expected type 0x01 or 0x04 and a 32-byte Ed25519 key"
        )
    key = VerifierKey(name, bytes.fromhex(hex_id), material[0], material[1:])
    computed = key_id(name, key.sig_type, key.public_key)
    if computed != key.key_id:
        raise MalformedInput(f"verifier key {name}: key id expected {computed.hex()}, got {hex_id}")
    return key


def parse_note(data: str | bytes) -> Note:
    """Split a signed note into its text and signature lines; no signature is checked."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedInput(f"note is not UTF-8: {exc.reason}") from None
    if _CONTROL.search(data):
        raise MalformedInput("note contains a control character other than newline")
    split = data.rfind("\n\n")
    if split < 0 or not data.endswith("\n"):
        raise MalformedInput("note has no blank line before its signatures or no final newline")
    lines = data[split + 2 : -1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedInput(f"note has {len(lines)} signatures, at most {MAX_SIGNATURES} read")
    return Note(data[: split + 1], tuple(_signature_line(line) for line in lines))


def verified_signatures(note: Note, keys: Iterable[VerifierKey]) -> tuple[VerifiedSignature, ...]:
    """Verify every signature of a trusted key; ignore unknown keys; raise if one fails."""
    trusted = {(key.name, key.key_id): key for key in keys}
    verified = []
    for signature in note.signatures:
        key = trusted.get((signature.name, signature.key_id))
        if key is not None:
            verified.append(_verify_one(note.text, signature, key))
    return tuple(verified)


def verify_note(note: Note | str | bytes, keys: Iterable[VerifierKey]) -> VerifiedNote:
    """Return the note's text if at least one trusted key signed it and none failed."""
    parsed = note if isinstance(note, Note) else parse_note(note)
    keys = tuple(keys)
    verified = verified_signatures(parsed, keys)
    if not verified:
        names = ", ".join(sorted({key.name for key in keys})) or "none"
        raise VerificationFailed(
            f"note has no signature by a trusted key (trusted: {names})",
            expected=names,
            actual=", ".join(signature.name for signature in parsed.signatures),
        )
    return VerifiedNote(parsed.text, verified)


def _signature_line(line: str) -> NoteSignature:
    if not line.startswith(_DASH):
        raise MalformedInput(f"signature line {line!r} does not start with an em dash and space")
    fields = line[len(_DASH) :].split(" ")
    if len(fields) != 2 or not KEY_NAME.fullmatch(fields[0]):
        raise MalformedInput(f"signature line {line!r} is not '\u2014 <name> <base64>'")
    raw = _b64(fields[1], f"signature by {fields[0]}")
    if len(raw) < 5:
        raise MalformedInput(f"signature by {fields[0]} is {len(raw)} bytes, shorter than 5")
    return NoteSignature(fields[0], raw[:4], raw[4:])


def _verify_one(text: str, signature: NoteSignature, key: VerifierKey) -> VerifiedSignature:
    who = f"signature by {key.name} (key id {key.key_id.hex()})"
    expected_size = _SIGNATURE_SIZE[key.sig_type]
    if len(signature.signature) != expected_size:
        raise VerificationFailed(
            f"{who}: expected {expected_size} bytes, got {len(signature.signature)}",
            expected=expected_size,
            actual=len(signature.signature),
        )
    message, raw, timestamp = text.encode(), signature.signature, None
    if key.sig_type == COSIGNATURE_V1:
        timestamp = int.from_bytes(raw[:8], "big")
        if timestamp >= 2**63:
            raise VerificationFailed(f"{who}: timestamp {timestamp} exceeds 2^63-1")
        message = f"cosignature/v1\ntime {timestamp}\n".encode() + message
        raw = raw[8:]
    # imported here: a run that checks no signature (a bundle without --log-key) starts faster
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(key.public_key).verify(raw, message)
    except InvalidSignature:
        raise VerificationFailed(f"{who} does not verify over the note text") from None
    return VerifiedSignature(key.name, key.key_id, key.sig_type, timestamp)


def _b64(value: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedInput(f"{what}: not standard base64") from None
    if base64.b64encode(raw).decode() != value:
        raise MalformedInput(f"{what}: not canonical base64")
    return raw
