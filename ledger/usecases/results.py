"""Plain data the use cases return: ids, versions, hashes and values, never aggregates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class SubmitResult:
    """A recorded report; `receipt` is the whistleblower's secret, returned this once only."""

    report_id: UUID
    version: int
    state: str
    leaf_index: int
    entry_hash: str
    receipt: str | None = None
    tlog_proof: str | None = None
    tlog_proof_help: str | None = None


@dataclass(frozen=True)
class ActionResult:
    """An appended action: the event it became and where it sits in the log."""

    report_id: UUID
    action: str
    version: int
    state: str
    event_type: str
    leaf_index: int
    entry_hash: str
    recorded_at: datetime
    replayed: bool = False
    waited: bool = False  # the caller asked to wait for a signed checkpoint
    checkpoint_size: int | None = None  # the checkpoint that covers the entry, if waited
    checkpoint: str | None = None


@dataclass(frozen=True)
class ReportHeader:
    """The clear header of a report as it stands now: never sealed content."""

    report_id: UUID
    version: int
    state: str
    classification: str
    privacy: str
    urgency: str
    channel: str
    target_agency_id: str | None
    category: str | None
    agency_id: str | None
    unit_id: str | None
    handling_class: str | None
    sla_policy: str | None
    sla_policy_version: int | None
    deadlines: dict[str, datetime]
    submitted_at: datetime
    verified_at: datetime | None
    dispositioned_at: datetime | None
    first_follow_up_at: datetime | None
    last_follow_up_at: datetime | None
    completed_at: datetime | None
    objection_deadline: datetime | None
    archive_reason: str | None
    awaiting_reporter: bool
    dispositions: int
    not_authority_returns: int
    returned_by: list[str]
    reopens: int
    erased: bool


@dataclass(frozen=True)
class ReportView:
    """A report for one reader: the header, and sealed fields only where disclosed."""

    header: ReportHeader
    sealed: dict[str, Any]
    withheld: list[str]
    purpose: str | None


@dataclass(frozen=True)
class EntryView:
    """One log entry of a report with its event's clear fields (and sealed ones if disclosed)."""

    leaf_index: int
    stream_version: int
    event_type: str
    topic: str
    recorded_at: datetime
    prev_hash: str
    entry_hash: str
    header: dict[str, Any]
    sealed: dict[str, Any]
    withheld: list[str]


@dataclass(frozen=True)
class HistoryView:
    """A report's whole chain of entries, oldest first."""

    report_id: UUID
    version: int
    entries: list[EntryView]
    purpose: str | None


@dataclass(frozen=True)
class ReportSummary:
    """A line of the report list: clear header facts only."""

    report_id: UUID
    leaf_index: int
    version: int
    state: str
    classification: str
    privacy: str
    urgency: str
    agency_id: str | None
    unit_id: str | None
    target_agency_id: str | None
    submitted_at: datetime
    awaiting_reporter: bool


@dataclass(frozen=True)
class ReportPage:
    """A page of reports in log order; pass `next_cursor` back to continue."""

    items: list[ReportSummary]
    next_cursor: int | None


@dataclass(frozen=True)
class TimelineItem:
    """One step of a report as its whistleblower sees it: a date, a role, an agency name."""

    date: date
    event: str
    state: str
    by_role: str | None
    by_agency: str | None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReceiptStatus:
    """The report's own timeline for the receipt holder: no officer names, dates only."""

    report_id: UUID
    state: str
    classification: str
    awaiting_reporter: bool
    timeline: list[TimelineItem]
    tlog_proof: str | None = None  # of the newest version a signed checkpoint covers
    tlog_proof_version: int | None = None


@dataclass(frozen=True)
class ReceiptAnswer:
    """The whistleblower's answer was recorded."""

    report_id: UUID
    state: str
    date: date


@dataclass(frozen=True)
class TokenInfo:
    """An API token as the operator sees it (never the secret)."""

    token_id: str
    role: str
    agency_id: str | None
    label: str
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class NewToken:
    """A created token: `bearer` is shown once and never stored."""

    info: TokenInfo
    bearer: str
