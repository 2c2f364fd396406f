"""The parts of a rebuild split reports the same way in Python and in SQLite's query."""

from __future__ import annotations

import json
import sqlite3
from uuid import UUID

import pytest

from projections.source import SQLITE_PART, Part, part_of


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 7])
def test_sqlite_condition_takes_exactly_the_reports_of_its_part(count: int) -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE events (originator_id TEXT)")
    ids = [str(UUID(int=(0x5A17 << 64) + byte * 0x0101)) for byte in range(256)]
    ids += [i.upper() for i in ids]  # a report id in any case belongs to the same part
    db.executemany("INSERT INTO events VALUES (?)", [(i,) for i in ids])
    taken: list[str] = []
    for index in range(count):
        texts = json.dumps(Part(index, count, 0).texts())
        query = f"SELECT originator_id FROM events WHERE {SQLITE_PART}"
        rows = db.execute(query, (texts,)).fetchall()
        assert rows, f"part {index} of {count} takes nothing"
        assert all(part_of(i, count) == index for (i,) in rows)
        taken += [i for (i,) in rows]
    assert sorted(taken) == sorted(ids)  # every report in exactly one part
