"""Idempotency keys: a replayed key returns the first result and writes nothing new.

The key is claimed (a pending row) before the action runs and completed with the response
after it; a ledger error (nothing written) gives the key back so the client may retry.
Any other failure leaves the key pending: whether the event was written is then unknown,
and a replay answers "in progress" instead of risking a second append.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

from ledger.access.errors import IdempotencyInProgress, IdempotencyKeyReused
from ledger.domain import LedgerError
from ledger.storage.access import AccessStore

T = TypeVar("T")


def fingerprint(request: dict[str, Any]) -> bytes:
    """SHA-256 of the canonical JSON of what the request asks for."""
    text = json.dumps(request, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).digest()


class Idempotency:
    """Runs an action at most once per (scope, key) within the retention time."""

    def __init__(self, store: AccessStore, ttl_s: int) -> None:
        self.store = store
        self.ttl_us = ttl_s * 1_000_000

    def run(
        self,
        scope: str,
        key: str,
        print_: bytes,
        attempt: Callable[[], T],
        encode: Callable[[T], str],
        decode: Callable[[str], T],
    ) -> tuple[T, bool]:
        """The action's result and whether it is a replay of an earlier one."""
        now_us = time.time_ns() // 1000
        earlier = self.store.claim_key(scope, key, print_, now_us, now_us - self.ttl_us)
        if earlier is not None:
            if not hmac.compare_digest(earlier.fingerprint, print_):
                raise IdempotencyKeyReused("this Idempotency-Key was used with a different request")
            if earlier.status != "done" or earlier.response is None:
                raise IdempotencyInProgress("a request with this Idempotency-Key is in progress")
            return decode(earlier.response), True
        try:
            result = attempt()
        except LedgerError:
            self.store.release_key(scope, key)
            raise
        self.store.complete_key(scope, key, encode(result))
        return result, False
