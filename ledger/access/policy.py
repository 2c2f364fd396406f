"""The access policy, table-driven: who reads which reports and appends which actions.

Which sealed fields each role may see is the table of `disclosure_rules`; docs/api.md has
the same tables in prose. A principal stands in one or more *relations* to a report,
computed from the agency registry; every rule below names the relations it needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ledger.access.disclosure_rules import DISCLOSURE_RULES
from ledger.access.errors import Forbidden, Unauthenticated
from ledger.access.principal import Principal
from ledger.access.relations import Purpose, Relation
from ledger.agencies.registry import AgencyRegistry
from ledger.domain import Action, Report, ReportNotFound, Role

_ALL = frozenset({Relation.ANY})
_NONE: frozenset[Relation] = frozenset()

READ: Mapping[Role, frozenset[Relation]] = MappingProxyType(
    {
        Role.ADMIN_NATIONAL: _ALL,
        Role.OMBUDSMAN_AUDITOR: _ALL,
        Role.KID_AUDITOR: _ALL,
        Role.ADMIN_AGENCY: frozenset({Relation.HANDLING, Relation.INTAKE, Relation.HUB}),
        Role.LIAISON: frozenset({Relation.HANDLING, Relation.HUB}),
        Role.WBS_INVESTIGATOR: frozenset({Relation.HANDLING}),
    }
)

_INTAKE = {Role.ADMIN_NATIONAL: _ALL, Role.ADMIN_AGENCY: frozenset({Relation.INTAKE})}
_HANDLING = frozenset({Relation.HANDLING})
ACT: Mapping[Action, Mapping[Role, frozenset[Relation]]] = MappingProxyType(
    {
        Action.PUT_ON_HOLD: _INTAKE,
        Action.ARCHIVE: _INTAKE,
        Action.VERIFY: _INTAKE,
        Action.DISPOSITION: {
            Role.ADMIN_NATIONAL: _ALL,
            Role.ADMIN_AGENCY: frozenset({Relation.INTAKE, Relation.HANDLING}),
        },
        Action.RETURN_NOT_AUTHORITY: {Role.ADMIN_AGENCY: _HANDLING},
        Action.FOLLOW_UP: {Role.LIAISON: _HANDLING},
        Action.REQUEST_CLARIFICATION: {Role.LIAISON: _HANDLING},
        Action.COMPLETE: {Role.LIAISON: _HANDLING},
        Action.EXTEND_ANSWER_DEADLINE: {Role.ADMIN_AGENCY: _HANDLING, Role.LIAISON: _HANDLING},
        Action.RESPOND: {Role.REPORTER: _ALL},
        Action.REOPEN: {Role.REPORTER: _ALL},
        Action.ESCALATE: {
            Role.REPORTER: _ALL,
            Role.OMBUDSMAN_AUDITOR: _ALL,
            Role.KID_AUDITOR: _ALL,
        },
        Action.ANNOTATE: {Role.OMBUDSMAN_AUDITOR: _ALL, Role.KID_AUDITOR: _ALL},
        Action.ADD_INVESTIGATION_NOTE: {Role.WBS_INVESTIGATOR: _HANDLING},
        Action.ERASE_PERSONAL_DATA: {Role.ADMIN_NATIONAL: _ALL},
    }
)

# Who may submit: reporters (anonymous or an intake channel's token) and intake officers.
SUBMIT: frozenset[Role] = frozenset({Role.REPORTER, Role.ADMIN_NATIONAL, Role.ADMIN_AGENCY})

# Roles whose tokens must name an agency (their scope is that agency).
AGENCY_BOUND: frozenset[Role] = frozenset({Role.ADMIN_AGENCY, Role.LIAISON, Role.WBS_INVESTIGATOR})
TOKEN_ROLES: frozenset[Role] = frozenset(Role) - {Role.SYSTEM}


class Policy:
    """Answers access questions with the tables above and the agency registry."""

    def __init__(self, registry: AgencyRegistry) -> None:
        self.registry = registry

    def relations(self, principal: Principal, report: Report) -> frozenset[Relation]:
        """Every relation the principal has to the report."""
        found = {Relation.ANY}
        mine = principal.agency_id
        if mine is None or mine not in self.registry:
            return frozenset(found)
        places = [p for p in (report.unit_id, report.agency_id) if p and p in self.registry]
        if any(self._same_agency(place, mine) for place in places):
            found.add(Relation.HANDLING)
        target = report.target_agency_id or ""
        if report.dispositions == 0 and target in self.registry and self._same_agency(target, mine):
            found.add(Relation.INTAKE)
        if self.registry.get(mine).is_hub and any(
            self.registry.is_within(place, mine) for place in places
        ):
            found.add(Relation.HUB)
        return frozenset(found)

    def can_read(self, principal: Principal, report: Report) -> bool:
        """Whether the principal sees the report's clear header and hashes."""
        allowed = READ.get(principal.role, _NONE)
        return not principal.is_anonymous and bool(allowed & self.relations(principal, report))

    def may_list(self, principal: Principal) -> bool:
        """Whether the principal reads any reports at all (and so may list them)."""
        return not principal.is_anonymous and bool(READ.get(principal.role))

    def require_read(self, principal: Principal, report: Report) -> None:
        """Raise ReportNotFound for a report outside the principal's view (existence hidden)."""
        if not self.can_read(principal, report):
            raise ReportNotFound(report.id)

    def require_act(self, principal: Principal, action: Action, report: Report) -> None:
        """Raise unless the principal may append this action to this report."""
        if principal.is_anonymous:
            raise Unauthenticated("a bearer token is required to act on a report")
        needed = ACT.get(action, {}).get(principal.role, _NONE)
        if needed & self.relations(principal, report):
            return
        self.require_read(principal, report)
        raise Forbidden(f"role {principal.role} may not {action} this report")

    def require_disposition_target(self, principal: Principal, agency_id: str) -> None:
        """An agency admin dispositions only within its own agency (to its units)."""
        self.registry.get(agency_id)
        if principal.role is Role.ADMIN_NATIONAL:
            return
        if principal.agency_id is None or not self._same_agency(agency_id, principal.agency_id):
            raise Forbidden(f"role {principal.role} may only disposition within its own agency")

    def disclosable(
        self,
        principal: Principal,
        report: Report,
        purpose: Purpose,
        relations: frozenset[Relation] | None = None,
    ) -> frozenset[str]:
        """The sealed field names this principal may see on this report for the purpose."""
        have = self.relations(principal, report) if relations is None else relations
        fields: set[str] = set()
        for rule in DISCLOSURE_RULES:
            if rule.applies(principal.role, have, purpose, report):
                fields |= rule.fields
        return frozenset(fields)

    def _same_agency(self, place: str, mine: str) -> bool:
        """`place` is `mine` or one of its units (never across another agency's boundary)."""
        return self.registry.is_within(place, mine) and self._owner(place) == self._owner(mine)

    def _owner(self, agency_id: str) -> str:
        """The agency a unit belongs to (a non-unit owns itself)."""
        agency = self.registry.get(agency_id)
        while agency.level == "unit" and agency.parent is not None:
            agency = self.registry.get(agency.parent)
        return agency.id
