"""Envelope encryption of sealed fields: key-encryption keys and per-report data keys.

Each report has its own 256-bit data key (DEK). DEKs are stored wrapped (AES-256-GCM) by a
key-encryption key (KEK) named by a key id, in the one mutable table of the ledger,
`report_keys`, which lies outside the hash chain. Rotation adds a KEK: new data keys are
wrapped under it, the old ones stay readable. Erasure (UU 27/2022) overwrites the wrapped
DEK, after which the report's sealed fields can never be read again.
"""

from __future__ import annotations

import base64
import logging
import os
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

log = logging.getLogger(__name__)

KEK_FILE_PREFIX = "kek-"
KEK_FILE_SUFFIX = ".key"
_WRAP_AAD = b"lapor-ledger/dek-wrap/v1|"


class KeyError_(Exception):
    """Base of key handling errors (named to avoid shadowing the builtin KeyError)."""


class MissingKeyEncryptionKey(KeyError_):
    """A data key is wrapped under a KEK that this installation does not have."""


class DataKeyDestroyed(KeyError_):
    """The report's data key was destroyed by an erasure: its sealed fields are gone."""


@dataclass(frozen=True)
class WrappedKey:
    """One row of `report_keys` as it is written."""

    report_id: UUID
    key_id: str
    kek_id: str
    wrapped: bytes


class KeyRing:
    """The key-encryption keys: one active for wrapping, all kept for unwrapping."""

    def __init__(self, keks: dict[str, bytes], active: str) -> None:
        if active not in keks:
            raise MissingKeyEncryptionKey(f"active KEK {active!r} is not in the key ring")
        for kid, key in keks.items():
            if len(key) != 32:
                raise ValueError(f"KEK {kid!r} is {len(key)} bytes, expected 32")
        self._keks = dict(keks)
        self.active = active

    @classmethod
    def load(cls, key_dir: Path, *, create: bool = True) -> KeyRing:
        """Read `kek-<id>.key` files (base64); the newest id sorts last and is active.

        With `create`, an empty folder gets a first development KEK, with a warning.
        """
        files = sorted(key_dir.glob(f"{KEK_FILE_PREFIX}*{KEK_FILE_SUFFIX}"))
        if not files:
            if not create:
                raise MissingKeyEncryptionKey(f"no key-encryption key in {key_dir}")
            log.warning(
                "generating a development key-encryption key in %s; "
                "production installations provide their own (docs/keys.md)",
                key_dir,
            )
            return cls.load_or_rotate(key_dir)
        keks = {}
        for f in files:
            kid = f.name[len(KEK_FILE_PREFIX) : -len(KEK_FILE_SUFFIX)]
            keks[kid] = base64.b64decode(f.read_text().strip(), validate=True)
        return cls(keks, active=sorted(keks)[-1])

    @classmethod
    def load_or_rotate(cls, key_dir: Path) -> KeyRing:
        """Add a new KEK to the folder and return the ring with it active."""
        key_dir.mkdir(parents=True, exist_ok=True)
        existing = sorted(key_dir.glob(f"{KEK_FILE_PREFIX}*{KEK_FILE_SUFFIX}"))
        kid = f"{len(existing) + 1:04d}-{secrets.token_hex(4)}"
        path = key_dir / f"{KEK_FILE_PREFIX}{kid}{KEK_FILE_SUFFIX}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(base64.b64encode(AESGCM.generate_key(256)).decode() + "\n")
        return cls.load(key_dir, create=False)

    @classmethod
    def ephemeral(cls) -> KeyRing:
        """A ring with one random KEK held in memory only (tests, demos)."""
        return cls({"ephemeral": AESGCM.generate_key(256)}, active="ephemeral")

    def wrap(self, report_id: UUID, key_id: str, dek: bytes) -> WrappedKey:
        """Wrap a data key under the active KEK, bound to its report and key id."""
        nonce = secrets.token_bytes(12)
        aad = _WRAP_AAD + report_id.bytes + key_id.encode()
        ct = AESGCM(self._keks[self.active]).encrypt(nonce, dek, aad)
        return WrappedKey(report_id, key_id, self.active, nonce + ct)

    def unwrap(self, row: WrappedKey) -> bytes:
        """Unwrap a data key; raises MissingKeyEncryptionKey for an unknown KEK."""
        try:
            kek = self._keks[row.kek_id]
        except KeyError:
            raise MissingKeyEncryptionKey(
                f"data key of report {row.report_id} is wrapped under unknown KEK {row.kek_id!r}"
            ) from None
        aad = _WRAP_AAD + row.report_id.bytes + row.key_id.encode()
        try:
            return AESGCM(kek).decrypt(row.wrapped[:12], row.wrapped[12:], aad)
        except InvalidTag:
            raise MissingKeyEncryptionKey(
                f"data key of report {row.report_id} does not unwrap under KEK {row.kek_id!r}"
            ) from None


@dataclass(frozen=True)
class DataKey:
    """A report's unwrapped data key and its id."""

    key_id: str
    aead: AESGCM


class DataKeyCache:
    """A bounded in-memory cache of unwrapped data keys, evicted on erasure."""

    def __init__(self, maxsize: int = 10_000) -> None:
        self._items: OrderedDict[UUID, DataKey] = OrderedDict()
        self._lock = threading.Lock()
        self._maxsize = maxsize

    def get(self, report_id: UUID) -> DataKey | None:
        """Return the cached key, marking it recently used."""
        with self._lock:
            key = self._items.get(report_id)
            if key is not None:
                self._items.move_to_end(report_id)
            return key

    def put(self, report_id: UUID, key: DataKey) -> None:
        """Cache a key, dropping the least recently used beyond the bound."""
        with self._lock:
            self._items[report_id] = key
            self._items.move_to_end(report_id)
            while len(self._items) > self._maxsize:
                self._items.popitem(last=False)

    def evict(self, report_id: UUID) -> None:
        """Forget a key (after erasure, or after a failed save of a new key)."""
        with self._lock:
            self._items.pop(report_id, None)


def new_data_key() -> tuple[str, bytes]:
    """A fresh data key and its short id."""
    return secrets.token_hex(8), AESGCM.generate_key(256)
