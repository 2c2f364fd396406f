"""The `daily` projection: volumes of handling actions per day, and resolution by intake day.

Days are WIB dates. Each action counts on the day it happened; `resolved` counts, for each
day of submission, the reports of that day that are completed now (a reopening or an
escalation of a completed report takes it back out).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from datetime import date

from projections.rules.fold import RecordError
from projections.rules.headers import Header
from projections.sql import Statement, Statements
from projections.times import wib_day
from projections.tx import Tx

KINDS = {
    "Submitted": "submitted",
    "PutOnHold": "on_hold",
    "Verified": "verified",
    "Archived": "archived",
    "Dispositioned": "dispositioned",
    "ReturnedNotAuthority": "returned",
    "FollowedUp": "followed_up",
    "Completed": "completed",
    "Reopened": "reopened",
    "Escalated": "escalated",
}
RESOLVED = "resolved"
AUTO_CLOSED = "auto_closed"


def day_of(header: Header) -> str:
    """The WIB date of an action."""
    return wib_day(header.at)


def _resolved_change(header: Header) -> int:
    if header.event_type == "Completed":
        return 1
    if header.event_type == "Reopened":
        return -1
    if header.event_type == "Escalated" and header.get("escalated_from") == "completed":
        return -1
    return 0


class DailyBatch:
    """The counts of one batch and the origins of the reports it touches."""

    def __init__(self, origins: dict[str, tuple[str, str]]) -> None:
        self.origins = origins
        self.new: dict[str, tuple[str, str]] = {}
        self.counts: Counter[tuple[str, str, str]] = Counter()

    def fold(self, header: Header) -> None:
        """Count one action (and a change in its report day's resolved reports)."""
        rid = header.report_id
        day = day_of(header)
        if header.event_type == "Submitted":
            if rid in self.origins:
                raise RecordError(f"report {rid} submitted twice")
            origin = (day, str(header.get("classification")))
            self.origins[rid] = self.new[rid] = origin
        if rid not in self.origins:
            raise RecordError(f"report {rid} v{header.version}: no Submitted event before it")
        submitted_day, classification = self.origins[rid]
        kind = KINDS.get(header.event_type)
        if header.event_type == "Dispositioned" and header.get("to_unit"):
            kind = None  # a unit disposition moves the report within the agency
        if kind is not None:
            self.counts[(day, classification, kind)] += 1
        if header.event_type == "Completed" and header.get("auto"):
            self.counts[(day, classification, AUTO_CLOSED)] += 1
        change = _resolved_change(header)
        if change:
            self.counts[(submitted_day, classification, RESOLVED)] += change

    def settle(self) -> None:
        """Nothing is left to compute before writing."""

    def load(self, tx: Tx, report_ids: Sequence[str]) -> None:
        """Add the stored origins of these reports (those the view has)."""
        rows = tx.rows(tx.sql.select_origins, {"ids": tx.array(report_ids)})
        self.origins.update({r["report_id"]: (r["day"], r["classification"]) for r in rows})

    def follow(self, keep: Collection[str]) -> DailyBatch:
        """The next batch of a rebuild, keeping in memory the origins of `keep` only."""
        return DailyBatch({rid: o for rid, o in self.origins.items() if rid in keep})

    def write_counts(self, tx: Tx) -> bool:
        """Nothing is counted over every report: every row is written by `write`."""
        return True

    def write(self, tx: Tx) -> None:
        """Record the new origins and add the counts."""
        tx.run_many(
            tx.sql.insert_origin,
            [
                {"report_id": rid, "day": day, "classification": cls}
                for rid, (day, cls) in sorted(self.new.items())
            ],
        )
        tx.run_many(
            tx.sql.add_daily,
            [
                {"day": day, "classification": cls, "kind": kind, "n": n}
                # zeros too: which rows exist must not depend on where batches end
                for (day, cls, kind), n in sorted(self.counts.items())
            ],
        )


class DailyProjector:
    """Counts actions per day and classification."""

    name = "daily"

    def begin(self, tx: Tx, report_ids: Sequence[str]) -> DailyBatch:
        """Load the submission day and classification of the reports a batch touches."""
        rows = tx.rows(tx.sql.select_origins, {"ids": tx.array(report_ids)})
        return DailyBatch({r["report_id"]: (r["day"], r["classification"]) for r in rows})

    def rebuilding(self, *, counting: bool = False) -> DailyBatch:
        """An empty batch for a rebuild (nothing to count over every report)."""
        return DailyBatch({})

    def reset(self, sql: Statements) -> tuple[Statement, ...]:
        """The statements that empty this projection."""
        return sql.reset_daily

    def parting(self, sql: Statements) -> tuple[Statement, ...]:
        """The statements starting a rebuild in parts (nothing: the daily rows are few)."""
        return ()

    def ending_part(self, sql: Statements) -> tuple[Statement, ...]:
        """The statements of a part's last commit (nothing: the parts write every row)."""
        return ()

    def finishing(self, sql: Statements) -> tuple[Statement, ...]:
        """The statements ending a rebuild in parts (nothing: the parts wrote every row)."""
        return ()


def parse_day(text: str) -> date:
    """A day as stored in the view."""
    return date.fromisoformat(text)
