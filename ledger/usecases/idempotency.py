"""Idempotency keys: a replayed key returns the first result and writes nothing new.

The key is claimed (a pending row, in its own short transaction) before the action runs. The
action's save completes it: the response is stored in the append's own storage transaction
(`ledger.storage.key_completion`), so an acknowledged append always has its stored response.
A ledger error (nothing written) gives the key back so the client may retry at once. After
any other failure the claim stays pending for its lease (`LEASE_S`): an append that did not
commit leaves nothing but the claim, and once the lease has run out the key is free again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ledger.access.errors import IdempotencyInProgress, IdempotencyKeyReused
from ledger.domain import LedgerError
from ledger.storage.access import AccessStore

T = TypeVar("T")

LEASE_S = 60
"""How long a claim stays "in progress" without a committed append (see docs/api.md)."""


def fingerprint(request: dict[str, Any]) -> bytes:
    """SHA-256 of the canonical JSON of what the request asks for."""
    text = json.dumps(request, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).digest()


@dataclass(frozen=True)
class Claim:
    """A key this request holds: the save completes it (see `KeyCompletion`)."""

    scope: str
    key: str
    claimed_at_us: int


class Idempotency:
    """Runs an action at most once per (scope, key) within the retention time."""

    def __init__(self, store: AccessStore, ttl_s: int, lease_s: float = LEASE_S) -> None:
        self.store = store
        self.ttl_us = ttl_s * 1_000_000
        self.lease_us = int(lease_s * 1_000_000)

    def cutoffs(self, now_us: int) -> tuple[int, int]:
        """Records created before the first are expired; claims before the second, stale."""
        return now_us - self.ttl_us, now_us - self.lease_us

    def run(
        self,
        scope: str,
        key: str,
        print_: bytes,
        attempt: Callable[[Claim], T],
        decode: Callable[[str], T],
    ) -> tuple[T, bool]:
        """The action's result and whether it is a replay of an earlier one.

        `attempt` must complete the claim in its save (or write nothing and raise).
        """
        now_us = time.time_ns() // 1000
        earlier = self.store.claim_key(scope, key, print_, now_us, *self.cutoffs(now_us))
        if earlier is not None:
            if not hmac.compare_digest(earlier.fingerprint, print_):
                raise IdempotencyKeyReused("this Idempotency-Key was used with a different request")
            if earlier.status != "done" or earlier.response is None:
                raise IdempotencyInProgress("a request with this Idempotency-Key is in progress")
            return decode(earlier.response), True
        try:
            result = attempt(Claim(scope, key, now_us))
        except LedgerError:
            self.store.release_key(scope, key, now_us)  # a lost claim is left to its new owner
            raise
        return result, False
