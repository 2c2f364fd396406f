"""Work queues, SLA clocks and compliance figures, scoped to the caller.

The numbers come from the projections (docs/projections.md); `ledger/` imports nothing of
`projections/`, so they arrive through `ProjectionReads`, which the API layer wires. Who sees
what is `ledger.usecases.scopes`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from ledger.access.policy import Policy
from ledger.access.principal import Principal
from ledger.application import LedgerApplication
from ledger.domain import InvalidCommand
from ledger.usecases.oversight_reads import Days, FiguresAt, ProjectionReads
from ledger.usecases.scopes import Scope, owner_of, scope_of


class Oversight:
    """Use cases on the projections: queues, one report's clocks, compliance, daily figures."""

    def __init__(
        self,
        app: LedgerApplication,
        policy: Policy,
        reads: ProjectionReads,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.app = app
        self.policy = policy
        self.reads = reads
        self.clock = clock or (lambda: datetime.now(UTC))

    def _scope(self, who: Principal, **filters: str | None) -> Scope:
        """The caller's scope, after checking that every named agency exists and is in it."""
        scope = scope_of(self.policy, who)
        self._known(**filters)
        for name, agency_id in filters.items():
            scope.require(agency_id, name)
        return scope

    def _known(self, **filters: str | None) -> None:
        """Refuse a filter naming an agency the registry does not have."""
        for name, agency_id in filters.items():
            if agency_id is not None and agency_id not in self.policy.registry:
                raise InvalidCommand(f"unknown agency {agency_id!r}", field=name)

    def verification_queue(
        self,
        who: Principal,
        *,
        agency: str | None = None,
        hub: str | None = None,
        classification: str | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> Any:
        """Reports awaiting verification whose intake agency the caller sees, oldest first."""
        scope = self._scope(who, agency=agency, hub=hub)
        return self.reads.verification_queue(
            agency=agency,
            hub=hub,
            classification=classification,
            within=scope.agencies,
            cursor=cursor,
            limit=limit,
        )

    def inbox(
        self,
        who: Principal,
        *,
        agency: str | None = None,
        unit: str | None = None,
        classification: str | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> Any:
        """An agency's (or unit's) open reports; by default the caller's own."""
        scope = self._scope(who, unit=unit)
        self._known(agency=agency)
        if agency is None and unit is not None:
            agency = owner_of(self.policy.registry, unit)
        elif agency is None and scope.agencies is not None and who.agency_id is not None:
            agency, unit = owner_of(self.policy.registry, who.agency_id), scope.unit
        if agency is None:
            raise InvalidCommand("name the agency whose inbox to read", field="agency")
        scope.require(unit or agency, "unit" if unit else "agency")
        return self.reads.inbox(
            agency, unit, classification=classification, cursor=cursor, limit=limit
        )

    def overdue(
        self,
        who: Principal,
        *,
        now: datetime | None = None,
        agency: str | None = None,
        hub: str | None = None,
        unit: str | None = None,
        classification: str | None = None,
        cursor: str | None = None,
        limit: int = 100,
    ) -> Any:
        """Open clocks past due at `now` of the agencies the caller sees, most overdue first."""
        scope = self._scope(who, agency=agency, hub=hub, unit=unit)
        within: Collection[str] | None = scope.agencies
        if scope.unit is not None:  # a unit's clocks run under its agency's name
            unit = unit or scope.unit
            within = {owner_of(self.policy.registry, scope.unit)}
        return self.reads.overdue(
            now or self.clock(),
            agency=agency,
            hub=hub,
            unit=unit,
            classification=classification,
            within=within,
            cursor=cursor,
            limit=limit,
        )

    def report_sla(self, who: Principal, report_id: UUID, *, now: datetime | None = None) -> Any:
        """Every clock of a report the caller may read, with its status at `now`."""
        scope_of(self.policy, who)
        self.policy.require_read(who, self.app.get_report(report_id))
        return self.reads.report_sla(str(report_id), now=now or self.clock())

    def compliance(
        self,
        who: Principal,
        *,
        group_by: str = "agency",
        period: Days | None = None,
        classification: str | None = None,
        agency: str | None = None,
        hub: str | None = None,
        as_of: datetime | None = None,
    ) -> FiguresAt:
        """Compliance rows of the groups the caller sees (national rows: every reader)."""
        scope = self._scope(who, agency=agency, hub=hub)
        found = self.reads.compliance(
            group_by=group_by,
            period=period,
            classification=classification,
            agency=agency,
            hub=hub,
            as_of=as_of or self.clock(),
        )
        rows = [r for r in found.rows if group_by == "national" or scope.keeps(r.group)]
        return FiguresAt(rows, found.as_of, found.position, found.tree_size)

    def daily_stats(
        self, who: Principal, *, period: Days | None = None, classification: str | None = None
    ) -> Any:
        """National volumes per day and their resolution (every reader)."""
        scope_of(self.policy, who)
        return self.reads.daily_stats(period=period, classification=classification)
