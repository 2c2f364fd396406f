"""Domain model of the LAPOR! audit ledger: the Report aggregate, its events and values."""

from __future__ import annotations

from ledger.domain.errors import (
    DomainError,
    IllegalTransition,
    InvalidCommand,
    LedgerError,
    ReportNotFound,
    VersionConflict,
)
from ledger.domain.events import EVENT_CLASSES, SEALED_FIELD_NAMES, ReportEvent
from ledger.domain.lifecycle import ALLOWED_FROM, TERMINAL_STATES, Action
from ledger.domain.report import Report
from ledger.domain.values import (
    Actor,
    ArchiveReason,
    Channel,
    Classification,
    HandlingClass,
    Privacy,
    Role,
    State,
    Urgency,
)

__all__ = [
    "ALLOWED_FROM",
    "EVENT_CLASSES",
    "SEALED_FIELD_NAMES",
    "TERMINAL_STATES",
    "Action",
    "Actor",
    "ArchiveReason",
    "Channel",
    "Classification",
    "DomainError",
    "HandlingClass",
    "IllegalTransition",
    "InvalidCommand",
    "LedgerError",
    "Privacy",
    "Report",
    "ReportEvent",
    "ReportNotFound",
    "Role",
    "State",
    "Urgency",
    "VersionConflict",
]
