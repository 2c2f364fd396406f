"""Projection SQL for PostgreSQL: view tables in the ledger's schema; `{schema}` is filled in
with a quoted identifier by `statements(schema)`. Tracking tables are eventsourcing's own."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from ledger.storage.pg_names import pg_statement
from projections.sql import Statements, counters, parts
from projections.sql import postgres_queries as q

# Creating tables concurrently (a follower and a command starting together) must not race:
# PostgreSQL's CREATE TABLE IF NOT EXISTS is not safe against a concurrent identical CREATE.
LOCK_DDL = "SELECT pg_advisory_lock(17082008)"
UNLOCK_DDL = "SELECT pg_advisory_unlock(17082008)"
# The writers of one view (followers in several processes, a command, the timers) take turns:
# each batch's transaction first takes this lock, then checks the view is not past the batch.
LOCK_VIEW = "SELECT pg_advisory_xact_lock(17082008, hashtext(%(view)s))"
READ_SNAPSHOT = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"
# A view transaction commits without waiting for its WAL to reach the disk: a crash can take
# back the last view transactions (rows and position together), never the log's.
VIEW_COMMIT = "SET LOCAL synchronous_commit = off"
CREATE = (
    *counters.tables(counters.POSTGRES),  # first: see counters.tables
    "CREATE TABLE IF NOT EXISTS {schema}.proj_reports ("
    " report_id text PRIMARY KEY, version bigint NOT NULL,"
    " classification text NOT NULL, privacy text NOT NULL, urgency text NOT NULL,"
    " handling_class text, sla_policy text, state text NOT NULL,"
    " awaiting_reporter integer NOT NULL, intake_agency_id text NOT NULL,"
    " agency_id text, unit_id text, submitted_us bigint NOT NULL, submitted_day text NOT NULL,"
    " assigned_us bigint, next_due_us bigint, state_us bigint NOT NULL,"
    " last_event_us bigint NOT NULL, bucket text NOT NULL, returns integer NOT NULL,"
    " redispositions integer NOT NULL, handling integer NOT NULL, followed_up integer NOT NULL,"
    " record text NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {schema}.proj_clocks ("
    " report_id text NOT NULL, clock text NOT NULL, agency_id text,"
    " classification text NOT NULL, submitted_day text NOT NULL, started_us bigint NOT NULL,"
    " due_us bigint, stopped_us bigint, outcome text, stamped integer NOT NULL,"
    " PRIMARY KEY (report_id, clock))",
    "CREATE TABLE IF NOT EXISTS {schema}.proj_shares ("
    " report_id text NOT NULL, agency_id text NOT NULL, classification text NOT NULL,"
    " submitted_day text NOT NULL, bucket text NOT NULL, returns integer NOT NULL,"
    " redispositions integer NOT NULL, handling integer NOT NULL, followed_up integer NOT NULL,"
    " PRIMARY KEY (report_id, agency_id))",
    "CREATE TABLE IF NOT EXISTS {schema}.proj_daily ("
    " day text NOT NULL, classification text NOT NULL, kind text NOT NULL, n bigint NOT NULL,"
    " PRIMARY KEY (day, classification, kind))",
    "CREATE TABLE IF NOT EXISTS {schema}.proj_daily_origin ("
    " report_id text PRIMARY KEY, day text NOT NULL, classification text NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {schema}.proj_failures ("
    " projection text PRIMARY KEY, notification_id bigint NOT NULL, report_id text,"
    " event_type text, message text NOT NULL, failed_us bigint NOT NULL)",
    "CREATE INDEX IF NOT EXISTS proj_reports_queue ON {schema}.proj_reports (state, submitted_us)",
    "CREATE INDEX IF NOT EXISTS proj_reports_inbox ON {schema}.proj_reports"
    " (agency_id, assigned_us)",
    # Compliance reads the counters: the report-day indexes it used to scan are gone.
    "DROP INDEX IF EXISTS {schema}.proj_reports_day",
    "CREATE INDEX IF NOT EXISTS proj_clocks_open ON {schema}.proj_clocks (due_us)"
    " WHERE outcome IS NULL",
    "DROP INDEX IF EXISTS {schema}.proj_clocks_day",
    "DROP INDEX IF EXISTS {schema}.proj_shares_day",
    "CREATE INDEX IF NOT EXISTS proj_clocks_open_agency ON {schema}.proj_clocks"
    " (agency_id, due_us, report_id, clock) WHERE outcome IS NULL",
    *counters.fill(counters.POSTGRES),
    parts.table(counters.POSTGRES),
)
NATIONAL_SHARES, AGENCY_SHARES, CLOCK_FIGURES = counters.queries(counters.POSTGRES)
# Bulk inserts use COPY; column order is that of the row tuples (projections.sql.*_COLUMNS).
COPY_REPORTS = (
    "COPY {schema}.proj_reports (report_id, version, classification, privacy, urgency,"
    " handling_class, sla_policy, state, awaiting_reporter, intake_agency_id, agency_id, unit_id,"
    " submitted_us, submitted_day, assigned_us, next_due_us, state_us, last_event_us, bucket,"
    " returns, redispositions, handling, followed_up, record) FROM STDIN"
)
COPY_CLOCKS = (
    "COPY {schema}.proj_clocks (report_id, clock, agency_id, classification, submitted_day,"
    " started_us, due_us, stopped_us, outcome, stamped) FROM STDIN"
)
COPY_SHARES = (
    "COPY {schema}.proj_shares (report_id, agency_id, classification, submitted_day, bucket,"
    " returns, redispositions, handling, followed_up) FROM STDIN"
)
ADD_DAILY = (
    "INSERT INTO {schema}.proj_daily AS d VALUES (%(day)s, %(classification)s, %(kind)s, %(n)s)"
    " ON CONFLICT (day, classification, kind) DO UPDATE SET n = d.n + EXCLUDED.n"
)
UPSERT_FAILURE = (
    "INSERT INTO {schema}.proj_failures VALUES (%(projection)s, %(notification_id)s,"
    " %(report_id)s, %(event_type)s, %(message)s, %(failed_us)s)"
    " ON CONFLICT (projection) DO UPDATE SET notification_id = EXCLUDED.notification_id,"
    " report_id = EXCLUDED.report_id, event_type = EXCLUDED.event_type,"
    " message = EXCLUDED.message, failed_us = EXCLUDED.failed_us"
)

TEMPLATES = Statements(
    create=CREATE,
    reset_reports=(
        "DELETE FROM {schema}.proj_reports",
        "DELETE FROM {schema}.proj_clocks",
        "DELETE FROM {schema}.proj_shares",
        *counters.reset(counters.POSTGRES),
        "DELETE FROM {schema}.proj_reports_tracking WHERE application_name = %(application_name)s",
        "DELETE FROM {schema}.proj_failures WHERE projection = 'reports'",
        parts.forget(counters.POSTGRES, "reports"),
    ),
    reset_daily=(
        "DELETE FROM {schema}.proj_daily",
        "DELETE FROM {schema}.proj_daily_origin",
        "DELETE FROM {schema}.proj_daily_tracking WHERE application_name = %(application_name)s",
        "DELETE FROM {schema}.proj_failures WHERE projection = 'daily'",
        parts.forget(counters.POSTGRES, "daily"),
    ),
    select_records="SELECT record FROM {schema}.proj_reports"
    " WHERE report_id = ANY(%(ids)s::text[])",
    delete_report="DELETE FROM {schema}.proj_reports WHERE report_id = ANY(%(ids)s::text[])",
    insert_report=COPY_REPORTS,
    delete_clocks="DELETE FROM {schema}.proj_clocks WHERE report_id = ANY(%(ids)s::text[])",
    insert_clock=COPY_CLOCKS,
    delete_shares="DELETE FROM {schema}.proj_shares WHERE report_id = ANY(%(ids)s::text[])",
    insert_share=COPY_SHARES,
    counts_out=counters.moves(counters.POSTGRES, -1),
    counts_in=counters.moves(counters.POSTGRES, 1),
    counts_cleanup=counters.cleanup(counters.POSTGRES),
    select_origins="SELECT report_id, day, classification FROM {schema}.proj_daily_origin"
    " WHERE report_id = ANY(%(ids)s::text[])",
    insert_origin="INSERT INTO {schema}.proj_daily_origin VALUES"
    " (%(report_id)s, %(day)s, %(classification)s)",
    add_daily=ADD_DAILY,
    upsert_failure=UPSERT_FAILURE,
    delete_failure="DELETE FROM {schema}.proj_failures WHERE projection = %(projection)s",
    select_failure="SELECT * FROM {schema}.proj_failures WHERE projection = %(projection)s",
    queue=q.QUEUE,
    inbox=q.INBOX,
    overdue=q.OVERDUE,
    overdue_agency=q.OVERDUE_AGENCY,
    report="SELECT * FROM {schema}.proj_reports WHERE report_id = %(report_id)s",
    report_clocks="SELECT * FROM {schema}.proj_clocks WHERE report_id = %(report_id)s",
    national_shares=NATIONAL_SHARES,
    agency_shares=AGENCY_SHARES,
    clock_figures=CLOCK_FIGURES,
    daily=q.DAILY,
    open_auto_close="SELECT report_id, due_us FROM {schema}.proj_clocks"
    " WHERE clock = 'auto_close' AND outcome IS NULL AND due_us < %(now_us)s"
    " ORDER BY due_us, report_id",
    **parts.fields(counters.POSTGRES, CREATE),
    snapshot={
        "proj_reports": "SELECT * FROM {schema}.proj_reports ORDER BY report_id",
        "proj_clocks": "SELECT * FROM {schema}.proj_clocks ORDER BY report_id, clock",
        "proj_shares": "SELECT * FROM {schema}.proj_shares ORDER BY report_id, agency_id",
        "proj_daily": "SELECT * FROM {schema}.proj_daily ORDER BY day, classification, kind",
        "proj_daily_origin": "SELECT * FROM {schema}.proj_daily_origin ORDER BY report_id",
        "proj_share_counts": "SELECT * FROM {schema}.proj_share_counts"
        " ORDER BY submitted_day, agency_id, classification, bucket",
        "proj_clock_counts": "SELECT * FROM {schema}.proj_clock_counts"
        " ORDER BY submitted_day, agency_id, clock, classification",
    },
)


def _fill(template: Any, schema: str) -> Any:
    if isinstance(template, str):
        return pg_statement(template, schema=schema)
    if isinstance(template, tuple):
        return tuple(_fill(t, schema) for t in template)
    return {key: _fill(value, schema) for key, value in template.items()}


def statements(schema: str) -> Statements:
    """The statements with the schema filled in as a quoted identifier."""
    return Statements(
        **{f.name: _fill(getattr(TEMPLATES, f.name), schema) for f in fields(Statements)}
    )
