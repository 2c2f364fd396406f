"""The application role of docs/deploy.md can append and read, and nothing more."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest
from eventsourcing.persistence import PersistenceError

from ledger.bootstrap import build_ledger
from ledger.settings import DatabaseUrl, Settings
from ledger.storage.keys import KeyRing
from tests.conftest import TEST_ORIGIN
from tests.integration.ledgers import ADMIN, T0, submit_wbs

# Kept in step with docs/deploy.md ("Grants for the application role").
GRANTS = [
    "GRANT USAGE ON SCHEMA {schema} TO {role}",
    "GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA {schema} TO {role}",
    # LOCK TABLE ... IN EXCLUSIVE MODE needs UPDATE; the append-only trigger refuses real updates.
    "GRANT UPDATE ON {schema}.ledger_events TO {role}",
    "GRANT UPDATE (wrapped, destroyed_at_us) ON {schema}.report_keys TO {role}",
    "GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
]


@pytest.mark.postgres
def test_application_role_appends_and_cannot_rewrite(pg_url: str, tmp_path: Path) -> None:
    base, schema = pg_url.split("?schema=")
    keyring = KeyRing.ephemeral()
    owner = build_ledger(
        Settings(database=DatabaseUrl.parse(pg_url), origin=TEST_ORIGIN, key_dir=tmp_path),
        keyring=keyring,
    )
    owner.close()
    role = f"ledger_app_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN')
        for grant in GRANTS:
            conn.execute(grant.format(schema=f'"{schema}"', role=f'"{role}"'))
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
        rid = submit_wbs(app)
        app.change(rid, lambda r: r.annotate(actor=ADMIN, at=T0, note="diterima"))
        app.erase(rid, actor=ADMIN, legal_basis="UU 27/2022")
        assert [e.stream_version for e in app.history(rid)] == [1, 2, 3]
        datastore = app.factory.datastore  # type: ignore[attr-defined]
        for statement in (
            "UPDATE {s}.ledger_events SET state = state",
            "DELETE FROM {s}.ledger_events",
            "UPDATE {s}.ledger_entries SET recorded_at_us = 0",
            "DELETE FROM {s}.ledger_entries",
            "TRUNCATE {s}.ledger_entries",
            "DELETE FROM {s}.report_keys",
            "DROP TABLE {s}.ledger_entries",
        ):
            with (
                pytest.raises(
                    PersistenceError, match=r"permission denied|append-only|must be owner"
                ),
                datastore.transaction(commit=True) as curs,
            ):
                curs.execute(statement.format(s=f'"{schema}"'))
        assert app.ledger.tree_size() == 3
    finally:
        app.close()
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP OWNED BY "{role}"')
            conn.execute(f'DROP ROLE "{role}"')
