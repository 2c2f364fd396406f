"""What the ledger's SQLite table layout costs a one-event save, in plain `sqlite3`.

Four layouts on four files, each grown to the same size first, then timed in alternating
blocks (median of the blocks' median transaction time):

- plain:  eventsourcing's events table alone;
- former: the events table plus `ledger_entries` with its unique event-id index (the layout of
          pre-release versions);
- no-idx: the same without the unique event-id index;
- merged: the entry's columns in the events row, the leaf index + 1 as its integer primary key
          (the layout the ledger ships, ledger.storage.sqlite_sql).

A transaction is `BEGIN IMMEDIATE`, the insert(s) of one event of 730 bytes for one of 1,000
reports, `COMMIT` (WAL mode, SQLite's default synchronous setting), as the recorders do.

    .venv/bin/python bench/sqlite_layout.py [--grow 50000] [--blocks 12] [--per-block 400]
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import tempfile
import time
import uuid
from pathlib import Path

EVENTS = (
    "CREATE TABLE ev (originator_id TEXT, originator_version INTEGER, topic TEXT, state BLOB,"
    " PRIMARY KEY (originator_id, originator_version))"
)
ENTRIES = (
    "CREATE TABLE en (leaf_index INTEGER PRIMARY KEY, event_id INTEGER NOT NULL{unique},"
    " stream_id BLOB, stream_version INTEGER, recorded_at_us INTEGER, prev_hash BLOB,"
    " entry_hash BLOB)"
)
MERGED = (
    "CREATE TABLE ev (notification_id INTEGER PRIMARY KEY, originator_id TEXT,"
    " originator_version INTEGER, topic TEXT, recorded_at_us INTEGER, prev_hash BLOB,"
    " entry_hash BLOB, state BLOB, UNIQUE (originator_id, originator_version))"
)
LAYOUTS = ("plain", "former", "no-idx", "merged")


class Writer:
    """One layout on its own file, appending one event per transaction."""

    def __init__(self, layout: str, folder: Path) -> None:
        self.layout = layout
        self.db = sqlite3.connect(folder / f"{layout}.sqlite3", isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        if layout == "merged":
            self.db.execute(MERGED)
        else:
            self.db.execute(EVENTS)
        if layout in ("former", "no-idx"):
            self.db.execute(ENTRIES.format(unique=" UNIQUE" if layout == "former" else ""))
        self.reports = [uuid.uuid4().hex for _ in range(1000)]
        self.versions = dict.fromkeys(self.reports, 0)
        self.leaf = 0
        self.state = os.urandom(730)
        self.hash = os.urandom(32)

    def save(self) -> float:
        """Append one event; the transaction's wall time in seconds."""
        rid = random.choice(self.reports)
        self.versions[rid] += 1
        version, c = self.versions[rid], self.db
        started = time.perf_counter()
        c.execute("BEGIN IMMEDIATE")
        if self.layout == "merged":
            c.execute(
                "INSERT INTO ev VALUES (?,?,?,?,?,?,?,?)",
                (self.leaf + 1, rid, version, "topic", 0, self.hash, self.hash, self.state),
            )
        else:
            cur = c.execute("INSERT INTO ev VALUES (?,?,?,?)", (rid, version, "topic", self.state))
            if self.layout != "plain":
                c.execute(
                    "INSERT INTO en VALUES (?,?,?,?,?,?,?)",
                    (
                        self.leaf,
                        cur.lastrowid,
                        bytes.fromhex(rid),
                        version,
                        0,
                        self.hash,
                        self.hash,
                    ),
                )
        c.execute("COMMIT")
        self.leaf += 1
        return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--grow", type=int, default=50_000, help="events per file before timing")
    parser.add_argument("--blocks", type=int, default=12, help="timed blocks per layout")
    parser.add_argument("--per-block", type=int, default=400, help="transactions per block")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sqlite-layout-") as folder:
        writers = [Writer(layout, Path(folder)) for layout in LAYOUTS]
        for w in writers:
            for _ in range(args.grow):
                w.save()
        medians: dict[str, list[float]] = {w.layout: [] for w in writers}
        for block in range(args.blocks):
            for w in writers if block % 2 == 0 else writers[::-1]:
                times = [w.save() for _ in range(args.per_block)]
                medians[w.layout].append(statistics.median(times) * 1e6)
        for w in writers:
            w.db.close()
    print(f"sqlite {sqlite3.sqlite_version}; one-event transactions, {args.grow} events grown")
    base = statistics.median(medians["plain"])
    for layout, values in medians.items():
        m = statistics.median(values)
        print(f"{layout:>7}: {m:6.1f} µs per transaction (+{m - base:4.1f} over plain)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
