"""SQL of the projections, one module of named constants per backend."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Statement = Any  # str on SQLite, psycopg Composed on PostgreSQL

REPORT_COLUMNS = (
    "report_id", "version", "classification", "privacy", "urgency", "handling_class",
    "sla_policy", "state", "awaiting_reporter", "intake_agency_id", "agency_id", "unit_id",
    "submitted_us", "submitted_day", "assigned_us", "next_due_us", "state_us", "last_event_us",
    "bucket", "returns", "redispositions", "handling", "followed_up", "record",
)  # fmt: skip
CLOCK_COLUMNS = (
    "report_id", "clock", "agency_id", "classification", "submitted_day", "started_us",
    "due_us", "stopped_us", "outcome", "stamped",
)  # fmt: skip
SHARE_COLUMNS = (
    "report_id", "agency_id", "classification", "submitted_day", "bucket", "returns",
    "redispositions", "handling", "followed_up",
)  # fmt: skip


@dataclass(frozen=True)
class Statements:
    """Every statement the projections run, for one backend."""

    create: tuple[Statement, ...]
    reset_reports: tuple[Statement, ...]
    reset_daily: tuple[Statement, ...]
    select_records: Statement
    delete_report: Statement
    insert_report: Statement
    delete_clocks: Statement
    insert_clock: Statement
    delete_shares: Statement
    insert_share: Statement
    counts_out: tuple[Statement, ...]  # take the touched reports' stored rows out of the totals
    counts_in: tuple[Statement, ...]  # add them back once rewritten
    counts_cleanup: tuple[Statement, ...]
    select_origins: Statement
    insert_origin: Statement
    add_daily: Statement
    upsert_failure: Statement
    delete_failure: Statement
    select_failure: Statement
    queue: Statement
    inbox: Statement
    overdue: Statement
    overdue_agency: Statement  # overdue with the agency given (its own index)
    report: Statement
    report_clocks: Statement
    national_shares: Statement
    agency_shares: Statement
    clock_figures: Statement
    daily: Statement
    open_auto_close: Statement
    snapshot: dict[str, Statement]
    # A rebuild in parts (projections.parallel): each part's position, and the counters
    # filled once at its end.
    insert_part: Statement
    advance_part: Statement  # binds projection, part, after (0: none yet), last; RETURNING
    select_parts: Statement
    delete_parts: Statement
    fill_counters: tuple[Statement, ...]
    part_counts: tuple[Statement, ...]  # add one part's reports to the counters (parts, texts)
    add_counts: tuple[Statement, ...]  # lock (PostgreSQL), add a share / a clock counter
    create_report_indexes: tuple[Statement, ...]
    drop_report_indexes: tuple[Statement, ...]
