"""The dues no event records, computed with the agency's calendar and SLA policy.

A report not yet verified has no stamped verification deadline, and no event stamps the
auto-close time; the projection computes both exactly as the ledger's stamper would.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from ledger.deadlines import DeadlineStamper
from ledger.sla import Clock
from projections.rules.clocks import verification_hold
from projections.rules.record import NATIONAL_ADMIN_AGENCY, ClockRecord


class Dues:
    """Computes the unstamped dues of a report from its clock record."""

    INPUTS = frozenset(
        {
            *("deadlines", "hold_started_at", "hold_ended_at", "submitted_at"),
            *("intake_agency_id", "target_agency_id", "classification", "urgency"),
            *("last_follow_up_at", "agency_id"),
        }
    )
    """The record fields the dues are computed from: an event that sets none of them leaves
    the dues as they were."""

    def __init__(self, stamper: DeadlineStamper, *, memo: int = 65536) -> None:
        """`memo`: how many computed dues to remember (the same inputs recur from one event
        of a report to the next, and a calendar walk is costly)."""
        self.stamper = stamper
        self._verification = lru_cache(maxsize=memo)(self._verification_due)
        self._auto_close = lru_cache(maxsize=memo)(self._auto_close_due)

    def expected_verification(self, record: ClockRecord) -> datetime | None:
        """The verify-and-disposition due of a report not yet verified: counted from submission
        and moved later by the time on hold; None while the hold waits for the reporter."""
        hold = verification_hold(record)
        if "verification" in record.deadlines or (hold is not None and hold[1] is None):
            return None
        closed = None if hold is None or hold[1] is None else (hold[0], hold[1])
        return self._verification(
            record.intake_agency, record.classification, record.urgency, record.submitted_at, closed
        )

    def _verification_due(
        self,
        agency: str,
        classification: str,
        urgency: str,
        start: datetime,
        hold: tuple[datetime, datetime] | None,
    ) -> datetime | None:
        if agency not in self.stamper.registry:  # an address it does not know: national intake
            agency = NATIONAL_ADMIN_AGENCY
        return self.stamper.due(
            Clock.VERIFICATION,
            agency_id=agency,
            classification=classification,
            urgency=urgency,
            start=start,
            hold=hold,
        )

    def auto_close(self, record: ClockRecord) -> datetime | None:
        """When the report auto-closes after its last follow-up (None before any)."""
        if record.last_follow_up_at is None or record.agency_id is None:
            return None
        return self._auto_close(
            record.agency_id, record.classification, record.urgency, record.last_follow_up_at
        )

    def _auto_close_due(
        self, agency_id: str, classification: str, urgency: str, at: datetime
    ) -> datetime | None:
        return self.stamper.auto_close(
            agency_id=agency_id, classification=classification, urgency=urgency, at=at
        )
