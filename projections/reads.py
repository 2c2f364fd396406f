"""The read side the API's use cases call: the queries bound to one `Projections`.

It adds what a query alone does not know: the log size (`tree_size`) that the compliance
figures were computed at, so that an auditor can recompute them from that prefix of the log.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from projections.compliance import (
    ComplianceRow,
    DailyStats,
    GroupBy,
    compliance_at,
    daily_stats,
)
from projections.lists import InboxItem, OverdueItem, QueueItem, inbox, overdue, verification_queue
from projections.paging import Page
from projections.rules.figures import Period
from projections.runner import Projections
from projections.sla_status import ReportSla, report_sla

Days = tuple[date, date]  # first and last report day, both included


@dataclass(frozen=True)
class LoggedFigures:
    """Compliance rows, the moment they judge the clocks at, and where in the log they stand."""

    rows: list[ComplianceRow]
    as_of: datetime
    position: int  # notification id of the last event the `reports` view applied (0: none)
    tree_size: int  # log entries up to and including that event


def _period(days: Days | None) -> Period | None:
    return None if days is None else Period(*days)


class ProjectionReads:
    """The queries of docs/projections.md over one set of projections."""

    def __init__(self, projections: Projections) -> None:
        self.p = projections

    def verification_queue(
        self,
        *,
        agency: str | None,
        hub: str | None,
        classification: str | None,
        within: Collection[str] | None,
        cursor: str | None,
        limit: int,
    ) -> Page[QueueItem]:
        """Reports awaiting verification (projections.lists.verification_queue)."""
        return verification_queue(
            self.p,
            agency=agency,
            hub=hub,
            classification=classification,
            within=within,
            cursor=cursor,
            limit=limit,
        )

    def inbox(
        self,
        agency: str,
        unit: str | None,
        *,
        classification: str | None,
        cursor: str | None,
        limit: int,
    ) -> Page[InboxItem]:
        """Reports with an agency or unit (projections.lists.inbox)."""
        return inbox(
            self.p, agency, unit, classification=classification, cursor=cursor, limit=limit
        )

    def overdue(
        self,
        now: datetime,
        *,
        agency: str | None,
        hub: str | None,
        unit: str | None,
        classification: str | None,
        within: Collection[str] | None,
        cursor: str | None,
        limit: int,
    ) -> Page[OverdueItem]:
        """Open clocks past due at `now` (projections.lists.overdue)."""
        return overdue(
            self.p,
            now,
            agency,
            hub=hub,
            unit=unit,
            classification=classification,
            within=within,
            cursor=cursor,
            limit=limit,
        )

    def report_sla(self, report_id: str, *, now: datetime) -> ReportSla:
        """Every clock of one report at `now`; UnknownReport if not projected yet."""
        return report_sla(self.p, report_id, now=now)

    def compliance(
        self,
        *,
        group_by: GroupBy,
        period: Days | None,
        classification: str | None,
        agency: str | None,
        hub: str | None,
        as_of: datetime,
    ) -> LoggedFigures:
        """Compliance rows with the log position and size they were computed at."""
        at = compliance_at(
            self.p,
            group_by=group_by,
            period=_period(period),
            classification=classification,
            agency=agency,
            hub=hub,
            as_of=as_of,
        )
        return LoggedFigures(at.rows, as_of, at.position, self.tree_size_at(at.position))

    def daily_stats(self, *, period: Days | None, classification: str | None) -> list[DailyStats]:
        """Daily volumes and resolution (projections.compliance.daily_stats)."""
        return daily_stats(self.p, period=_period(period), classification=classification)

    def tree_size_at(self, position: int) -> int:
        """How many log entries there are up to and including notification `position`.

        Leaf indexes are gap-free and follow notification order, so that is the leaf index of
        the event at `position`, plus one (notification ids themselves may have gaps).
        """
        if position == 0:
            return 0
        found = self.p.log.recorder.select_notifications(
            start=position, limit=1, inclusive_of_start=True
        )
        if not found or found[0].id != position:
            raise LookupError(f"notification {position} is not in the log")
        event = found[0]
        for entry in self.p.app.history(UUID(str(event.originator_id))):
            if entry.stream_version == event.originator_version:
                return entry.leaf_index + 1
        raise LookupError(f"notification {position} has no log entry")
