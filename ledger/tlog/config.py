"""Settings of the transparency log, read from the environment in one place.

- `LEDGER_TLOG_KEY_DIR`: the folder of log signing keys (default: `<LEDGER_KEY_DIR>/log`).
- `LEDGER_WITNESS_VKEYS`: witness verifier keys (type 0x04), separated by whitespace.
- `LEDGER_WITNESS_QUORUM`: how many of them make a checkpoint witnessed (default: a majority).
- `LEDGER_TLOG_INTERVAL`: seconds between publishing rounds (default 0.5).
- `LEDGER_TLOG_SIGNING`: `on` (default) or `off` for a node that never signs (an API node on a
  streaming replica): its key folder then needs the `.vkey` files only, no private key.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ledger.settings import Settings, SettingsError
from ledger.tlog.witness import WitnessPolicy

LOG_KEY_SUBDIR = "log"


@dataclass(frozen=True)
class TlogConfig:
    """Everything the transparency log needs besides the ledger's database."""

    origin: str
    key_dir: Path
    witness_vkeys: tuple[str, ...] = ()
    quorum: int | None = None
    interval_s: float = 0.5
    create_dev_keys: bool = True
    signing: bool = True

    @classmethod
    def from_env(cls, settings: Settings, environ: Mapping[str, str] | None = None) -> TlogConfig:
        """Read the `LEDGER_TLOG_*` and `LEDGER_WITNESS_*` variables."""
        env = os.environ if environ is None else environ
        key_dir = env.get("LEDGER_TLOG_KEY_DIR") or str(settings.key_dir / LOG_KEY_SUBDIR)
        try:
            quorum_text = env.get("LEDGER_WITNESS_QUORUM", "").strip()
            quorum = int(quorum_text) if quorum_text else None
            interval = float(env.get("LEDGER_TLOG_INTERVAL", "0.5"))
        except ValueError as e:
            raise SettingsError(
                f"LEDGER_WITNESS_QUORUM is an integer, LEDGER_TLOG_INTERVAL a number: {e}"
            ) from None
        signing_text = env.get("LEDGER_TLOG_SIGNING", "on").strip().lower()
        if signing_text not in ("on", "off"):
            raise SettingsError(f"LEDGER_TLOG_SIGNING expected on or off, got {signing_text!r}")
        if interval <= 0:
            raise SettingsError(f"LEDGER_TLOG_INTERVAL expected more than 0, got {interval}")
        return cls(
            origin=settings.origin,
            key_dir=Path(key_dir),
            witness_vkeys=tuple(env.get("LEDGER_WITNESS_VKEYS", "").split()),
            quorum=quorum,
            interval_s=interval,
            create_dev_keys=signing_text == "on",
            signing=signing_text == "on",
        )

    def policy(self) -> WitnessPolicy:
        """The witness policy these settings describe."""
        return WitnessPolicy.from_vkeys(self.witness_vkeys, self.quorum)
