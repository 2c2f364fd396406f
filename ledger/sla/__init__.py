"""SLA rules: Indonesian working days (hari kerja) and versioned deadline policies."""

from __future__ import annotations

from ledger.sla.book import PolicyBook
from ledger.sla.calendar import WorkingCalendar, national_holidays, require_aware
from ledger.sla.errors import CalendarOverridesError, PolicyFileError, SlaDataError, UnknownPolicy
from ledger.sla.overrides import OverrideEntry, Overrides
from ledger.sla.policy import (
    HANDLING_CLASSES,
    URGENCIES,
    Clock,
    Duration,
    Rule,
    SlaPolicy,
    calendar_time_deadline,
)
from ledger.sla.selection import CLASSIFICATIONS, PolicyChoice, policy_for

__all__ = [
    "CLASSIFICATIONS",
    "HANDLING_CLASSES",
    "URGENCIES",
    "CalendarOverridesError",
    "Clock",
    "Duration",
    "OverrideEntry",
    "Overrides",
    "PolicyBook",
    "PolicyChoice",
    "PolicyFileError",
    "Rule",
    "SlaDataError",
    "SlaPolicy",
    "UnknownPolicy",
    "WorkingCalendar",
    "calendar_time_deadline",
    "national_holidays",
    "policy_for",
    "require_aware",
]
