"""The agency registry: who is who in SP4N-LAPOR!, where, and under which SLA policy."""

from __future__ import annotations

from ledger.agencies.registry import (
    LEVELS,
    TIERS,
    Agency,
    AgencyRegistry,
    AgencyRegistryError,
    UnknownAgency,
)

__all__ = ["LEVELS", "TIERS", "Agency", "AgencyRegistry", "AgencyRegistryError", "UnknownAgency"]
