"""A witness's signing key and the cosignatures it makes (c2sp.org/tlog-cosignature).

A cosignature/v1 line (key type 0x04) is
"<U+2014> <name> <base64(key id || u64 big-endian timestamp || Ed25519 signature)>", the
signature covering "cosignature/v1\\ntime <timestamp>\\n" || checkpoint text. The key id is
SHA-256(name || 0x0A || 0x04 || public key)[:4] (c2sp.org/signed-note).

The private key file holds one line in the signed-note private-key form of Go's
golang.org/x/mod/sumdb/note, with the cosignature type byte:
"PRIVATE+KEY+<name>+<hex key id>+<base64(0x04 || 32-byte Ed25519 seed)>", mode 0600.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from verify.errors import InputUnavailable, MalformedInput
from verify.note import COSIGNATURE_V1, KEY_NAME, VerifierKey, key_id

PRIVATE_PREFIX = "PRIVATE+KEY+"


@dataclass(frozen=True)
class WitnessKey:
    """A witness's name and Ed25519 private key."""

    name: str
    private_key: Ed25519PrivateKey

    @classmethod
    def generate(cls, name: str) -> WitnessKey:
        """A new random key for a witness name (no whitespace, no '+')."""
        if not KEY_NAME.fullmatch(name):
            raise MalformedInput(f"witness name expected no whitespace or '+', got {name!r}")
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def parse(cls, text: str) -> WitnessKey:
        """Read "PRIVATE+KEY+<name>+<hex key id>+<base64(0x04 || seed)>"; checks the key id."""
        parts = text.strip().removeprefix(PRIVATE_PREFIX).split("+", 2)
        if not text.strip().startswith(PRIVATE_PREFIX) or len(parts) != 3:
            raise MalformedInput("witness key expected PRIVATE+KEY+<name>+<key id>+<base64>")
        name, hex_id, encoded = parts
        try:
            material = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            material = b""
        if len(material) != 33 or material[0] != COSIGNATURE_V1 or not KEY_NAME.fullmatch(name):
            raise MalformedInput(f"witness key {name}: expected type 0x04 and a 32-byte seed")
        key = cls(name, Ed25519PrivateKey.from_private_bytes(material[1:]))
        if key.verifier.key_id.hex() != hex_id:
            raise MalformedInput(
                f"witness key {name}: key id expected {key.verifier.key_id.hex()}, got {hex_id}"
            )
        return key

    @property
    def verifier(self) -> VerifierKey:
        """The public side, as a verifier key of type 0x04."""
        public = self.private_key.public_key().public_bytes_raw()
        return VerifierKey(
            self.name, key_id(self.name, COSIGNATURE_V1, public), COSIGNATURE_V1, public
        )

    @property
    def vkey(self) -> str:
        """The verifier key text to give to the log operator: name+hex id+base64."""
        key = self.verifier
        material = base64.b64encode(bytes((COSIGNATURE_V1,)) + key.public_key).decode()
        return f"{self.name}+{key.key_id.hex()}+{material}"

    def private_text(self) -> str:
        """The private key file's line."""
        seed = self.private_key.private_bytes_raw()
        material = base64.b64encode(bytes((COSIGNATURE_V1,)) + seed).decode()
        return f"{PRIVATE_PREFIX}{self.name}+{self.verifier.key_id.hex()}+{material}"

    def cosign(self, text: str, timestamp: int) -> str:
        """The cosignature/v1 line (without newline) over checkpoint text at `timestamp`."""
        if not 0 <= timestamp < 2**63:
            raise ValueError(f"timestamp expected 0 to 2^63-1, got {timestamp}")
        message = f"cosignature/v1\ntime {timestamp}\n".encode() + text.encode()
        raw = timestamp.to_bytes(8, "big") + self.private_key.sign(message)
        return f"\u2014 {self.name} {base64.b64encode(self.verifier.key_id + raw).decode()}"


def write_key_file(path: Path, key: WitnessKey) -> None:
    """Create the private key file, mode 0600; refuses to overwrite an existing file."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(key.private_text() + "\n")


def read_key_file(path: Path) -> WitnessKey:
    """Read a private key file written by write_key_file."""
    try:
        return WitnessKey.parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputUnavailable(f"witness key file {path}: {exc}") from None
