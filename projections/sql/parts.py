"""The positions of a rebuild in parts (projections.parallel), one row per view and part.

While a view has rows here it is being rebuilt in parts: each part's rows and its position
commit together, and the transaction that takes a part to the rebuild's end (`until_id`) adds
its reports to the counters; the view's own position is recorded only when every part has
reached the end, in the transaction that deletes these rows.
"""

# ruff: noqa: S608  (the SQL is assembled from this module's constants only, never from input)
from __future__ import annotations

from typing import Any

from projections.sql import counters
from projections.sql.counters import Dialect


def table(d: Dialect) -> str:
    """The parts table."""
    return (
        f"CREATE TABLE IF NOT EXISTS {d.prefix}proj_rebuild_parts ("
        f" projection text NOT NULL, part {d.integer} NOT NULL, parts {d.integer} NOT NULL,"
        f" until_id {d.integer} NOT NULL, position {d.integer},"
        " PRIMARY KEY (projection, part))"
    )


def statements(d: Dialect) -> tuple[str, str, str, str]:
    """Insert a part, advance it (only from where the caller read it), select, delete."""
    t, p = d.prefix, d.p
    insert = (
        f"INSERT INTO {t}proj_rebuild_parts VALUES"
        f" ({p('projection')}, {p('part')}, {p('parts')}, {p('until_id')}, NULL)"
    )
    # The first statement of a part's transaction, and a write: on SQLite it waits for the
    # other writers (the busy timeout) instead of failing on a snapshot another one moved.
    advance = (
        f"UPDATE {t}proj_rebuild_parts SET position = {p('last')}"
        f" WHERE projection = {p('projection')} AND part = {p('part')}"
        f" AND COALESCE(position, 0) = {p('after')} RETURNING position"
    )
    select = (
        f"SELECT part, parts, until_id, position FROM {t}proj_rebuild_parts"
        f" WHERE projection = {p('projection')} ORDER BY part"
    )
    delete = f"DELETE FROM {t}proj_rebuild_parts WHERE projection = {p('projection')}"
    return insert, advance, select, delete


def fields(d: Dialect, create: tuple[str, ...]) -> dict[str, Any]:
    """The `Statements` fields of a rebuild in parts, for one backend (`create`: its table
    and index statements)."""
    insert, advance, select, delete = statements(d)
    creates, drops = report_indexes(create, d.prefix)
    return {
        "insert_part": insert,
        "advance_part": advance,
        "select_parts": select,
        "delete_parts": delete,
        "fill_counters": counters.fill(d)[1:],  # without the index `create` already has
        "part_counts": counters.part_moves(d),
        "add_counts": counters.additions(d),
        "create_report_indexes": creates,
        "drop_report_indexes": drops,
    }


def forget(d: Dialect, projection: str) -> str:
    """Delete one projection's parts (when it is emptied)."""
    return f"DELETE FROM {d.prefix}proj_rebuild_parts WHERE projection = '{projection}'"


def report_indexes(create: tuple[str, ...], prefix: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The statements creating the secondary indexes of the report and clock rows (among the
    `create` statements), and those dropping them: a rebuild in parts drops them when it
    starts and creates them once at its end, one sort each instead of an insert per row.
    Not the index of pending clocks: SQLite's compliance query names it (`INDEXED BY`)."""
    tables = ("proj_reports", "proj_clocks")
    creates = tuple(
        s
        for s in create
        if s.startswith("CREATE INDEX IF NOT EXISTS ")
        and s.split(" ON ", 1)[1].removeprefix(prefix).split(" ", 1)[0] in tables
        and " proj_clocks_pending " not in s
    )
    drops = tuple(f"DROP INDEX IF EXISTS {prefix}{s.split()[5]}" for s in creates)
    return creates, drops
