"""Shared fixtures: real SQLite files and a real PostgreSQL server (schema per test)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from ledger.settings import DatabaseUrl, Settings

POSTGRES_ENV = "LEDGER_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
TEST_ORIGIN = "test.lapor.example/ledger"
IN_CI = os.environ.get("CI") == "true"


def postgres_base_url() -> str:
    """The server the PostgreSQL tests use; fails under CI=true, skips elsewhere, if down."""
    url = os.environ.get(POSTGRES_ENV, DEFAULT_POSTGRES_URL)
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.OperationalError as e:
        message = (
            f"PostgreSQL not reachable at {DatabaseUrl.parse(url).redacted()} ({e}). "
            f"Start PostgreSQL 15+ or set {POSTGRES_ENV}=postgresql://user@host:port/db "
            "to run these tests."
        )
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh schema on the test server, dropped afterwards; yields its URL."""
    base = postgres_base_url()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}schema={schema}"
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A new SQLite file for one test."""
    return f"sqlite:///{tmp_path / 'ledger.sqlite3'}"


def make_settings(url: str, key_dir: Path) -> Settings:
    """Settings for a test ledger on the given database."""
    return Settings(database=DatabaseUrl.parse(url), origin=TEST_ORIGIN, key_dir=key_dir)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many PostgreSQL tests ran, so a CI log shows they were not skipped."""
    counts: dict[str, int] = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "when", "call") in ("call", "setup") and "postgres" in getattr(
                report, "keywords", {}
            ):
                if outcome == "passed" and report.when != "call":
                    continue
                counts[outcome] = counts.get(outcome, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "none collected"
    terminalreporter.write_line(f"PostgreSQL tests: {summary}")
