"""PostgreSQL statements with quoted identifiers filled in, rendered once per process.

A psycopg `Composed` statement is rendered again on every `execute` (each identifier escaped
anew); the service runs the same few statements per schema thousands of times a second, so
each is rendered to text once and cached. Only identifiers are filled in here; values always
travel as parameters.
"""

from __future__ import annotations

from functools import lru_cache

from psycopg.sql import SQL, Identifier


@lru_cache(maxsize=2048)
def _render(template: str, names: tuple[tuple[str, str], ...]) -> str:
    return SQL(template).format(**{k: Identifier(v) for k, v in names}).as_string(None)


def pg_statement(template: str, **names: str) -> str:
    """`template` with each `{name}` replaced by the quoted identifier `names[name]`."""
    return _render(template, tuple(sorted(names.items())))
