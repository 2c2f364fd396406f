"""The clock record of one report: what the SLA and compliance rules know about it.

Records are built by folding the report's clear headers (`verify.sla_rules.fold.apply`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

NATIONAL_ADMIN_AGENCY = "kemenpanrb"
"""The agency of Admin Nasional: the intake agency of a report no admin has touched yet."""


@dataclass(frozen=True, slots=True)
class Involvement:
    """One agency's part in a report it was dispositioned to."""

    agency_id: str
    returns: int = 0  # "bukan wewenang" returns of this report by this agency
    redisposition: bool = False  # it reached the agency after another agency returned it
    returned: bool = False  # the agency's latest act on the report was a return


@dataclass(frozen=True, slots=True)
class ClockRecord:
    """Everything the SLA and compliance rules need to know about one report."""

    report_id: str
    version: int
    classification: str
    privacy: str
    urgency: str
    submitted_at: datetime
    state: str
    state_at: datetime
    last_event_at: datetime
    target_agency_id: str | None = None
    intake_agency_id: str | None = None  # agency of the first admin who acted on it
    awaiting_reporter: bool = False
    hold_started_at: datetime | None = None  # tunda: the hold pauses the verification clock
    hold_ended_at: datetime | None = None  # first answer, or the verification or archiving
    handling_class: str | None = None
    sla_policy: str | None = None  # "name@version"
    verified_at: datetime | None = None
    deadlines: Mapping[str, datetime] = field(default_factory=dict)
    agency_id: str | None = None  # current handling agency
    unit_id: str | None = None
    assigned_at: datetime | None = None  # latest disposition to an agency (not to a unit)
    dispositions: int = 0
    redispositions: int = 0
    returns: int = 0
    first_follow_up_at: datetime | None = None  # first follow-up since assigned_at
    last_follow_up_at: datetime | None = None
    follow_ups: int = 0
    completed_at: datetime | None = None
    completed_auto: bool = False
    reopens: int = 0
    archived_at: datetime | None = None
    escalated_at: datetime | None = None
    escalated_from: str | None = None
    involvements: tuple[Involvement, ...] = ()

    @property
    def intake_agency(self) -> str:
        """The agency answerable for intake: the acting admin's, else the addressed one."""
        return self.intake_agency_id or self.target_agency_id or NATIONAL_ADMIN_AGENCY
