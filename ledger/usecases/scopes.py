"""Who sees which agencies' queues and figures: the scope of a token.

A token sees every agency (national admin, auditors), or its own agency with its units, plus
every agency below it if its agency is a hub; reporters and witnesses see none. The relations
are those of the report reads (ledger.access.policy.READ).
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.access.errors import Forbidden
from ledger.access.policy import READ, Policy
from ledger.access.principal import Principal
from ledger.access.relations import Relation
from ledger.agencies.registry import AgencyRegistry


@dataclass(frozen=True)
class Scope:
    """The agencies whose queues and figures a caller sees; None means every agency."""

    agencies: frozenset[str] | None
    unit: str | None = None  # the caller's unit, when its token is bound to a unit (OPD)

    def require(self, agency_id: str | None, name: str) -> None:
        """Refuse a filter naming an agency outside the scope."""
        if agency_id is not None and not self.keeps(agency_id):
            raise Forbidden(f"{name} {agency_id!r} is outside the agencies this token reads")

    def keeps(self, agency_id: str) -> bool:
        """Whether an agency is in the scope."""
        return self.agencies is None or agency_id in self.agencies


def owner_of(registry: AgencyRegistry, agency_id: str) -> str:
    """The agency a unit belongs to (an agency owns itself)."""
    agency = registry.get(agency_id)
    while agency.level == "unit" and agency.parent is not None:
        agency = registry.get(agency.parent)
    return agency.id


def scope_of(policy: Policy, who: Principal) -> Scope:
    """What a principal sees, from the same relations as the report reads (ledger.access)."""
    if not policy.may_list(who):
        raise Forbidden(f"role {who.role} reads no queues or figures")
    relations, registry, mine = READ[who.role], policy.registry, who.agency_id
    if Relation.ANY in relations:
        return Scope(None)
    if mine is None or mine not in registry:
        return Scope(frozenset())
    owner = owner_of(registry, mine)
    below = {a.id for a in registry.descendants(mine)}
    found = {mine} | {a for a in below if owner_of(registry, a) == owner}  # its units
    if Relation.HUB in relations and registry.get(mine).is_hub:
        found |= below
    return Scope(frozenset(found), mine if owner != mine else None)
