"""The PostgreSQL integrity recorder's tables, triggers and statements, as named constants.

`{schema}`, `{events}` and `{event_type}` are filled in once per recorder (`_sql`).
"""

from __future__ import annotations

EVENTS_TABLE = "ledger_events"

CREATE_LEDGER_TABLES = [
    "CREATE TABLE IF NOT EXISTS {schema}.ledger_entries ("
    " leaf_index bigint PRIMARY KEY,"
    " stream_id uuid NOT NULL,"
    " stream_version bigint NOT NULL,"
    " recorded_at_us bigint NOT NULL,"
    " prev_hash bytea NOT NULL CHECK (length(prev_hash) = 32),"
    " entry_hash bytea NOT NULL CHECK (length(entry_hash) = 32),"
    " UNIQUE (stream_id, stream_version))",
    "CREATE TABLE IF NOT EXISTS {schema}.ledger_meta (key text PRIMARY KEY, value text NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {schema}.report_keys ("
    " report_id uuid PRIMARY KEY,"
    " key_id text NOT NULL,"
    " kek_id text NOT NULL,"
    " wrapped bytea,"
    " created_at_us bigint NOT NULL,"
    " destroyed_at_us bigint)",
    "CREATE OR REPLACE FUNCTION {schema}.ledger_refuse_change() RETURNS trigger"
    " LANGUAGE plpgsql AS $$ BEGIN"
    " RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP"
    " USING ERRCODE = 'insufficient_privilege'; END $$",
    "CREATE OR REPLACE FUNCTION {schema}.ledger_keys_only_destroy() RETURNS trigger"
    " LANGUAGE plpgsql AS $$ BEGIN"
    " IF TG_OP = 'UPDATE' AND OLD.wrapped IS NOT NULL AND NEW.wrapped IS NULL"
    " AND NEW.destroyed_at_us IS NOT NULL AND NEW.report_id = OLD.report_id"
    " AND NEW.key_id = OLD.key_id AND NEW.kek_id = OLD.kek_id"
    " AND NEW.created_at_us = OLD.created_at_us THEN RETURN NEW; END IF;"
    " RAISE EXCEPTION 'report_keys: only destroying a wrapped key is allowed (% refused)', TG_OP"
    " USING ERRCODE = 'insufficient_privilege'; END $$",
    "CREATE OR REPLACE TRIGGER report_keys_only_destroy BEFORE UPDATE OR DELETE"
    " ON {schema}.report_keys FOR EACH ROW EXECUTE FUNCTION {schema}.ledger_keys_only_destroy()",
    "CREATE OR REPLACE TRIGGER report_keys_no_truncate BEFORE TRUNCATE"
    " ON {schema}.report_keys FOR EACH STATEMENT EXECUTE FUNCTION {schema}.ledger_refuse_change()",
]
APPEND_ONLY_TABLES = (EVENTS_TABLE, "ledger_entries", "ledger_meta")
APPEND_ONLY_TRIGGERS = [
    "CREATE OR REPLACE TRIGGER {append_only} BEFORE UPDATE OR DELETE ON {schema}.{table}"
    " FOR EACH ROW EXECUTE FUNCTION {schema}.ledger_refuse_change()",
    "CREATE OR REPLACE TRIGGER {no_truncate} BEFORE TRUNCATE ON {schema}.{table}"
    " FOR EACH STATEMENT EXECUTE FUNCTION {schema}.ledger_refuse_change()",
]

# The log head (the row whose stream_id is NULL) and, for each report in the batch, its last
# entry: one index probe per report whatever the length of its history.
SELECT_HEADS = (
    "SELECT NULL::uuid AS stream_id, leaf_index AS version, recorded_at_us, NULL::bytea AS hash"
    " FROM (SELECT leaf_index, recorded_at_us FROM {schema}.ledger_entries"
    " ORDER BY leaf_index DESC LIMIT 1) AS head"
    " UNION ALL"
    " SELECT k.sid, h.stream_version, NULL, h.entry_hash FROM unnest(%b::uuid[]) AS k(sid)"
    " CROSS JOIN LATERAL (SELECT l.stream_version, l.entry_hash FROM {schema}.ledger_entries l"
    " WHERE l.stream_id = k.sid ORDER BY l.stream_version DESC LIMIT 1) AS h"
)
# The events and their entries in one statement; notification ids come back in event order.
INSERT_EVENTS_AND_ENTRIES = (
    "WITH ev AS (INSERT INTO {schema}.{events} (originator_id, originator_version, topic, state)"
    " SELECT originator_id, originator_version, topic, state"
    " FROM unnest(%s::{schema}.{event_type}[])"
    " RETURNING notification_id),"
    " en AS (INSERT INTO {schema}.ledger_entries"
    " SELECT * FROM unnest(%b::bigint[], %b::uuid[], %b::bigint[], %b::bigint[],"
    " %b::bytea[], %b::bytea[]))"
    " SELECT notification_id FROM ev ORDER BY notification_id"
)
# The same insert when this recorder already knows the log head: it writes only if the log's
# last leaf is still the given one (nobody appended since this recorder's last commit), so
# lock, insert and COMMIT go in one round trip; no rows back means nothing was written.
INSERT_AT_KNOWN_HEAD = (
    "WITH guard AS (SELECT 1 FROM (SELECT leaf_index FROM {schema}.ledger_entries"
    " ORDER BY leaf_index DESC LIMIT 1) AS head WHERE head.leaf_index = %b),"
    " ev AS (INSERT INTO {schema}.{events} (originator_id, originator_version, topic, state)"
    " SELECT originator_id, originator_version, topic, state"
    " FROM unnest(%s::{schema}.{event_type}[]) WHERE EXISTS (SELECT FROM guard)"
    " RETURNING notification_id),"
    " en AS (INSERT INTO {schema}.ledger_entries"
    " SELECT * FROM unnest(%b::bigint[], %b::uuid[], %b::bigint[], %b::bigint[],"
    " %b::bytea[], %b::bytea[]) WHERE EXISTS (SELECT FROM guard))"
    " SELECT notification_id FROM ev ORDER BY notification_id"
)
INSERT_KEY = "INSERT INTO {schema}.report_keys VALUES (%s, %s, %s, %s, %s, NULL)"
SELECT_KEY = "SELECT key_id, kek_id, wrapped FROM {schema}.report_keys WHERE report_id = %s"
DESTROY_KEY = (
    "UPDATE {schema}.report_keys SET wrapped = NULL, destroyed_at_us = %s"
    " WHERE report_id = %s AND wrapped IS NOT NULL"
)
INSERT_ORIGIN = "INSERT INTO {schema}.ledger_meta VALUES ('origin', %s) ON CONFLICT DO NOTHING"
SELECT_ORIGIN = "SELECT value FROM {schema}.ledger_meta WHERE key = 'origin'"
SELECT_TREE_SIZE = "SELECT COALESCE(MAX(leaf_index) + 1, 0) AS size FROM {schema}.ledger_entries"
_ENTRY_COLUMNS = (
    "SELECT l.leaf_index, l.stream_id, l.stream_version, l.recorded_at_us, l.prev_hash,"
    " l.entry_hash, e.topic, e.state FROM {schema}.ledger_entries l"
    " LEFT JOIN {schema}.{events} e"
    " ON e.originator_id = l.stream_id AND e.originator_version = l.stream_version"
)
SELECT_ENTRIES = (
    _ENTRY_COLUMNS
    + " WHERE l.leaf_index >= %s AND l.leaf_index < %s ORDER BY l.leaf_index LIMIT %s"
)
SELECT_STREAM_ENTRIES = _ENTRY_COLUMNS + " WHERE l.stream_id = %s ORDER BY l.stream_version"
SELECT_STREAM_ENTRY = _ENTRY_COLUMNS + " WHERE l.stream_id = %s AND l.stream_version = %s"
SELECT_UNLINKED = (
    "SELECT e.originator_id, e.originator_version, e.topic, e.state FROM {schema}.{events} e"
    " LEFT JOIN {schema}.ledger_entries l"
    " ON l.stream_id = e.originator_id AND l.stream_version = e.originator_version"
    " WHERE l.leaf_index IS NULL ORDER BY e.notification_id"
)
PAGE = 5000
