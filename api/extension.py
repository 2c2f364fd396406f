"""Per-app state: the ledger, its transparency log and use cases, built lazily from settings."""

from __future__ import annotations

import logging
import sys
import threading
from typing import Any

from flask import Flask, current_app
from werkzeug.exceptions import ServiceUnavailable

from api.leader import FollowerLease
from api.workers import PerProcess
from ledger.access.policy import Policy
from ledger.application import LedgerApplication
from ledger.bootstrap import build_ledger
from ledger.settings import Settings
from ledger.storage.keys import KeyRing
from ledger.tlog import TlogConfig, TlogPublisher, TransparencyLog, build_publisher, build_tlog
from ledger.usecases import AccessSettings, UseCases, build_usecases
from ledger.usecases.oversight import Oversight
from projections.follower import Follower
from projections.reads import ProjectionReads
from projections.runner import Projections

EXTENSION = "lapor_ledger"
FOLLOW_INTERVAL_S = 1.0  # how stale the queues may be in a serving process
FOLLOWER_SWITCH_INTERVAL_S = 0.0005
"""The interpreter's thread switch interval while this process follows (Python's default is
5 ms; restored when the follower stops): the follower runs Python while the request threads
mostly wait on the database, and each of them back from a query waits up to this long for the
follower to hand the lock over."""
log = logging.getLogger(__name__)


class LedgerHolder:
    """Builds the ledger on first use, so `--help` and the OpenAPI export need no database.

    It also holds the app's one transparency log and this process's publisher: started on
    the first request that needs the log (so in each gunicorn worker, after the fork, and
    never in operator commands), stopped by `close()` and at interpreter exit. The app's one
    `Projections` and this process's projection follower are held and started the same way,
    the follower only in the one process that holds the database's follower lease.
    """

    def __init__(
        self,
        settings: Settings,
        keyring: KeyRing | None = None,
        access: AccessSettings | None = None,
        *,
        tlog_config: TlogConfig | None = None,
        publishing: bool = True,
        following: bool = True,
    ) -> None:
        self.settings = settings
        self.access = access
        self.publishing = publishing
        self.following = following
        self._keyring = keyring
        self._tlog_config = tlog_config
        self._ledger: LedgerApplication | None = None
        self._usecases: UseCases | None = None
        self._tlog: TransparencyLog | None = None
        self._publisher = PerProcess(self._new_publisher, TlogPublisher.stop)
        self._projections: Projections | None = None
        self._oversight: Oversight | None = None
        self._follower = PerProcess(self._new_follower, Follower.stop)
        self.follower_lease = FollowerLease(settings.database)
        self._lock = threading.Lock()
        self._switch_interval: float | None = None  # the process's own, while following

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
    def projections(self) -> Projections:
        """The app's projections (their tables are created on first use, where allowed)."""
        if self._projections is None:
            ledger = self.ledger
            with self._lock:
                if self._projections is None:
                    self._projections = Projections(ledger)
        return self._projections

    @property
    def oversight(self) -> Oversight:
        """The use cases on the projections: queues, SLA clocks, compliance."""
        if self._oversight is None:
            ledger, projections = self.ledger, self.projections
            with self._lock:
                if self._oversight is None:
                    policy = Policy(projections.registry)
                    self._oversight = Oversight(ledger, policy, ProjectionReads(projections))
        return self._oversight

    @property
    def follower(self) -> Follower | None:
        """This process's running projection follower, if any."""
        return self._follower.running

    def start_follower(self) -> None:
        """Start this process's projection follower unless it runs, following is off, or
        another process holds the follower lease (it is tried again every few seconds)."""
        if self.following and self._follower.running is None and self.follower_lease.held():
            self._follower.ensure()

    def stop_follower(self) -> None:
        """Stop the follower after its current batch, then give the lease up; idempotent."""
        self._follower.stop()
        self.follower_lease.release()
        if self._switch_interval is not None:
            sys.setswitchinterval(self._switch_interval)
            self._switch_interval = None

    def _new_follower(self) -> Follower:
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(FOLLOWER_SWITCH_INTERVAL_S)
        return Follower(self.ledger, interval=FOLLOW_INTERVAL_S).start()

    @property
    def publisher(self) -> TlogPublisher | None:
        """This process's running publisher, if any."""
        return self._publisher.running

    def start_publisher(self) -> None:
        """Start this process's publisher unless it runs or publishing is off."""
        if self.publishing:
            self._publisher.ensure()

    def stop_publisher(self) -> None:
        """Stop the publisher after its current round; idempotent."""
        self._publisher.stop()

    def _new_publisher(self) -> TlogPublisher:
        publisher = build_publisher(self.tlog, self.tlog_config)
        publisher.start()
        return publisher

    def ready(self) -> None:
        """Raise ServiceUnavailable unless the database answers a query."""
        try:
            self.usecases.ready()
        except Exception:  # any failure to reach the database means "not ready"
            log.warning("readiness check failed", exc_info=True)
            raise ServiceUnavailable("the database is not reachable") from None

    def close(self) -> None:
        """Stop the publisher and the follower, then close database connections."""
        self.stop_publisher()
        self.stop_follower()
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None
            self._usecases = None
            self._tlog = None
            self._projections = None
            self._oversight = None


def init_app(
    app: Flask,
    settings: Settings,
    keyring: KeyRing | None = None,
    access: AccessSettings | None = None,
    **options: Any,
) -> LedgerHolder:
    """Attach a ledger holder to the app; `options` are LedgerHolder's keyword arguments."""
    holder = LedgerHolder(settings, keyring, access, **options)
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


def oversight() -> Oversight:
    """The current app's use cases on the projections."""
    return holder().oversight
