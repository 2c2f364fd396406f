"""Keeping the projections current inside a long-running process.

On SQLite, `Follower` polls: a daemon thread catches up every `interval` seconds. On
PostgreSQL, `Follower(..., use_runner=True)` hands each projection to eventsourcing's
ProjectionRunner (LISTEN/NOTIFY), one transaction per event. Either way a projection that
meets a failing event records it and stays stopped there until the process is restarted.

In a serving process the polling follower shares the interpreter lock with the request
threads, so it works in small batches (`batch_size` events per transaction) and sleeps
`pause_s` after each, rather than folding a second's worth of events at a stretch while the
requests of its process queue for the lock.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterable
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError

from ledger.application import LedgerApplication
from projections.backends import ProjectionStopped
from projections.runner import CatchUp, Projections, start_runner
from projections.views import PositionTaken

log = logging.getLogger(__name__)
BATCH_SIZE = 50  # events per transaction while following
PAUSE_S = 0.002  # after each batch, so that waiting threads take the interpreter lock


class _Stopping(Exception):
    """Raised between batches when the follower is asked to stop."""


def caught_up(p: Projections, names: Iterable[str] | None = None, **options: Any) -> list[CatchUp]:
    """Catch up to the log's end, going on after another process that applies the same events
    (followers, commands and timers may run side by side: each batch is applied once)."""
    while True:
        try:
            return p.catch_up(names, **options)
        except PositionTaken:  # another process applied that batch: go on from there
            continue


class Follower:
    """Catches the projections up with the log in the background until stopped."""

    def __init__(
        self,
        app: LedgerApplication,
        *,
        interval: float = 1.0,
        use_runner: bool = False,
        batch_size: int = BATCH_SIZE,
        pause_s: float = PAUSE_S,
    ) -> None:
        self.app = app
        self.interval = interval
        self.use_runner = use_runner
        self.batch_size = batch_size
        self.pause_s = pause_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._runners: list[Any] = []

    def start(self) -> Follower:
        """Start following; returns self."""
        if self.use_runner:
            for name in ("reports", "daily"):
                runner = start_runner(self.app.settings, name)
                self._runners.append(runner.__enter__())
            return self
        self._thread = threading.Thread(target=self._poll, name="projections", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop following and wait for the worker to finish its batch."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        for runner in self._runners:
            runner.stop()
            with contextlib.suppress(ProjectionStopped):  # its failure row says why
                runner.__exit__(None, None, None)
        self._runners = []

    def _between_batches(self, name: str, position: int, top: int) -> None:
        if self._stop.is_set():
            raise _Stopping
        if self.pause_s > 0:
            time.sleep(self.pause_s)  # let the request threads run

    def _poll(self) -> None:
        projections: Projections | None = None
        stopped: set[str] = set()
        while not self._stop.is_set():
            try:
                projections = projections or Projections(self.app)  # the database may be down
                names = [n for n in projections.views if n not in stopped]
                for result in projections.catch_up(
                    names, batch_size=self.batch_size, progress=self._between_batches
                ):
                    if result.failure is not None:
                        stopped.add(result.name)
                        log.error("projection %s stopped: %s", result.name, result.failure)
            except _Stopping:
                return
            except PositionTaken:  # another process applied that batch: next round goes on
                pass
            except (OperationalError, InterfaceError) as e:  # retried next round
                log.warning("projection catch-up will be retried: %s", e)
            self._stop.wait(self.interval)
