"""The log's Ed25519 signing keys (c2sp.org/signed-note type 0x01), kept in a key folder.

Each key is a pair of files, `<NNNN>-<key id>.key` (the 32-byte private seed in base64,
mode 0600) and `<NNNN>-<key id>.vkey` (its verifier key). Every key with a `.key` file is
active and signs every checkpoint, so a rotation overlaps: `rotate` adds a key, `retire`
destroys an old key's private file and leaves its `.vkey`, so retired keys stay listed for
verifying old checkpoints. The key name is the log origin.

A node that never signs (an API node on a streaming replica) holds the `.vkey` files only and
loads them with `signing=False`: it serves checkpoints and lists the keys, and any attempt to
sign is refused with a LogKeyError. Such a folder cannot tell active keys from retired ones (that
is the private file's presence), so its keys are all listed as the log's keys, none as retired.
"""

from __future__ import annotations

import base64
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.tlog.errors import LogKeyError
from ledger.tlog.notes import ED25519, MalformedNote, parse_vkey, sign, verifier_key

log = logging.getLogger(__name__)

PRIVATE_SUFFIX = ".key"
PUBLIC_SUFFIX = ".vkey"


@dataclass(frozen=True)
class LogKey:
    """One active signing key of the log."""

    stem: str
    name: str
    private_key: Ed25519PrivateKey
    vkey: str

    def sign_line(self, text: str) -> str:
        """The signature line of this key over the note text."""
        return sign(text, self.name, self.private_key)


@dataclass(frozen=True)
class LogKeys:
    """The log's keys: the active ones sign, the retired ones are only listed."""

    origin: str
    active: tuple[LogKey, ...]
    retired: tuple[str, ...]
    verify_only: tuple[str, ...] = ()  # a node that never signs: its verifier keys

    @classmethod
    def load(
        cls, folder: Path, origin: str, *, create: bool = False, signing: bool = True
    ) -> LogKeys:
        """Read the key folder; with `create`, an empty folder gets a development key (warned).

        With `signing=False` the folder may hold verifier keys only (a node that never signs).
        """
        if create and not any(folder.glob(f"*{PUBLIC_SUFFIX}")):
            log.warning(
                "generating a development log signing key in %s; production installations "
                "create theirs with `lapor-ledger keys init` (docs/transparency-log.md)",
                folder,
            )
            add_key(folder, origin)
        active, retired = [], []
        for public in sorted(folder.glob(f"*{PUBLIC_SUFFIX}")):
            vkey = public.read_text().strip()
            _check_vkey(vkey, origin, public)
            private = public.with_suffix(PRIVATE_SUFFIX)
            if private.exists():
                seed = base64.b64decode(private.read_text().strip(), validate=True)
                key = Ed25519PrivateKey.from_private_bytes(seed)
                if _vkey(origin, key) != vkey:
                    raise LogKeyError(f"{private}: expected the key of {vkey}, got another")
                active.append(LogKey(public.stem, origin, key, vkey))
            else:
                retired.append(vkey)
        if not active and signing:
            raise LogKeyError(f"no active log signing key in {folder}: run `keys init`")
        if not active and not retired:
            raise LogKeyError(f"no log verifier key (*{PUBLIC_SUFFIX}) in {folder}")
        if not active:  # verifier keys only: which of them still sign is not known here
            return cls(origin, (), (), verify_only=tuple(retired))
        return cls(origin, tuple(active), tuple(retired))

    def sign(self, text: str) -> str:
        """The signed note: the text, a blank line, one signature line per active key."""
        if not self.active:
            raise LogKeyError(
                "this node holds verifier keys only (LEDGER_TLOG_SIGNING=off): "
                "checkpoints are signed on the primary"
            )
        return text + "\n" + "".join(key.sign_line(text) + "\n" for key in self.active)

    def vkeys(self) -> list[str]:
        """Verifier keys: the active (or verify-only) ones, then the retired ones."""
        return [key.vkey for key in self.active] + list(self.verify_only) + list(self.retired)


def add_key(folder: Path, origin: str) -> str:
    """Create a new active signing key in the folder; return its vkey."""
    folder.mkdir(parents=True, exist_ok=True)
    numbers = [int(p.name[:4]) for p in folder.glob(f"[0-9][0-9][0-9][0-9]-*{PUBLIC_SUFFIX}")]
    number = max(numbers, default=0) + 1
    key = Ed25519PrivateKey.generate()
    vkey = _vkey(origin, key)
    stem = f"{number:04d}-{vkey.split('+')[1]}"
    seed = base64.b64encode(key.private_bytes_raw()).decode()
    fd = os.open(folder / f"{stem}{PRIVATE_SUFFIX}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(seed + "\n")
    (folder / f"{stem}{PUBLIC_SUFFIX}").write_text(vkey + "\n")
    return vkey


def retire_key(folder: Path, origin: str, key: str) -> str:
    """Destroy the private file of the active key with this id or stem; return its vkey."""
    keys = LogKeys.load(folder, origin)
    matches = [k for k in keys.active if key in (k.stem, k.stem.split("-", 1)[1])]
    if not matches:
        ids = ", ".join(k.stem for k in keys.active)
        raise LogKeyError(f"expected the id of an active key ({ids}), got {key!r}")
    if len(keys.active) == 1:
        raise LogKeyError(f"{key} is the only active key: rotate before retiring it")
    private = folder / f"{matches[0].stem}{PRIVATE_SUFFIX}"
    private.write_text("0" * 44 + "\n")  # overwrite before unlinking: best effort only
    private.unlink()
    return matches[0].vkey


def _vkey(origin: str, key: Ed25519PrivateKey) -> str:
    return verifier_key(origin, ED25519, key.public_key().public_bytes_raw()).vkey


def _check_vkey(vkey: str, origin: str, path: Path) -> None:
    try:
        parsed = parse_vkey(vkey)
    except MalformedNote as e:
        raise LogKeyError(f"{path}: {e}") from None
    if parsed.name != origin or parsed.sig_type != ED25519:
        raise LogKeyError(
            f"{path}: expected an Ed25519 key named {origin!r}, got {parsed.name!r} "
            f"of type 0x{parsed.sig_type:02x}"
        )
