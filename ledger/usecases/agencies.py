"""The agency registry as the API shows it."""

from __future__ import annotations

from ledger.agencies.registry import Agency, AgencyRegistry


class Agencies:
    """Read-only access to the registry of K/L/D agencies and their units."""

    def __init__(self, registry: AgencyRegistry) -> None:
        self.registry = registry

    def list(self, *, parent: str | None = None, level: str | None = None) -> list[Agency]:
        """Agencies in registry order, optionally those directly under a parent or of a level."""
        found = self.registry.children(parent) if parent is not None else self.registry.all()
        return [a for a in found if level is None or a.level == level]

    def get(self, agency_id: str) -> Agency:
        """One agency; raises UnknownAgency."""
        return self.registry.get(agency_id)
