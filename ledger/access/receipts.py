"""Whistleblower receipts: shown once, kept only as a slow salted hash (scrypt).

A receipt is 200 random bits written as 40 base32 letters in groups of five. The server
stores scrypt(receipt, installation salt) and finds the report by that hash, so a lookup is
hash-then-index: the slow hash runs for every attempt, whether or not the receipt exists.
The salt lives in the key folder next to the key-encryption keys (`receipt-salt.key`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
import threading
from pathlib import Path

from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

log = logging.getLogger(__name__)

SALT_FILE = "receipt-salt.key"
RECEIPT_BYTES = 25  # 200 bits -> exactly 40 base32 letters
GROUP = 5
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
_DOMAIN = b"lapor-ledger/receipt/v1|"
# Letters people mistype for base32 ones that look alike.
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})


def new_receipt() -> str:
    """A fresh receipt, grouped for reading: `ABCDE-FGHIJ-…` (8 groups of 5)."""
    letters = base64.b32encode(secrets.token_bytes(RECEIPT_BYTES)).decode("ascii")
    return "-".join(letters[i : i + GROUP] for i in range(0, len(letters), GROUP))


def normalise(receipt: str) -> str:
    """Upper-case, drop spaces and dashes, fix look-alike digits: how it was typed is forgiven."""
    kept = "".join(ch for ch in receipt.upper() if not ch.isspace() and ch != "-")
    return kept.translate(_LOOKALIKES)


class ReceiptHasher:
    """Computes the stored form of receipts with the installation's salt."""

    def __init__(self, salt: bytes) -> None:
        if len(salt) < 16:
            raise ValueError("receipt salt must be at least 16 bytes")
        self._salt = salt
        self._client_key = hmac.new(salt, b"lapor-ledger/client-bucket/v1", "sha256").digest()
        self._lock = threading.Lock()
        self.computed = 0  # slow hashes run so far (an operational metric)

    @classmethod
    def load(cls, key_dir: Path) -> ReceiptHasher:
        """Read the salt from the key folder, creating it on first use (mode 0600)."""
        path = key_dir / SALT_FILE
        if not path.exists():
            key_dir.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # another worker created it first
            else:
                log.warning("generating the receipt salt in %s (docs/api.md, receipts)", key_dir)
                with os.fdopen(fd, "w") as fh:
                    fh.write(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
        return cls(base64.b64decode(path.read_text().strip(), validate=True))

    def hash(self, receipt: str) -> bytes:
        """scrypt of the normalised receipt: the only form the server keeps."""
        kdf = Scrypt(salt=self._salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
        digest = kdf.derive(_DOMAIN + normalise(receipt).encode("utf-8"))
        with self._lock:
            self.computed += 1
        return digest

    def client_bucket(self, client: str) -> str:
        """A keyed hash of a client address, so rate-limit rows never hold a raw IP."""
        return hmac.new(self._client_key, client.encode("utf-8"), hashlib.sha256).hexdigest()[:32]
