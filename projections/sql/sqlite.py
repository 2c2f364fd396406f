"""Projection SQL for SQLite: view tables live in the ledger's own file, beside the events."""

from __future__ import annotations

from projections.sql import Statements, counters, parts
from projections.sql import sqlite_queries as q

CREATE = (
    *counters.tables(counters.SQLITE),  # first: see counters.tables
    "CREATE TABLE IF NOT EXISTS proj_reports ("
    " report_id TEXT PRIMARY KEY, version INTEGER NOT NULL,"
    " classification TEXT NOT NULL, privacy TEXT NOT NULL, urgency TEXT NOT NULL,"
    " handling_class TEXT, sla_policy TEXT, state TEXT NOT NULL,"
    " awaiting_reporter INTEGER NOT NULL, intake_agency_id TEXT NOT NULL,"
    " agency_id TEXT, unit_id TEXT, submitted_us INTEGER NOT NULL, submitted_day TEXT NOT NULL,"
    " assigned_us INTEGER, next_due_us INTEGER, state_us INTEGER NOT NULL,"
    " last_event_us INTEGER NOT NULL, bucket TEXT NOT NULL, returns INTEGER NOT NULL,"
    " redispositions INTEGER NOT NULL, handling INTEGER NOT NULL, followed_up INTEGER NOT NULL,"
    " record TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS proj_clocks ("
    " report_id TEXT NOT NULL, clock TEXT NOT NULL, agency_id TEXT,"
    " classification TEXT NOT NULL, submitted_day TEXT NOT NULL, started_us INTEGER NOT NULL,"
    " due_us INTEGER, stopped_us INTEGER, outcome TEXT, stamped INTEGER NOT NULL,"
    " PRIMARY KEY (report_id, clock))",
    "CREATE TABLE IF NOT EXISTS proj_shares ("
    " report_id TEXT NOT NULL, agency_id TEXT NOT NULL, classification TEXT NOT NULL,"
    " submitted_day TEXT NOT NULL, bucket TEXT NOT NULL, returns INTEGER NOT NULL,"
    " redispositions INTEGER NOT NULL, handling INTEGER NOT NULL, followed_up INTEGER NOT NULL,"
    " PRIMARY KEY (report_id, agency_id))",
    "CREATE TABLE IF NOT EXISTS proj_daily ("
    " day TEXT NOT NULL, classification TEXT NOT NULL, kind TEXT NOT NULL, n INTEGER NOT NULL,"
    " PRIMARY KEY (day, classification, kind))",
    "CREATE TABLE IF NOT EXISTS proj_daily_origin ("
    " report_id TEXT PRIMARY KEY, day TEXT NOT NULL, classification TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS proj_failures ("
    " projection TEXT PRIMARY KEY, notification_id INTEGER NOT NULL, report_id TEXT,"
    " event_type TEXT, message TEXT NOT NULL, failed_us INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS proj_reports_tracking ("
    " application_name TEXT PRIMARY KEY, notification_id INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS proj_daily_tracking ("
    " application_name TEXT PRIMARY KEY, notification_id INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS proj_reports_queue ON proj_reports (state, submitted_us)",
    "CREATE INDEX IF NOT EXISTS proj_reports_inbox ON proj_reports (agency_id, assigned_us)",
    # Compliance reads the counters: the report-day indexes it used to scan are gone.
    "DROP INDEX IF EXISTS proj_reports_day",
    "CREATE INDEX IF NOT EXISTS proj_clocks_open ON proj_clocks (due_us) WHERE outcome IS NULL",
    "DROP INDEX IF EXISTS proj_clocks_day",
    "DROP INDEX IF EXISTS proj_shares_day",
    "CREATE INDEX IF NOT EXISTS proj_clocks_open_agency ON proj_clocks"
    " (agency_id, due_us, report_id, clock) WHERE outcome IS NULL",
    *counters.fill(counters.SQLITE),
    parts.table(counters.SQLITE),
)
NATIONAL_SHARES, AGENCY_SHARES, CLOCK_FIGURES = counters.queries(counters.SQLITE)
# Tracking rows only ever move forward (eventsourcing's single-row tracking semantics).
# A view transaction commits without waiting for the disk (synchronous NORMAL in WAL mode: a
# power cut can take back the last view transactions, rows and position together, never
# corrupt the file). The setting is the connection's, so it is put back after each commit: the
# ledger's own writes keep the file's default (FULL).
GET_SYNCHRONOUS = "PRAGMA synchronous"
SET_SYNCHRONOUS = "PRAGMA synchronous = {level}"
VIEW_SYNCHRONOUS = 1  # NORMAL
# Nor does it overwrite what it deletes (secure_delete FAST instead of the ON that Debian's
# library defaults to): a view holds only what the log's clear headers hold, and emptying the
# views for a rebuild would otherwise write every page they used, hundreds of MB at 10^6
# events. Put back after each commit too.
GET_SECURE_DELETE = "PRAGMA secure_delete"
SET_SECURE_DELETE = "PRAGMA secure_delete = {level}"  # OFF, ON or FAST: a number sets only 0/1
SECURE_DELETE_LEVELS = ("OFF", "ON", "FAST")  # by the number the setting reads as
VIEW_SECURE_DELETE = 2  # FAST: overwritten only where the page is written anyway

INSERT_TRACKING = {
    "reports": "INSERT INTO proj_reports_tracking VALUES (:application_name, :notification_id)"
    " ON CONFLICT (application_name) DO UPDATE SET notification_id = excluded.notification_id"
    " WHERE proj_reports_tracking.notification_id < excluded.notification_id"
    " RETURNING notification_id",
    "daily": "INSERT INTO proj_daily_tracking VALUES (:application_name, :notification_id)"
    " ON CONFLICT (application_name) DO UPDATE SET notification_id = excluded.notification_id"
    " WHERE proj_daily_tracking.notification_id < excluded.notification_id"
    " RETURNING notification_id",
}
SELECT_TRACKING = {
    "reports": "SELECT MAX(notification_id) AS max FROM proj_reports_tracking"
    " WHERE application_name = :application_name",
    "daily": "SELECT MAX(notification_id) AS max FROM proj_daily_tracking"
    " WHERE application_name = :application_name",
}
# Bulk inserts take positional rows in the order of projections.sql.*_COLUMNS.
INSERT_REPORT = (
    "INSERT INTO proj_reports (report_id, version, classification, privacy, urgency,"
    " handling_class, sla_policy, state, awaiting_reporter, intake_agency_id, agency_id, unit_id,"
    " submitted_us, submitted_day, assigned_us, next_due_us, state_us, last_event_us, bucket,"
    " returns, redispositions, handling, followed_up, record)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_CLOCK = (
    "INSERT INTO proj_clocks (report_id, clock, agency_id, classification, submitted_day,"
    " started_us, due_us, stopped_us, outcome, stamped) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_SHARE = (
    "INSERT INTO proj_shares (report_id, agency_id, classification, submitted_day, bucket,"
    " returns, redispositions, handling, followed_up) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
ADD_DAILY = (
    "INSERT INTO proj_daily VALUES (:day, :classification, :kind, :n)"
    " ON CONFLICT (day, classification, kind) DO UPDATE SET n = proj_daily.n + excluded.n"
)
UPSERT_FAILURE = (
    "INSERT OR REPLACE INTO proj_failures VALUES"
    " (:projection, :notification_id, :report_id, :event_type, :message, :failed_us)"
)

SQLITE = Statements(
    create=CREATE,
    reset_reports=(
        "DELETE FROM proj_reports",
        "DELETE FROM proj_clocks",
        "DELETE FROM proj_shares",
        *counters.reset(counters.SQLITE),
        "DELETE FROM proj_reports_tracking WHERE application_name = :application_name",
        "DELETE FROM proj_failures WHERE projection = 'reports'",
        parts.forget(counters.SQLITE, "reports"),
    ),
    reset_daily=(
        "DELETE FROM proj_daily",
        "DELETE FROM proj_daily_origin",
        "DELETE FROM proj_daily_tracking WHERE application_name = :application_name",
        "DELETE FROM proj_failures WHERE projection = 'daily'",
        parts.forget(counters.SQLITE, "daily"),
    ),
    select_records="SELECT record FROM proj_reports"
    " WHERE report_id IN (SELECT value FROM json_each(:ids))",
    delete_report="DELETE FROM proj_reports WHERE report_id IN (SELECT value FROM json_each(:ids))",
    insert_report=INSERT_REPORT,
    delete_clocks="DELETE FROM proj_clocks WHERE report_id IN (SELECT value FROM json_each(:ids))",
    insert_clock=INSERT_CLOCK,
    delete_shares="DELETE FROM proj_shares WHERE report_id IN (SELECT value FROM json_each(:ids))",
    insert_share=INSERT_SHARE,
    counts_out=counters.moves(counters.SQLITE, -1),
    counts_in=counters.moves(counters.SQLITE, 1),
    counts_cleanup=counters.cleanup(counters.SQLITE),
    select_origins="SELECT report_id, day, classification FROM proj_daily_origin"
    " WHERE report_id IN (SELECT value FROM json_each(:ids))",
    insert_origin="INSERT INTO proj_daily_origin VALUES (:report_id, :day, :classification)",
    add_daily=ADD_DAILY,
    upsert_failure=UPSERT_FAILURE,
    delete_failure="DELETE FROM proj_failures WHERE projection = :projection",
    select_failure="SELECT * FROM proj_failures WHERE projection = :projection",
    queue=q.QUEUE,
    inbox=q.INBOX,
    overdue=q.OVERDUE,
    overdue_agency=q.OVERDUE_AGENCY,
    report="SELECT * FROM proj_reports WHERE report_id = :report_id",
    report_clocks="SELECT * FROM proj_clocks WHERE report_id = :report_id",
    national_shares=NATIONAL_SHARES,
    agency_shares=AGENCY_SHARES,
    clock_figures=CLOCK_FIGURES,
    daily=q.DAILY,
    open_auto_close="SELECT report_id, due_us FROM proj_clocks WHERE clock = 'auto_close'"
    " AND outcome IS NULL AND due_us < :now_us ORDER BY due_us, report_id",
    **parts.fields(counters.SQLITE, CREATE),
    snapshot={
        "proj_reports": "SELECT * FROM proj_reports ORDER BY report_id",
        "proj_clocks": "SELECT * FROM proj_clocks ORDER BY report_id, clock",
        "proj_shares": "SELECT * FROM proj_shares ORDER BY report_id, agency_id",
        "proj_daily": "SELECT * FROM proj_daily ORDER BY day, classification, kind",
        "proj_daily_origin": "SELECT * FROM proj_daily_origin ORDER BY report_id",
        "proj_share_counts": "SELECT * FROM proj_share_counts"
        " ORDER BY submitted_day, agency_id, classification, bucket",
        "proj_clock_counts": "SELECT * FROM proj_clock_counts"
        " ORDER BY submitted_day, agency_id, clock, classification",
    },
)
