"""Composition root: builds the ledger from settings, keys and backend."""

from __future__ import annotations

from ledger.application import LedgerApplication
from ledger.settings import Settings
from ledger.storage.datakeys import DataKeys
from ledger.storage.keys import KeyRing


def build_ledger(
    settings: Settings | None = None,
    *,
    keyring: KeyRing | None = None,
    open_sealed: bool = True,
) -> LedgerApplication:
    """Build the ledger application; defaults come from the environment, resolved now."""
    settings = settings if settings is not None else Settings.from_env()
    keyring = keyring if keyring is not None else KeyRing.load(settings.key_dir)
    return LedgerApplication(settings, DataKeys(keyring), open_sealed=open_sealed)
