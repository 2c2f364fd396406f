"""Settings of the API use cases (rate limits, idempotency retention), read in one place."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

from ledger.settings import SettingsError


@dataclass(frozen=True)
class AccessSettings:
    """Limits of the access layer; `LEDGER_<NAME>` in the environment overrides each."""

    receipt_limit_per_client: int = 10
    receipt_limit_total: int = 300
    receipt_window_s: int = 60
    idempotency_ttl_s: int = 24 * 3600
    receipt_proof_wait_s: int = 3  # a new receipt waits this long for its tlog-proof
    checkpoint_wait_s: int = 10  # the longest `Prefer: wait-for-checkpoint` waits

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AccessSettings:
        """Read `LEDGER_RECEIPT_LIMIT_PER_CLIENT` and friends; positive integers only."""
        env = os.environ if environ is None else environ
        values: dict[str, int] = {}
        for f in fields(cls):
            name = f"LEDGER_{f.name.upper()}"
            if name in env:
                try:
                    values[f.name] = int(env[name])
                except ValueError:
                    raise SettingsError(f"{name} must be an integer") from None
                if values[f.name] <= 0:
                    raise SettingsError(f"{name} must be positive")
        return cls(**values)
