"""Access errors: refused before any domain rule runs; nothing is written."""

from __future__ import annotations

from ledger.domain.errors import LedgerError


class AccessError(LedgerError):
    """Base of the errors raised by authentication, authorization and throttling."""


class Unauthenticated(AccessError):
    """No valid bearer token where one is required."""


class Forbidden(AccessError):
    """The principal may not perform this action or see this content."""


class UnknownToken(AccessError):
    """No token with this id (operator commands)."""


class RateLimited(AccessError):
    """Too many attempts in the current window; retry after `retry_after` seconds."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class ReceiptNotRecognised(AccessError):
    """The receipt matches no report (wrong, mistyped, or the report is gone)."""


class IdempotencyKeyReused(AccessError):
    """The Idempotency-Key was used before with a different request."""


class IdempotencyInProgress(AccessError):
    """A request with the same Idempotency-Key is still running."""
