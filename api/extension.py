"""Per-app state: the ledger built lazily from the app's settings, reached through `ledger()`."""

from __future__ import annotations

import threading

from flask import Flask, current_app

from ledger.application import LedgerApplication
from ledger.bootstrap import build_ledger
from ledger.settings import Settings
from ledger.storage.keys import KeyRing

EXTENSION = "lapor_ledger"


class LedgerHolder:
    """Builds the ledger on first use, so `--help` and the OpenAPI export need no database."""

    def __init__(self, settings: Settings, keyring: KeyRing | None = None) -> None:
        self.settings = settings
        self._keyring = keyring
        self._ledger: LedgerApplication | None = None
        self._lock = threading.Lock()

    @property
    def ledger(self) -> LedgerApplication:
        if self._ledger is None:
            with self._lock:
                if self._ledger is None:
                    self._ledger = build_ledger(self.settings, keyring=self._keyring)
        return self._ledger

    def close(self) -> None:
        """Close database connections."""
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None


def init_app(app: Flask, settings: Settings, keyring: KeyRing | None = None) -> LedgerHolder:
    """Attach a ledger holder to the app."""
    holder = LedgerHolder(settings, keyring)
    app.extensions[EXTENSION] = holder
    return holder


def holder() -> LedgerHolder:
    """The current app's ledger holder."""
    found: LedgerHolder = current_app.extensions[EXTENSION]
    return found


def ledger() -> LedgerApplication:
    """The current app's ledger application."""
    return holder().ledger
