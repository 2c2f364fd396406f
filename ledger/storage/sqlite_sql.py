"""The SQLite integrity recorder's tables, triggers and statements, as named constants."""

from __future__ import annotations

EVENTS_TABLE = "ledger_events"
FORMER_ENTRIES_TABLE = "ledger_entries"  # the two-table layout of pre-release files

# One table holds each event and its log entry (docs/storage.md, "SQLite: one row per
# event"): the leaf index is the row's integer primary key less one, assigned by the recorder
# (gap-free, from the log head) rather than by SQLite, so every append writes one row and one
# index entry, as eventsourcing's own table does. Entry columns come before the payload.
CREATE_EVENTS_TABLE = (
    f"CREATE TABLE IF NOT EXISTS {EVENTS_TABLE} ("
    " notification_id INTEGER PRIMARY KEY,"  # the leaf index + 1
    " originator_id TEXT NOT NULL,"
    " originator_version INTEGER NOT NULL,"
    " topic TEXT NOT NULL,"
    " recorded_at_us INTEGER NOT NULL,"
    " prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),"
    " entry_hash BLOB NOT NULL CHECK (length(entry_hash) = 32),"
    " state BLOB NOT NULL,"
    " UNIQUE (originator_id, originator_version))"
)
CREATE_LEDGER_TABLES = [
    CREATE_EVENTS_TABLE,
    "CREATE TABLE IF NOT EXISTS ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS report_keys ("
    " report_id TEXT PRIMARY KEY,"
    " key_id TEXT NOT NULL,"
    " kek_id TEXT NOT NULL,"
    " wrapped BLOB,"
    " created_at_us INTEGER NOT NULL,"
    " destroyed_at_us INTEGER)",
]

APPEND_ONLY_TABLES = (EVENTS_TABLE, "ledger_meta")


def append_only_triggers(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op} refused'); END"
        for op in ("UPDATE", "DELETE")
    ]


KEY_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS report_keys_no_delete BEFORE DELETE ON report_keys "
    "BEGIN SELECT RAISE(ABORT, 'report_keys rows are kept: DELETE refused'); END",
    # The only change allowed is destroying a wrapped key (erasure), once.
    "CREATE TRIGGER IF NOT EXISTS report_keys_only_destroy BEFORE UPDATE ON report_keys "
    "WHEN NEW.wrapped IS NOT NULL OR OLD.wrapped IS NULL OR NEW.report_id != OLD.report_id "
    "OR NEW.key_id != OLD.key_id OR NEW.kek_id != OLD.kek_id "
    "OR NEW.created_at_us != OLD.created_at_us OR NEW.destroyed_at_us IS NULL "
    "BEGIN SELECT RAISE(ABORT, 'report_keys: only destroying a wrapped key is allowed'); END",
]

SELECT_HEAD = (
    "SELECT notification_id - 1, recorded_at_us FROM ledger_events"
    " ORDER BY notification_id DESC LIMIT 1"
)
# The entry hash of a report's latest event (the events' unique (stream, version) index).
SELECT_STREAM_HEAD = (
    "SELECT originator_version, entry_hash FROM ledger_events"
    " WHERE originator_id = ? ORDER BY originator_version DESC LIMIT 1"
)
INSERT_EVENT = (
    "INSERT INTO ledger_events (notification_id, originator_id, originator_version, topic,"
    " recorded_at_us, prev_hash, entry_hash, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_KEY = "INSERT INTO report_keys VALUES (?, ?, ?, ?, ?, NULL)"
SELECT_KEY = "SELECT key_id, kek_id, wrapped FROM report_keys WHERE report_id = ?"
DESTROY_KEY = (
    "UPDATE report_keys SET wrapped = NULL, destroyed_at_us = ? "
    "WHERE report_id = ? AND wrapped IS NOT NULL"
)
SELECT_ORIGIN = "SELECT value FROM ledger_meta WHERE key = 'origin'"
INSERT_ORIGIN = "INSERT OR IGNORE INTO ledger_meta VALUES ('origin', ?)"
SELECT_TREE_SIZE = "SELECT COALESCE(MAX(notification_id), 0) FROM ledger_events"
_COLUMNS = (
    "SELECT notification_id - 1, originator_id, originator_version, recorded_at_us, prev_hash,"
    " entry_hash, topic, state FROM ledger_events"
)
# The log in leaf order (leaf index >= ? and < ?, as notification ids > ? and <= ?).
SELECT_ENTRIES = (
    _COLUMNS + " WHERE notification_id > ? AND notification_id <= ?"
    " ORDER BY notification_id LIMIT ?"
)
SELECT_STREAM_ENTRIES = _COLUMNS + " WHERE originator_id = ? ORDER BY originator_version"
SELECT_STREAM_ENTRY = _COLUMNS + " WHERE originator_id = ? AND originator_version = ?"
SELECT_FORMER_LAYOUT = (
    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ledger_entries'"
)
# eventsourcing's notification log, read by the integer primary key (named for what it is).
SELECT_NOTIFICATIONS = (
    "SELECT notification_id, originator_id, originator_version, topic, state FROM ledger_events"
)
PAGE = 2000
