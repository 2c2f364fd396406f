"""Signed notes and witness cosignatures, using only the standard library and cryptography.

- c2sp.org/signed-note: a note is UTF-8 text ending in a newline, a blank line, then lines
  "<U+2014> <key name> <base64(4-byte key id || signature)>". The key id is
  SHA-256(name || 0x0A || type || public key)[:4]; a verifier key (vkey) is
  "<name>+<hex key id>+<base64(type || public key)>". Type 0x01 is Ed25519 over the text.
- c2sp.org/tlog-cosignature: type 0x04, the signature is u64 big-endian timestamp || Ed25519
  signature over "cosignature/v1\\ntime <timestamp>\\n" || note text.

This module imports nothing of the project, so that a witness can copy it as it is.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
DASH = "\u2014 "
_SIZES = {ED25519: 64, COSIGNATURE_V1: 8 + 64}
_NAME = re.compile(r"[^\s+]+")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")


class MalformedNote(ValueError):
    """A note, signature line or verifier key cannot be parsed."""


class BadSignature(Exception):
    """A well-formed signature does not verify under the key it names."""


@dataclass(frozen=True, slots=True)
class VerifierKey:
    """A public key of a note signer: name, 4-byte key id, signature type, Ed25519 key."""

    name: str
    key_id: bytes
    sig_type: int
    public_key: bytes

    @property
    def vkey(self) -> str:
        """The key as vkey text."""
        encoded = base64.b64encode(bytes((self.sig_type,)) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"


def key_id(name: str, sig_type: int, public_key: bytes) -> bytes:
    """SHA-256(name || 0x0A || type || public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes((sig_type,)) + public_key).digest()[:4]


def verifier_key(name: str, sig_type: int, public_key: bytes) -> VerifierKey:
    """The verifier key of a signer, its key id computed."""
    if not _NAME.fullmatch(name):
        raise MalformedNote(f"key name expected no spaces or '+', got {name!r}")
    return VerifierKey(name, key_id(name, sig_type, public_key), sig_type, public_key)


def parse_vkey(text: str) -> VerifierKey:
    """Parse "<name>+<hex key id>+<base64 key>" and check its key id."""
    parts = text.strip().split("+", 2)
    if len(parts) != 3 or not re.fullmatch(r"[0-9a-f]{8}", parts[1]):
        raise MalformedNote(f"vkey expected <name>+<8 hex digits>+<base64>, got {text!r}")
    material = _b64(parts[2], f"vkey {parts[0]}")
    if len(material) != 33 or material[0] not in _SIZES:
        raise MalformedNote(f"vkey {parts[0]}: expected type 0x01 or 0x04 and 32 key bytes")
    key = verifier_key(parts[0], material[0], material[1:])
    if key.key_id.hex() != parts[1]:
        raise MalformedNote(f"vkey {parts[0]}: key id expected {key.key_id.hex()}, got {parts[1]}")
    return key


def split_note(note: str) -> tuple[str, list[str]]:
    """Split a signed note into its text (with final newline) and its signature lines."""
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n") or _CONTROL.search(note):
        raise MalformedNote("note expected text, a blank line and signature lines")
    return note[: split + 1], note[split + 2 : -1].split("\n")


def parse_signature_line(line: str) -> tuple[str, bytes, bytes]:
    """Parse "<U+2014> <name> <base64>" into name, key id and signature bytes."""
    fields = line.rstrip("\n").split(" ")
    if len(fields) != 3 or fields[0] != DASH.strip() or not _NAME.fullmatch(fields[1]):
        raise MalformedNote(f"signature line expected '\u2014 <name> <base64>', got {line!r}")
    raw = _b64(fields[2], f"signature by {fields[1]}")
    if len(raw) < 5:
        raise MalformedNote(f"signature by {fields[1]}: expected at least 5 bytes, got {len(raw)}")
    return fields[1], raw[:4], raw[4:]


def signature_line(name: str, kid: bytes, signature: bytes) -> str:
    """Format one signature line (without its newline)."""
    return f"{DASH}{name} {base64.b64encode(kid + signature).decode()}"


def sign(text: str, name: str, private_key: Ed25519PrivateKey) -> str:
    """An Ed25519 (type 0x01) signature line over the note text."""
    _check_text(text)
    public = private_key.public_key().public_bytes_raw()
    return signature_line(name, key_id(name, ED25519, public), private_key.sign(text.encode()))


def cosignature_message(text: str, timestamp: int) -> bytes:
    """The bytes a cosignature/v1 signs: header lines, then the checkpoint text."""
    return f"cosignature/v1\ntime {timestamp}\n".encode() + text.encode()


def cosign(text: str, name: str, private_key: Ed25519PrivateKey, timestamp: int) -> str:
    """A cosignature/v1 (type 0x04) signature line over checkpoint text at `timestamp`."""
    _check_text(text)
    if not 0 <= timestamp < 2**63:
        raise MalformedNote(f"timestamp expected 0 to 2^63-1, got {timestamp}")
    public = private_key.public_key().public_bytes_raw()
    signature = private_key.sign(cosignature_message(text, timestamp))
    return signature_line(
        name, key_id(name, COSIGNATURE_V1, public), timestamp.to_bytes(8, "big") + signature
    )


def verify_line(text: str, line: str, key: VerifierKey) -> int | None:
    """Verify one signature line of `key` over the text; the timestamp for a cosignature."""
    name, kid, raw = parse_signature_line(line)
    who = f"signature by {key.name} (key id {key.key_id.hex()})"
    if (name, kid) != (key.name, key.key_id):
        raise MalformedNote(f"{who}: line is by {name} (key id {kid.hex()})")
    if len(raw) != _SIZES[key.sig_type]:
        raise BadSignature(f"{who}: expected {_SIZES[key.sig_type]} bytes, got {len(raw)}")
    message, timestamp = text.encode(), None
    if key.sig_type == COSIGNATURE_V1:
        timestamp, raw = int.from_bytes(raw[:8], "big"), raw[8:]
        if timestamp >= 2**63:
            raise BadSignature(f"{who}: timestamp {timestamp} is beyond 2^63-1")
        message = cosignature_message(text, timestamp)
    try:
        Ed25519PublicKey.from_public_bytes(key.public_key).verify(raw, message)
    except InvalidSignature:
        raise BadSignature(f"{who} does not verify over the note text") from None
    return timestamp


def _check_text(text: str) -> None:
    if not text.endswith("\n") or "\n\n" in text or _CONTROL.search(text):
        raise MalformedNote("note text expected non-empty lines, each ending in a newline")


def _b64(value: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedNote(f"{what}: expected standard base64, got {value!r}") from None
    if base64.b64encode(raw).decode() != value:
        raise MalformedNote(f"{what}: expected canonical base64, got {value!r}")
    return raw
