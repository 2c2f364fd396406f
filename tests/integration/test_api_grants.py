"""The whole API runs as the application role of docs/deploy.md, with its own tables' grants."""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path

import psycopg
import pytest
from flask import Flask

from api import create_app
from ledger.storage.keys import KeyRing
from ledger.usecases import AccessSettings
from tests.conftest import make_settings
from tests.integration.api_support import LIMITS, Api, holder_of
from tests.integration.test_api_projections_grants import PROJECTION_GRANT, PROJECTION_TABLES
from tests.integration.test_grants import GRANTS

# Kept in step with docs/deploy.md ("Grants for the application role"): the API's own state.
API_GRANTS = [
    "GRANT UPDATE (revoked_at_us) ON {schema}.api_tokens TO {role}",
    "GRANT UPDATE, DELETE ON {schema}.api_idempotency, {schema}.api_rate_limits TO {role}",
    "GRANT DELETE ON {schema}.api_receipts TO {role}",
]


def app_on(url: str, key_dir: Path, keyring: KeyRing, *, create: bool) -> Flask:
    settings = dataclasses.replace(make_settings(url, key_dir), create_tables=create)
    access: AccessSettings = LIMITS
    return create_app(
        {
            "TESTING": True,
            "LEDGER_SETTINGS": settings,
            "LEDGER_KEYRING": keyring,
            "LEDGER_ACCESS_SETTINGS": access,
        }
    )


@pytest.mark.postgres
def test_the_api_works_as_the_application_role(pg_url: str, tmp_path: Path) -> None:
    base, schema = pg_url.split("?schema=")
    keyring = KeyRing.ephemeral()
    owner = app_on(pg_url, tmp_path, keyring, create=True)
    holder = holder_of(owner)
    holder.usecases, holder.tlog, holder.projections  # noqa: B018 - the owner creates every table
    holder.close()
    role = f"ledger_app_{uuid.uuid4().hex[:12]}"
    tables = ", ".join(f'"{schema}".{t}' for t in PROJECTION_TABLES)
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN')
        for grant in [*GRANTS, PROJECTION_GRANT, *API_GRANTS]:
            conn.execute(grant.format(schema=f'"{schema}"', role=f'"{role}"', tables=tables))
    db = psycopg.conninfo.conninfo_to_dict(base)
    app_url = f"postgresql://{role}@{db['host']}:{db.get('port', 5432)}/{db['dbname']}"
    app = app_on(f"{app_url}?schema={schema}", tmp_path, keyring, create=False)
    api = Api(app, app.test_client())
    try:
        admin = api.token("admin_national", "kemenpanrb")
        liaison = api.token("liaison", "kota-serang")
        sent = api.submit(classification="wbs", privacy="rahasia", body="Pungli izin usaha")
        rid, receipt = sent["report_id"], sent["receipt"]
        api.ok(admin, rid, "verify", {"handling_class": "supervisory_field_inspection"})
        api.ok(admin, rid, "disposition", {"agency_id": "kota-serang"})
        body, key = {"message": "Inspektorat memeriksa."}, {"Idempotency_Key": "sync-0001"}
        first = api.act(liaison, rid, "follow_up", body, **key)
        again = api.act(liaison, rid, "follow_up", body, **key)
        assert (first.status_code, again.status_code) == (201, 201), again.json
        assert again.json == first.json  # replayed from the stored idempotency record
        status = api.client.post("/v1/receipts/status", json={"receipt": receipt})
        assert status.status_code == 200, status.json  # counted in the rate-limit windows
        assert status.get_json()["timeline"][-1]["event"] == "FollowedUp"
        entries = api.history(admin, rid).get_json()["entries"]
        assert entries[-1]["event_type"] == "DisclosureRecorded"  # the status look-up, recorded
        holder_of(app).tlog.publish_once()
        checkpoint = api.client.get("/v1/log/checkpoint")
        assert checkpoint.status_code == 200
        assert f"\n{api.tree_size()}\n" in checkpoint.get_data(as_text=True)
        api.usecases.tokens.revoke(liaison.split("_")[1])
        refused = api.act(liaison, rid, "follow_up", {"message": "lagi"})
        assert refused.status_code == 401
        queue = api.client.get("/v1/queues/overdue", headers=api.headers(admin))
        assert queue.status_code == 200, queue.json
    finally:
        holder_of(app).close()
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP OWNED BY "{role}"')
            conn.execute(f'DROP ROLE "{role}"')
