"""Per-app state: the ledger, its transparency log and use cases, built lazily from settings."""

from __future__ import annotations

import atexit
import logging
import os
import threading

from flask import Flask, current_app
from werkzeug.exceptions import ServiceUnavailable

from ledger.application import LedgerApplication
from ledger.bootstrap import build_ledger
from ledger.settings import Settings
from ledger.storage.keys import KeyRing
from ledger.tlog import TlogConfig, TlogPublisher, TransparencyLog, build_publisher, build_tlog
from ledger.usecases import AccessSettings, UseCases, build_usecases

EXTENSION = "lapor_ledger"
log = logging.getLogger(__name__)


class LedgerHolder:
    """Builds the ledger on first use, so `--help` and the OpenAPI export need no database.

    It also holds the app's one transparency log and this process's publisher: started on
    the first request that needs the log (so in each gunicorn worker, after the fork, and
    never in operator commands), stopped by `close()` and at interpreter exit.
    """

    def __init__(
        self,
        settings: Settings,
        keyring: KeyRing | None = None,
        access: AccessSettings | None = None,
        *,
        tlog_config: TlogConfig | None = None,
        publishing: bool = True,
    ) -> None:
        self.settings = settings
        self.access = access
        self.publishing = publishing
        self._keyring = keyring
        self._tlog_config = tlog_config
        self._ledger: LedgerApplication | None = None
        self._usecases: UseCases | None = None
        self._tlog: TransparencyLog | None = None
        self._publisher: TlogPublisher | None = None
        self._publisher_pid = 0
        self._lock = threading.Lock()

    @property
    def ledger(self) -> LedgerApplication:
        if self._ledger is None:
            with self._lock:
                if self._ledger is None:
                    self._ledger = build_ledger(self.settings, keyring=self._keyring)
        return self._ledger

    @property
    def tlog_config(self) -> TlogConfig:
        """The transparency log's settings (LEDGER_TLOG_*, LEDGER_WITNESS_*)."""
        if self._tlog_config is None:
            self._tlog_config = TlogConfig.from_env(self.settings)
        return self._tlog_config

    @property
    def tlog(self) -> TransparencyLog:
        """The app's one transparency log (its tables and keys are set up on first use)."""
        if self._tlog is None:
            ledger, config = self.ledger, self.tlog_config
            with self._lock:
                if self._tlog is None:
                    self._tlog = build_tlog(ledger, config)
        return self._tlog

    @property
    def usecases(self) -> UseCases:
        """The API's use cases over this ledger."""
        if self._usecases is None:
            ledger = self.ledger
            with self._lock:
                if self._usecases is None:
                    self._usecases = build_usecases(
                        ledger, self.access, tlog=lambda: self.tlog, publishing=self.publishing
                    )
        return self._usecases

    @property
    def publisher(self) -> TlogPublisher | None:
        """This process's running publisher, if any."""
        return self._publisher

    def start_publisher(self) -> None:
        """Start this process's publisher unless it runs or publishing is off."""
        if not self.publishing or (self._publisher and self._publisher_pid == os.getpid()):
            return
        tlog = self.tlog
        with self._lock:
            if self._publisher is None or self._publisher_pid != os.getpid():  # new or forked
                publisher = build_publisher(tlog, self.tlog_config)
                publisher.start()
                self._publisher, self._publisher_pid = publisher, os.getpid()
                atexit.register(self.stop_publisher)

    def stop_publisher(self) -> None:
        """Stop the publisher after its current round; idempotent."""
        publisher, self._publisher = self._publisher, None
        if publisher is not None:
            atexit.unregister(self.stop_publisher)
            publisher.stop()

    def ready(self) -> None:
        """Raise ServiceUnavailable unless the database answers a query."""
        try:
            self.usecases.ready()
        except Exception:  # any failure to reach the database means "not ready"
            log.warning("readiness check failed", exc_info=True)
            raise ServiceUnavailable("the database is not reachable") from None

    def close(self) -> None:
        """Stop the publisher, then close database connections."""
        self.stop_publisher()
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None
            self._usecases = None
            self._tlog = None


def init_app(
    app: Flask,
    settings: Settings,
    keyring: KeyRing | None = None,
    access: AccessSettings | None = None,
    *,
    tlog_config: TlogConfig | None = None,
    publishing: bool = True,
) -> LedgerHolder:
    """Attach a ledger holder to the app."""
    holder = LedgerHolder(settings, keyring, access, tlog_config=tlog_config, publishing=publishing)
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


def tlog() -> TransparencyLog:
    """The current app's transparency log."""
    return holder().tlog
