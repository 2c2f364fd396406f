"""An open database transaction of a view: named statements run with dict parameters."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from projections.sql import Statement, Statements


class Tx:
    """A cursor inside one transaction, with the statements of its backend."""

    def __init__(self, cursor: Any, sql: Statements, *, json_arrays: bool) -> None:
        self.cursor = cursor
        self.sql = sql
        self._json_arrays = json_arrays

    def rows(self, statement: Statement, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Run a query and return its rows as dicts."""
        self.cursor.execute(statement, dict(params))
        return [dict(row) for row in self.cursor.fetchall()]

    def run(self, statement: Statement, params: Mapping[str, Any]) -> None:
        """Run one statement."""
        self.cursor.execute(statement, dict(params))

    def run_many(self, statement: Statement, params: Sequence[dict[str, Any]]) -> None:
        """Run one statement for each parameter set (nothing when there is none)."""
        if params:
            self.cursor.executemany(statement, params)

    def insert_rows(self, statement: Statement, rows: Sequence[Sequence[Any]]) -> None:
        """Insert many rows at once, each its values in the order of the statement's columns:
        COPY on PostgreSQL, one prepared INSERT on SQLite."""
        if not rows:
            return
        if self._json_arrays:
            self.cursor.executemany(statement, rows)
            return
        with self.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    def array(self, values: Iterable[str] | None) -> Any:
        """A list of strings as the backend binds it (JSON text on SQLite, an array on PG)."""
        if values is None:
            return None
        items = list(values)
        return json.dumps(items) if self._json_arrays else items
