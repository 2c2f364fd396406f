"""The SQLite integrity recorder's tables, triggers and statements, as named constants."""

from __future__ import annotations

EVENTS_TABLE = "ledger_events"

# Every index of ledger_entries grows at its end (leaf index, event id): an append writes no
# page in the middle of a b-tree. A report's entries are found through the events table's
# own primary key (stream, version) and the event id; see docs/storage.md.
CREATE_LEDGER_TABLES = [
    "CREATE TABLE IF NOT EXISTS ledger_entries ("
    " leaf_index INTEGER PRIMARY KEY,"
    " event_id INTEGER NOT NULL UNIQUE,"
    " stream_id BLOB NOT NULL CHECK (length(stream_id) = 16),"
    " stream_version INTEGER NOT NULL,"
    " recorded_at_us INTEGER NOT NULL,"
    " prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),"
    " entry_hash BLOB NOT NULL CHECK (length(entry_hash) = 32))",
    "CREATE TABLE IF NOT EXISTS ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS report_keys ("
    " report_id TEXT PRIMARY KEY,"
    " key_id TEXT NOT NULL,"
    " kek_id TEXT NOT NULL,"
    " wrapped BLOB,"
    " created_at_us INTEGER NOT NULL,"
    " destroyed_at_us INTEGER)",
]

APPEND_ONLY_TABLES = (EVENTS_TABLE, "ledger_entries", "ledger_meta")


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
    "SELECT leaf_index, recorded_at_us FROM ledger_entries ORDER BY leaf_index DESC LIMIT 1"
)
# The entry of a report's latest linked event; the caller checks that the entry names that
# event's stream and version. One such statement per report costs less in SQLite than one
# statement for all reports (measured).
SELECT_STREAM_HEAD = (
    "SELECT e.originator_version, l.stream_id, l.stream_version, l.entry_hash"
    " FROM ledger_events e JOIN ledger_entries l ON l.event_id = e.rowid"
    " WHERE e.originator_id = ? ORDER BY e.originator_version DESC LIMIT 1"
)
INSERT_ENTRY = "INSERT INTO ledger_entries VALUES (?, ?, ?, ?, ?, ?, ?)"
INSERT_KEY = "INSERT INTO report_keys VALUES (?, ?, ?, ?, ?, NULL)"
SELECT_KEY = "SELECT key_id, kek_id, wrapped FROM report_keys WHERE report_id = ?"
DESTROY_KEY = (
    "UPDATE report_keys SET wrapped = NULL, destroyed_at_us = ? "
    "WHERE report_id = ? AND wrapped IS NOT NULL"
)
SELECT_ORIGIN = "SELECT value FROM ledger_meta WHERE key = 'origin'"
INSERT_ORIGIN = "INSERT OR IGNORE INTO ledger_meta VALUES ('origin', ?)"
SELECT_TREE_SIZE = "SELECT COALESCE(MAX(leaf_index) + 1, 0) FROM ledger_entries"
_COLUMNS = (
    "SELECT l.leaf_index, l.stream_id, l.stream_version, l.recorded_at_us, l.prev_hash,"
    " l.entry_hash, e.topic, e.state"
)
# The log in leaf order: each entry with the event stored at its own stream and version.
SELECT_ENTRIES = (
    _COLUMNS + " FROM ledger_entries l LEFT JOIN ledger_events e"
    " ON e.originator_id = lower(hex(l.stream_id)) AND e.originator_version = l.stream_version"
    " WHERE l.leaf_index >= ? AND l.leaf_index < ? ORDER BY l.leaf_index LIMIT ?"
)
# One report's entries: its events by primary key, each with the entry that links to it.
_STREAM = _COLUMNS + " FROM ledger_events e JOIN ledger_entries l ON l.event_id = e.rowid"
SELECT_STREAM_ENTRIES = _STREAM + " WHERE e.originator_id = ? ORDER BY e.originator_version"
SELECT_STREAM_ENTRY = _STREAM + " WHERE e.originator_id = ? AND e.originator_version = ?"
SELECT_UNLINKED = (
    "SELECT e.originator_id, e.originator_version, e.topic, e.state FROM ledger_events e"
    " LEFT JOIN ledger_entries l ON l.event_id = e.rowid"
    " WHERE l.leaf_index IS NULL ORDER BY e.rowid"
)
PAGE = 2000
