"""The `reports` projection: one clock record per report, its clocks and its shares.

From these three tables come the verification queue, the inboxes, the overdue list, each
report's SLA status and the compliance figures. Rows are derived from the clear headers only.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from operator import itemgetter
from typing import Any

from projections.dues import Dues
from projections.record_text import record_text
from projections.rules.clocks import LATE, MET, ClockState, clocks_of
from projections.rules.codec import record_from_json
from projections.rules.fold import Draft, apply, fold_into
from projections.rules.headers import Header
from projections.rules.record import ClockRecord
from projections.rules.shares import agency_shares, national_share
from projections.sql import (
    CLOCK_COLUMNS,
    REPORT_COLUMNS,
    SHARE_COLUMNS,
    Statement,
    Statements,
)
from projections.sql.counters import CLOCK_COUNT_COLUMNS, FIGURE_CLOCK_NAMES, SHARE_COUNT_COLUMNS
from projections.times import us, wib_day
from projections.tx import Tx

Row = tuple[Any, ...]
"""A view row: its values in the order of its table's columns (`REPORT_COLUMNS`,
`CLOCK_COLUMNS`, `SHARE_COLUMNS`), as the inserts take them."""


def _day(r: ClockRecord) -> str:
    """`report_day(r).isoformat()`: the day a report counts on."""
    return wib_day(r.submitted_at)


def report_row(r: ClockRecord, clocks: list[ClockState]) -> Row:
    """The `proj_reports` row of a record."""
    national = national_share(r)
    dues = [c.due_at for c in clocks if c.outcome is None and c.due_at is not None]
    return (
        r.report_id,
        r.version,
        r.classification,
        r.privacy,
        r.urgency,
        r.handling_class,
        r.sla_policy,
        r.state,
        int(r.awaiting_reporter),
        r.intake_agency,
        r.agency_id,
        r.unit_id,
        us(r.submitted_at),
        _day(r),
        us(r.assigned_at),
        us(min(dues)) if dues else None,
        us(r.state_at),
        us(r.last_event_at),
        national.bucket,
        national.returns,
        national.redispositions,
        int(national.handling),
        int(national.followed_up),
        record_text(r),
    )


def clock_rows(r: ClockRecord, clocks: list[ClockState]) -> list[Row]:
    """The `proj_clocks` rows of a record."""
    report_id, classification, day = r.report_id, r.classification, _day(r)
    return [
        (
            report_id,
            c.clock,
            c.agency_id,
            classification,
            day,
            us(c.started_at),
            us(c.due_at),
            us(c.stopped_at),
            c.outcome,
            int(c.stamped),
        )
        for c in clocks
    ]


def share_rows(r: ClockRecord) -> list[Row]:
    """The `proj_shares` rows of a record: one per agency it counts for."""
    report_id, classification, day = r.report_id, r.classification, _day(r)
    return [
        (
            report_id,
            s.agency_id,
            classification,
            day,
            s.bucket,
            s.returns,
            s.redispositions,
            int(s.handling),
            int(s.followed_up),
        )
        for s in agency_shares(r)
    ]


_Rows = tuple[list[str], list[Row], list[Row], list[Row]]  # ids, report, clock, share rows
_Count = tuple[bool, tuple[str, ...], tuple[int, ...]]  # (a clock counter?, key, values)
_Counted = list[_Count]  # what one report's rows add to the counters

_SHARE_VALUES: tuple[str, ...] = (
    *("submitted_day", "classification", "bucket"),
    *("returns", "redispositions", "handling", "followed_up"),
)
_report_share = itemgetter(*(REPORT_COLUMNS.index(c) for c in _SHARE_VALUES))
_share_share = itemgetter(*(SHARE_COLUMNS.index(c) for c in (*_SHARE_VALUES, "agency_id")))
_CLOCK_VALUES = ("stamped", "clock", "outcome", "submitted_day", "agency_id", "classification")
_clock_count = itemgetter(*(CLOCK_COLUMNS.index(c) for c in (*_CLOCK_VALUES, "due_us")))


def _counted(report: Row, clocks: list[Row], shares: list[Row]) -> _Counted:
    """What one report's rows add to the compliance counters, as the counter statements
    (`projections.sql.counters`) add them up: the report row nationally (agency ''), each share
    row for its agency, each stamped clock of the figures for its agency."""
    day, classification, bucket, returns, redispositions, handling, followed = _report_share(report)
    out: _Counted = [
        (False, (day, "", classification, bucket), (1, returns, redispositions, handling, followed))
    ]
    for row in shares:
        day, classification, bucket, returns, redispositions, handling, followed, agency = (
            _share_share(row)
        )
        key = (day, agency, classification, bucket)
        out.append((False, key, (1, returns, redispositions, handling, followed)))
    for row in clocks:
        stamped, clock, outcome, day, agency, classification, due = _clock_count(row)
        if stamped and clock in FIGURE_CLOCK_NAMES:
            key = (day, agency or "", clock, classification)
            unfinished = outcome is None and due is not None
            out.append((True, key, (outcome == MET, outcome == LATE, unfinished)))
    return out


class Tally:
    """The compliance counters of the reports a rebuild's part wrote, added up as their rows
    are built: the part adds them to the view's counters once, at its end, instead of reading
    every row back. A report written again takes back what its earlier rows added."""

    def __init__(self) -> None:
        self.shares: dict[tuple[str, ...], list[int]] = {}
        self.clocks: dict[tuple[str, ...], list[int]] = {}
        self.by_report: dict[str, _Counted] = {}  # what each held report's rows added

    def replace(self, report_id: str, counted: _Counted) -> None:
        """Count a report's new rows in place of its earlier ones (if it had any)."""
        self._add(self.by_report.pop(report_id, ()), -1)
        self._add(counted, 1)
        self.by_report[report_id] = counted

    def known(self, report_id: str, counted: _Counted) -> None:
        """What the stored rows of a report, counted before, added."""
        self.by_report[report_id] = counted

    def _add(self, counted: Iterable[_Count], sign: int) -> None:
        for is_clock, key, values in counted:
            table = self.clocks if is_clock else self.shares
            sums = table.get(key)
            if sums is None:
                sums = table[key] = [0] * len(values)
            for i, value in enumerate(values):
                sums[i] += sign * value

    def follow(self, keep: Collection[str]) -> Tally:
        """The same tally, remembering only the reports of `keep` (the others are loaded, and
        counted, again if a later event touches them)."""
        self.by_report = {rid: c for rid, c in self.by_report.items() if rid in keep}
        return self

    def write(self, tx: Tx) -> None:
        """Add the tally to the view's counters (rows left at zero are not written: the end of
        the rebuild drops the counter rows at zero)."""
        *locks, add_share, add_clock = tx.sql.add_counts
        for statement in locks:
            tx.run(statement, {})
        shares = [
            dict(zip(SHARE_COUNT_COLUMNS, (*key, *sums), strict=True))
            for key, sums in sorted(self.shares.items())
            if sums[0]
        ]
        clocks = [
            dict(zip(CLOCK_COUNT_COLUMNS, (*key, *sums), strict=True))
            for key, sums in sorted(self.clocks.items())
            if any(sums)
        ]
        tx.run_many(add_share, shares)
        tx.run_many(add_clock, clocks)


class ReportsBatch:
    """The records of the reports one batch touches, folded in memory, then written once.

    `settle_each`: compute a report's clocks after each of its events (the incremental path);
    a rebuild computes after each event only the dues the clocks take (the calendar and registry
    lookups, the only part of the clocks that can fail, so an event whose clocks cannot be
    computed still fails itself), and the clocks of each touched report once (`settle`)."""

    def __init__(
        self,
        dues: Dues,
        records: dict[str, ClockRecord],
        *,
        settle_each: bool = True,
        tally: Tally | None = None,
    ) -> None:
        """`tally`: add up the counters of the rows built (a rebuild)."""
        self.dues = dues
        self.records = records
        self.settle_each = settle_each
        self.tally = tally
        self.clocks: dict[str, list[ClockState] | None] = {}
        self.stored = set(records)  # reports whose rows the view has (the others are new)
        self._rows: _Rows | None = None  # what `write` writes, once settled

    def fold(self, header: Header) -> None:
        """Apply one event to its report's record and recompute the report's clocks (or, when
        they are settled later, only the dues: the part of the clocks that can fail)."""
        rid = header.report_id
        self._rows = None
        if self.settle_each:
            record = apply(self.records.get(rid), header)
            self.clocks[rid] = self._clocks(record)
            self.records[rid] = record
            return
        # Settled later: the record is folded in place as a draft (a stored record is copied
        # into one first), which `settle` reads as it stands.
        known = self.records.get(rid)
        draft = known if known is None or type(known) is Draft else Draft.of(known)
        self.records[rid], changed = fold_into(draft, header)
        if changed is None or not self.dues.INPUTS.isdisjoint(changed):
            self.dues.expected_verification(self.records[rid])  # remembered by their inputs:
            self.dues.auto_close(self.records[rid])  # `settle` finds them again
        self.clocks[rid] = None

    def _clocks(self, record: ClockRecord) -> list[ClockState]:
        return clocks_of(
            record,
            expected_verification_due=self.dues.expected_verification(record),
            auto_close_due=self.dues.auto_close(record),
        )

    def settle(self) -> None:
        """Compute the clocks of the touched reports not computed yet, and the rows `write`
        puts in their place (so a writer holds its transaction for the SQL only)."""
        self._settled()

    def _settled(self) -> _Rows:
        if self._rows is not None:
            return self._rows
        for rid, clocks in self.clocks.items():
            if clocks is None:  # a rebuild's draft: read as it stands, and folded on in place
                self.clocks[rid] = self._clocks(self.records[rid])  # by the next chunk
        touched = sorted(self.clocks)
        rows = [self._rows_of(self.records[rid], self.clocks[rid] or []) for rid in touched]
        if self.tally is not None:
            for rid, (report_, clocks_, shares_) in zip(touched, rows, strict=True):
                self.tally.replace(rid, _counted(report_, clocks_, shares_))
        self._rows = (
            touched,
            [report for report, _, _ in rows],
            [row for _, clocks, _ in rows for row in clocks],
            [row for _, _, shares in rows for row in shares],
        )
        return self._rows

    @staticmethod
    def _rows_of(r: ClockRecord, clocks: list[ClockState]) -> tuple[Row, list[Row], list[Row]]:
        return report_row(r, clocks), clock_rows(r, clocks), share_rows(r)

    def load(self, tx: Tx, report_ids: Sequence[str]) -> None:
        """Add the stored records of these reports (those the view has)."""
        rows = tx.rows(tx.sql.select_records, {"ids": tx.array(report_ids)})
        for record in (record_from_json(row["record"]) for row in rows):
            self.records[record.report_id] = record
            self.stored.add(record.report_id)
            if self.tally is not None:  # its stored rows, as they were built from the record
                self.tally.known(
                    record.report_id, _counted(*self._rows_of(record, self._clocks(record)))
                )

    def follow(self, keep: Collection[str]) -> ReportsBatch:
        """The next batch of a rebuild, keeping in memory the records of `keep` only."""
        kept = {rid: r for rid, r in self.records.items() if rid in keep}
        tally = None if self.tally is None else self.tally.follow(keep)
        return ReportsBatch(self.dues, kept, settle_each=self.settle_each, tally=tally)

    def write(self, tx: Tx) -> None:
        """Replace the touched reports' rows, moving the compliance counters with them."""
        touched, reports, clocks, shares = self._settled()
        ids = {"ids": tx.array(touched)}
        # A new report has no rows to take out. The counters are written first even when no
        # touched report has rows (nothing moves then): every writer locks the counters before
        # the rows, in the order the tables are created (projections.sql.counters.tables).
        stored = [rid for rid in touched if rid in self.stored]
        old = {"ids": tx.array(stored)}
        for statement in tx.sql.counts_out:
            tx.run(statement, old)
        if stored:
            for statement in (tx.sql.delete_report, tx.sql.delete_clocks, tx.sql.delete_shares):
                tx.run(statement, old)
        tx.insert_rows(tx.sql.insert_report, reports)
        tx.insert_rows(tx.sql.insert_clock, clocks)
        tx.insert_rows(tx.sql.insert_share, shares)
        for statement in (*tx.sql.counts_in, *tx.sql.counts_cleanup):
            tx.run(statement, ids)
        self.stored.update(touched)

    def write_counts(self, tx: Tx) -> bool:
        """Add what the tally counted to the counters; False if there is no tally."""
        if self.tally is None:
            return False
        self.tally.write(tx)
        return True


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

    def rebuilding(self, *, counting: bool = False) -> ReportsBatch:
        """An empty batch for a rebuild: clocks computed once per report and write (with
        `counting`, the counters of the rows added up as they are built: a part of a rebuild
        in parts, replayed from its start)."""
        return ReportsBatch(self.dues, {}, settle_each=False, tally=Tally() if counting else None)

    def reset(self, sql: Statements) -> tuple[Statement, ...]:
        """The statements that empty this projection."""
        return sql.reset_reports

    def parting(self, sql: Statements) -> tuple[Statement, ...]:
        """The statements starting a rebuild in parts: the secondary indexes dropped."""
        return sql.drop_report_indexes

    def ending_part(self, sql: Statements) -> tuple[Statement, ...]:
        """The statements of a part's last commit: its reports added to the counters (each
        part adds its own while the others may still be replaying theirs)."""
        return sql.part_counts

    def finishing(self, sql: Statements) -> tuple[Statement, ...]:
        """The statements ending a rebuild in parts: the indexes, then the compliance counters
        if no part filled them (a rebuild in parts begun by a version that filled them at the
        end; otherwise these read nothing), and the counter rows left at zero removed."""
        return (*sql.create_report_indexes, *sql.fill_counters)
