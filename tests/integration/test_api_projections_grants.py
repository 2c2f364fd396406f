"""The application role of docs/deploy.md keeps the projections current and reads them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from eventsourcing.persistence import PersistenceError

from ledger.bootstrap import build_ledger
from ledger.demo import run_demo
from ledger.settings import DatabaseUrl, Settings
from ledger.storage.keys import KeyRing
from projections.reads import ProjectionReads
from projections.runner import Projections
from projections.timers import run_timers
from tests.conftest import TEST_ORIGIN
from tests.integration.test_grants import GRANTS
from tests.integration.test_projections_support import snapshot

# Kept in step with docs/deploy.md ("Grants for the application role"), after the owner has
# created the views (`lapor-ledger projections catch-up` as the owner).
PROJECTION_TABLES = (
    "proj_reports",
    "proj_clocks",
    "proj_shares",
    "proj_share_counts",
    "proj_clock_counts",
    "proj_daily",
    "proj_daily_origin",
    "proj_failures",
    "proj_reports_tracking",
    "proj_daily_tracking",
    "proj_rebuild_parts",
)
PROJECTION_GRANT = "GRANT SELECT, INSERT, UPDATE, DELETE ON {tables} TO {role}"
NOW = datetime(2026, 5, 1, tzinfo=UTC)


@pytest.mark.postgres
def test_application_role_follows_rebuilds_and_runs_timers(pg_url: str, tmp_path: Path) -> None:
    base, schema = pg_url.split("?schema=")
    keyring = KeyRing.ephemeral()
    owner = build_ledger(
        Settings(database=DatabaseUrl.parse(pg_url), origin=TEST_ORIGIN, key_dir=tmp_path),
        keyring=keyring,
    )
    Projections(owner)  # the owner creates the views
    owner.close()
    role = f"ledger_app_{uuid.uuid4().hex[:12]}"
    tables = ", ".join(f'"{schema}".{t}' for t in PROJECTION_TABLES)
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN')
        for grant in [*GRANTS, PROJECTION_GRANT]:
            conn.execute(grant.format(schema=f'"{schema}"', role=f'"{role}"', tables=tables))
    db = DatabaseUrl.parse(pg_url)
    app_url = f"postgresql://{role}@{db.host}:{db.port}/{db.dbname}?schema={schema}"
    settings = Settings(
        database=DatabaseUrl.parse(app_url),
        origin=TEST_ORIGIN,
        key_dir=tmp_path,
        create_tables=False,
    )
    app = build_ledger(settings, keyring=keyring)
    try:
        run_demo(app, reports=60, seed=3)
        p = Projections(app)  # no DDL as the application role
        assert [r.failure for r in p.catch_up()] == [None, None]
        assert run_timers(app, NOW, projections=p)  # appends events, and follows them
        assert [r.failure for r in p.catch_up()] == [None, None]
        followed = snapshot(p)
        assert [r.failure for r in p.rebuild()] == [None, None]  # DELETE, then replay
        assert snapshot(p) == followed
        figures = ProjectionReads(p).compliance(
            group_by="national",
            period=None,
            classification=None,
            agency=None,
            hub=None,
            as_of=NOW,
        )
        assert figures.tree_size == app.ledger.tree_size()
        assert figures.rows[0].figures.received == 60
        datastore = app.factory.datastore  # type: ignore[attr-defined]
        with (
            pytest.raises(PersistenceError, match="must be owner"),
            datastore.transaction(commit=True) as curs,
        ):
            curs.execute(f'DROP TABLE "{schema}".proj_reports')
    finally:
        app.close()
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP OWNED BY "{role}"')
            conn.execute(f'DROP ROLE "{role}"')
