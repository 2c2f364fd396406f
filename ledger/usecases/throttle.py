"""Fixed-window rate limits whose counters live in the database, shared by every worker."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime

from ledger.access.errors import RateLimited
from ledger.storage.access import AccessStore


class Throttle:
    """Counts attempts per client and in total; refuses with the seconds to wait."""

    def __init__(
        self,
        store: AccessStore,
        *,
        name: str,
        per_client: int,
        total: int,
        window_s: int,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.name = name
        self.per_client = per_client
        self.total = total
        self.window_s = window_s
        self.clock = clock

    def check(self, client: str) -> None:
        """Count one attempt; raise RateLimited when the client or everyone is over the limit."""
        # The total counts only attempts within their client's limit, so one noisy client
        # cannot use up everyone else's budget.
        now = self.clock().timestamp()
        window = int(now // self.window_s) * self.window_s
        retry_after = max(1, math.ceil(window + self.window_s - now))
        (mine,) = self.store.hit([f"{self.name}:client:{client}"], window)
        if mine > self.per_client:
            raise RateLimited("too many attempts from this client", retry_after=retry_after)
        (everyone,) = self.store.hit([f"{self.name}:all"], window)
        if everyone == 1:  # first attempt of a new window: forget the old ones
            self.store.purge_windows(window)
        if everyone > self.total:
            raise RateLimited(
                "too many attempts; the service is throttling", retry_after=retry_after
            )
