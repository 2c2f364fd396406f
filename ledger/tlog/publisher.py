"""The background publisher: integrate and sign every interval, in a daemon thread.

One publisher runs per service process. On PostgreSQL several processes may each run one;
the advisory lock lets one of them publish per round. If the log ever refuses to sign
(InconsistentTree), the publisher stops for good and keeps the error: a log whose tree no
longer extends its signed history needs an operator, not a retry.
"""

from __future__ import annotations

import logging
import threading

from ledger.tlog.checkpoint import SignedCheckpoint
from ledger.tlog.errors import InconsistentTree
from ledger.tlog.log import TransparencyLog

log = logging.getLogger(__name__)


class TlogPublisher:
    """Runs `TransparencyLog.publish_once` every `interval_s` seconds until stopped."""

    def __init__(self, tlog: TransparencyLog, interval_s: float = 0.5) -> None:
        if interval_s <= 0:
            raise ValueError(f"interval expected more than 0 s, got {interval_s}")
        self.tlog = tlog
        self.interval_s = interval_s
        self.failure: InconsistentTree | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def publish_once(self) -> SignedCheckpoint | None:
        """Integrate and sign now, in the caller's thread."""
        return self.tlog.publish_once()

    def start(self) -> None:
        """Start the background thread (once)."""
        if self._thread is not None:
            raise RuntimeError("the publisher is already started")
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="tlog-publisher", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the thread to stop and wait for the round in progress to end."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        """True while the background thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.tlog.publish_once()
            except InconsistentTree as e:
                self.failure = e
                log.critical("transparency log publisher stopped: %s", e)
                return
            except Exception:  # a database hiccup: log it and try again next round
                log.exception("publishing a checkpoint failed; retrying in %s s", self.interval_s)
            self._stop.wait(self.interval_s)
