"""Per-app state: the ledger and its use cases built lazily from the app's settings."""

from __future__ import annotations

import logging
import threading

from flask import Flask, current_app
from werkzeug.exceptions import ServiceUnavailable

from ledger.application import LedgerApplication
from ledger.bootstrap import build_ledger
from ledger.settings import Settings
from ledger.storage.keys import KeyRing
from ledger.usecases import AccessSettings, UseCases, build_usecases

EXTENSION = "lapor_ledger"
log = logging.getLogger(__name__)


class LedgerHolder:
    """Builds the ledger on first use, so `--help` and the OpenAPI export need no database."""

    def __init__(
        self,
        settings: Settings,
        keyring: KeyRing | None = None,
        access: AccessSettings | None = None,
    ) -> None:
        self.settings = settings
        self.access = access
        self._keyring = keyring
        self._ledger: LedgerApplication | None = None
        self._usecases: UseCases | None = None
        self._lock = threading.Lock()

    @property
    def ledger(self) -> LedgerApplication:
        if self._ledger is None:
            with self._lock:
                if self._ledger is None:
                    self._ledger = build_ledger(self.settings, keyring=self._keyring)
        return self._ledger

    @property
    def usecases(self) -> UseCases:
        """The API's use cases over this ledger."""
        if self._usecases is None:
            ledger = self.ledger
            with self._lock:
                if self._usecases is None:
                    self._usecases = build_usecases(ledger, self.access)
        return self._usecases

    def ready(self) -> None:
        """Raise ServiceUnavailable unless the database answers a query."""
        try:
            self.usecases.ready()
        except Exception:  # any failure to reach the database means "not ready"
            log.warning("readiness check failed", exc_info=True)
            raise ServiceUnavailable("the database is not reachable") from None

    def close(self) -> None:
        """Close database connections."""
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None
            self._usecases = None


def init_app(
    app: Flask,
    settings: Settings,
    keyring: KeyRing | None = None,
    access: AccessSettings | None = None,
) -> LedgerHolder:
    """Attach a ledger holder to the app."""
    holder = LedgerHolder(settings, keyring, access)
    app.extensions[EXTENSION] = holder
    return holder


def holder() -> LedgerHolder:
    """The current app's ledger holder."""
    found: LedgerHolder = current_app.extensions[EXTENSION]
    return found


def ledger() -> LedgerApplication:
    """The current app's ledger application."""
    return holder().ledger


def usecases() -> UseCases:
    """The current app's use cases."""
    return holder().usecases
