"""Turning reports and events into plain, JSON-ready values (no sealed field unless asked)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any
from uuid import UUID

from ledger.domain import Report
from ledger.storage.records import EntryRecord
from ledger.storage.sealing import sealed_fields_of
from ledger.usecases.results import EntryView, ReportHeader, ReportSummary

REPORT_SEALED = ("title", "body", "reporter", "attachments")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NOT_FIELDS = frozenset({"originator_id", "originator_version", "originator_topic", "timestamp"})


def plain(value: Any) -> Any:
    """Datetimes as ISO 8601 strings, enums and ids as strings, containers recursively."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _value(value: Any) -> Any:
    return None if value is None else getattr(value, "value", value)


def report_header(report: Report) -> ReportHeader:
    """The clear header of a report."""
    return ReportHeader(
        report_id=report.id,
        version=report.version,
        state=report.state.value,
        classification=report.classification.value,
        privacy=report.privacy.value,
        urgency=report.urgency.value,
        channel=report.channel.value,
        target_agency_id=report.target_agency_id,
        category=report.category,
        agency_id=report.agency_id,
        unit_id=report.unit_id,
        handling_class=_value(report.handling_class),
        sla_policy=report.sla_policy,
        sla_policy_version=report.sla_policy_version,
        deadlines=dict(report.deadlines),
        submitted_at=report.submitted_at,
        verified_at=report.verified_at,
        dispositioned_at=report.dispositioned_at,
        first_follow_up_at=report.first_follow_up_at,
        last_follow_up_at=report.last_follow_up_at,
        completed_at=report.completed_at,
        objection_deadline=report.objection_deadline,
        archive_reason=_value(report.archive_reason),
        awaiting_reporter=report.awaiting_reporter,
        dispositions=report.dispositions,
        not_authority_returns=report.not_authority_returns,
        returned_by=list(report.returned_by),
        reopens=report.reopens,
        erased=report.erased,
    )


def report_summary(report: Report, leaf_index: int) -> ReportSummary:
    """A list line: where the report entered the log and where it stands."""
    return ReportSummary(
        report_id=report.id,
        leaf_index=leaf_index,
        version=report.version,
        state=report.state.value,
        classification=report.classification.value,
        privacy=report.privacy.value,
        urgency=report.urgency.value,
        agency_id=report.agency_id,
        unit_id=report.unit_id,
        target_agency_id=report.target_agency_id,
        submitted_at=report.submitted_at,
        awaiting_reporter=report.awaiting_reporter,
    )


def report_sealed(report: Report) -> dict[str, Any]:
    """The report's sealed fields that hold a value (None once erased)."""
    values = {name: getattr(report, name) for name in REPORT_SEALED}
    return {name: plain(v) for name, v in values.items() if v is not None}


def event_name(event: object) -> str:
    """The short event type, e.g. `Dispositioned`."""
    return type(event).__name__


def event_fields(event: object) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """Split an event into clear fields, sealed values present, and sealed field names."""
    sealed_names = sealed_fields_of(type(event))
    clear: dict[str, Any] = {}
    sealed: dict[str, Any] = {}
    for name, value in vars(event).items():
        if name in _NOT_FIELDS:
            continue
        if name in sealed_names:
            if value is not None:
                sealed[name] = plain(value)
        else:
            clear[name] = plain(value)
    return clear, sealed, sorted(sealed_names)


def short_type(topic: str | None) -> str:
    """`ledger.domain.report:Report.Verified` -> `Verified`."""
    return (topic or "").rsplit(".", 1)[-1].rsplit(":", 1)[-1]


def from_us(us: int) -> datetime:
    """A log time in microseconds as an aware UTC datetime."""
    return _EPOCH + timedelta(microseconds=us)


def entry_view(entry: EntryRecord, event: object, allowed: frozenset[str]) -> EntryView:
    """One history line: the entry's hashes and the event's clear (and allowed sealed) fields."""
    clear, sealed, names = event_fields(event)
    shown = {k: v for k, v in sealed.items() if k in allowed}
    return EntryView(
        leaf_index=entry.leaf_index,
        stream_version=entry.stream_version,
        event_type=short_type(entry.event_type),
        topic=entry.event_type or "",
        recorded_at=from_us(entry.recorded_at_us),
        prev_hash=entry.prev_hash.hex(),
        entry_hash=entry.entry_hash.hex(),
        header=clear,
        sealed=shown,
        withheld=[n for n in names if n not in shown],
    )
