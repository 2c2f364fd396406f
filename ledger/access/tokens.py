"""API bearer tokens: `lpr_<id>_<secret>`; only SHA-256 of the secret is stored.

The secret is 256 random bits, so a fast hash is enough (no dictionary to attack); the id
finds the row and `hmac.compare_digest` compares the hashes in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

PREFIX = "lpr"
_TOKEN = re.compile(r"lpr_([0-9a-f]{16})_([A-Za-z0-9_-]{43})")


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly issued token: the full bearer string is shown once."""

    token_id: str
    bearer: str
    secret_hash: bytes


def issue() -> IssuedToken:
    """A new random token id and secret."""
    token_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    return IssuedToken(token_id, f"{PREFIX}_{token_id}_{secret}", hash_secret(secret))


def parse(bearer: str) -> tuple[str, str] | None:
    """Split a bearer string into (id, secret); None if it is not shaped like a token."""
    match = _TOKEN.fullmatch(bearer)
    return None if match is None else (match.group(1), match.group(2))


def hash_secret(secret: str) -> bytes:
    """SHA-256 of the secret, as stored."""
    return hashlib.sha256(secret.encode("ascii")).digest()


def secret_matches(secret: str, stored_hash: bytes) -> bool:
    """Compare a presented secret with the stored hash in constant time."""
    return hmac.compare_digest(hash_secret(secret), stored_hash)
