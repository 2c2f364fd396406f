"""Background workers of a serving process: one per process, started after a fork too."""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

W = TypeVar("W")


class PerProcess(Generic[W]):
    """A worker started on demand once in each process (so in each gunicorn worker, after the
    fork), stopped by `stop()` or at interpreter exit."""

    def __init__(self, start: Callable[[], W], stop: Callable[[W], None]) -> None:
        self._start = start
        self._stop = stop
        self._worker: W | None = None
        self._pid = 0
        self._lock = threading.Lock()

    @property
    def running(self) -> W | None:
        """This process's worker, if started."""
        return self._worker if self._pid == os.getpid() else None

    def ensure(self) -> None:
        """Start the worker unless this process runs one already."""
        if self.running is not None:
            return
        with self._lock:
            if self.running is None:  # new, or inherited from the parent of a fork
                self._worker, self._pid = self._start(), os.getpid()
                atexit.register(self.stop)

    def stop(self) -> None:
        """Stop the worker; idempotent."""
        worker, self._worker = self._worker, None
        if worker is not None:
            atexit.unregister(self.stop)
            self._stop(worker)
