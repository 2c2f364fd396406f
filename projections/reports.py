"""The `reports` projection: one clock record per report, its clocks and its shares.

From these three tables come the verification queue, the inboxes, the overdue list, each
report's SLA status and the compliance figures. Rows are derived from the clear headers only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from projections.dues import Dues
from projections.rules.clocks import ClockState, clocks_of
from projections.rules.codec import record_from_json, record_to_json
from projections.rules.fold import apply
from projections.rules.headers import Header
from projections.rules.record import ClockRecord
from projections.rules.shares import agency_shares, national_share, report_day
from projections.sql import (
    CLOCK_COLUMNS,
    REPORT_COLUMNS,
    SHARE_COLUMNS,
    Statement,
    Statements,
)
from projections.times import us
from projections.tx import Tx

Row = dict[str, Any]


def report_row(r: ClockRecord, clocks: list[ClockState]) -> Row:
    """The `proj_reports` row of a record."""
    national = national_share(r)
    dues = [c.due_at for c in clocks if c.outcome is None and c.due_at is not None]
    return {
        "report_id": r.report_id,
        "version": r.version,
        "classification": r.classification,
        "privacy": r.privacy,
        "urgency": r.urgency,
        "handling_class": r.handling_class,
        "sla_policy": r.sla_policy,
        "state": r.state,
        "awaiting_reporter": int(r.awaiting_reporter),
        "intake_agency_id": r.intake_agency,
        "agency_id": r.agency_id,
        "unit_id": r.unit_id,
        "submitted_us": us(r.submitted_at),
        "submitted_day": report_day(r).isoformat(),
        "assigned_us": us(r.assigned_at),
        "next_due_us": us(min(dues)) if dues else None,
        "state_us": us(r.state_at),
        "last_event_us": us(r.last_event_at),
        "bucket": national.bucket,
        "returns": national.returns,
        "redispositions": national.redispositions,
        "handling": int(national.handling),
        "followed_up": int(national.followed_up),
        "record": record_to_json(r),
    }


def clock_rows(r: ClockRecord, clocks: list[ClockState]) -> list[Row]:
    """The `proj_clocks` rows of a record."""
    day = report_day(r).isoformat()
    return [
        {
            "report_id": r.report_id,
            "clock": c.clock,
            "agency_id": c.agency_id,
            "classification": r.classification,
            "submitted_day": day,
            "started_us": us(c.started_at),
            "due_us": us(c.due_at),
            "stopped_us": us(c.stopped_at),
            "outcome": c.outcome,
            "stamped": int(c.stamped),
        }
        for c in clocks
    ]


def share_rows(r: ClockRecord) -> list[Row]:
    """The `proj_shares` rows of a record: one per agency it counts for."""
    day = report_day(r).isoformat()
    return [
        {
            "report_id": r.report_id,
            "agency_id": s.agency_id,
            "classification": r.classification,
            "submitted_day": day,
            "bucket": s.bucket,
            "returns": s.returns,
            "redispositions": s.redispositions,
            "handling": int(s.handling),
            "followed_up": int(s.followed_up),
        }
        for s in agency_shares(r)
    ]


class ReportsBatch:
    """The records of the reports one batch touches, folded in memory, then written once."""

    def __init__(self, dues: Dues, records: dict[str, ClockRecord]) -> None:
        self.dues = dues
        self.records = records
        self.clocks: dict[str, list[ClockState]] = {}

    def fold(self, header: Header) -> None:
        """Apply one event to its report's record and recompute the report's clocks."""
        record = apply(self.records.get(header.report_id), header)
        clocks = clocks_of(  # computed per event, so that a failure names its event
            record,
            expected_verification_due=self.dues.expected_verification(record),
            auto_close_due=self.dues.auto_close(record),
        )
        self.records[header.report_id] = record
        self.clocks[header.report_id] = clocks

    def write(self, tx: Tx) -> None:
        """Replace the touched reports' rows, moving the compliance counters with them."""
        touched = sorted(self.clocks)
        ids = {"ids": tx.array(touched)}
        for statement in tx.sql.counts_out:
            tx.run(statement, ids)
        for statement in (tx.sql.delete_report, tx.sql.delete_clocks, tx.sql.delete_shares):
            tx.run(statement, ids)
        pairs = [(self.records[rid], self.clocks[rid]) for rid in touched]
        reports = [report_row(r, c) for r, c in pairs]
        clocks = [row for r, c in pairs for row in clock_rows(r, c)]
        shares = [row for r, _ in pairs for row in share_rows(r)]
        tx.insert_rows(tx.sql.insert_report, REPORT_COLUMNS, reports)
        tx.insert_rows(tx.sql.insert_clock, CLOCK_COLUMNS, clocks)
        tx.insert_rows(tx.sql.insert_share, SHARE_COLUMNS, shares)
        for statement in (*tx.sql.counts_in, *tx.sql.counts_cleanup):
            tx.run(statement, ids)


class ReportsProjector:
    """Folds each report's clear headers into its clock record and derived rows."""

    name = "reports"

    def __init__(self, dues: Dues) -> None:
        self.dues = dues

    def begin(self, tx: Tx, report_ids: Sequence[str]) -> ReportsBatch:
        """Load the records of the reports a batch touches."""
        rows = tx.rows(tx.sql.select_records, {"ids": tx.array(report_ids)})
        records = {r.report_id: r for r in (record_from_json(row["record"]) for row in rows)}
        return ReportsBatch(self.dues, records)

    def reset(self, sql: Statements) -> tuple[Statement, ...]:
        """The statements that empty this projection."""
        return sql.reset_reports
