"""The production layout of docs/deploy.md ("Replicas") on loopback: one primary sequences the
log; a streaming replica serves reads, the read-only API, the projections' log and auditors.

The test starts its own PostgreSQL primary and hot-standby replica from the server binaries
(tests/replication/cluster.py), writes on the primary, waits until the replica has replayed the
primary's WAL, and then works against the replica only.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from click.testing import CliRunner
from eventsourcing.persistence import PersistenceError
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server
from werkzeug.test import TestResponse

from api import create_app
from ledger.application import LedgerApplication
from ledger.bootstrap import build_ledger
from ledger.export import bundle_lines, write_signed_bundle
from ledger.settings import DatabaseUrl, Settings
from ledger.storage.keys import KeyRing
from ledger.tlog import SignedCheckpoint, TlogConfig, TransparencyLog, build_tlog
from ledger.tlog.keys import PUBLIC_SUFFIX
from ledger.usecases import UseCases, build_usecases
from projections.queries import inbox, verification_queue
from projections.runner import Projections, catch_up
from projections.source import LogReader
from tests.conftest import IN_CI, TEST_ORIGIN, make_settings
from tests.integration.api_support import LIMITS, holder_of
from tests.integration.ledgers import ADMIN, T0, WBS_BODY, submit_complaint, submit_wbs
from tests.replication.cluster import ClusterUnavailable, PgBinaries, PgCluster
from verify.cli import main as verify_main

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PROBLEM = "application/problem+json"
PROJECTED_STATE = "SELECT state FROM proj_reports WHERE report_id = %s"
READ_ONLY_ROLE = "ledger_ro"
# Kept in step with docs/deploy.md ("Replicas"): the role replica nodes connect as.
READ_ONLY_GRANTS = [
    f"CREATE ROLE {READ_ONLY_ROLE} LOGIN",
    f"GRANT USAGE ON SCHEMA public TO {READ_ONLY_ROLE}",
    f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {READ_ONLY_ROLE}",
    f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {READ_ONLY_ROLE}",
]


@dataclass
class Deployment:
    """A primary and its replica, each with a ledger opened on it, sharing keys; the replica's
    ledger connects as a role that may only SELECT."""

    cluster: PgCluster
    keyring: KeyRing
    tlog_config: TlogConfig
    replica_tlog_config: TlogConfig
    primary: LedgerApplication
    primary_tlog: TransparencyLog
    primary_usecases: UseCases
    replica: LedgerApplication

    @property
    def replica_settings(self) -> Settings:
        """A replica node's settings: the replica's URL and no DDL (LEDGER_CREATE_TABLES=false)."""
        return self.replica.settings

    def replicate(self) -> None:
        """Wait until the replica has replayed everything the primary has written so far."""
        self.cluster.wait_replayed()

    def publish(self) -> SignedCheckpoint:
        """Integrate and sign on the primary; returns its latest checkpoint."""
        self.primary_tlog.publish_once()
        return self.primary_tlog.latest_checkpoint()

    def token(self, role: str, agency: str | None = None) -> str:
        """A bearer token, issued on the primary (a replica cannot store one)."""
        return self.primary_usecases.tokens.create(role, agency).bearer

    def log_key_args(self) -> list[str]:
        return [arg for vkey in self.primary_tlog.vkeys() for arg in ("--log-key", vkey)]


@pytest.fixture(scope="module")
def cluster() -> Iterator[PgCluster]:
    """A primary and a streaming replica; fails under CI=true, skips elsewhere, if impossible."""
    try:
        binaries = PgBinaries.find()
    except ClusterUnavailable as e:
        message = f"cannot start a PostgreSQL primary and replica here: {e}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    with PgCluster(binaries) as started:
        yield started


@pytest.fixture(scope="module")
def deployment(
    cluster: PgCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    key_dir = tmp_path_factory.mktemp("keys")
    keyring = KeyRing.ephemeral()
    primary = build_ledger(make_settings(cluster.primary_url(), key_dir), keyring=keyring)
    replica: LedgerApplication | None = None
    try:
        config = TlogConfig(origin=TEST_ORIGIN, key_dir=key_dir / "log")
        tlog = build_tlog(primary, config)
        usecases = build_usecases(primary, LIMITS, tlog=lambda: tlog, publishing=False)
        with psycopg.connect(cluster.primary_url(), autocommit=True) as conn:
            for statement in READ_ONLY_GRANTS:
                conn.execute(statement)
        cluster.wait_replayed()  # the schema must be on the replica before a ledger opens there
        replica_settings = replace(
            primary.settings,
            database=DatabaseUrl.parse(cluster.replica_url(user=READ_ONLY_ROLE)),
            create_tables=False,
        )
        replica = build_ledger(replica_settings, keyring=keyring)
        vkeys_only = tmp_path_factory.mktemp("replica-log-keys")  # no private key on a replica
        for public in config.key_dir.glob(f"*{PUBLIC_SUFFIX}"):
            shutil.copy(public, vkeys_only)
        replica_config = replace(config, key_dir=vkeys_only, create_dev_keys=False, signing=False)
        yield Deployment(cluster, keyring, config, replica_config, primary, tlog, usecases, replica)
    finally:
        if replica is not None:
            replica.close()
        primary.close()


def verify_and_disposition(app: LedgerApplication, report_id: UUID) -> None:
    """Verify a report and disposition it to Kota Serang (it lands in the city's inbox)."""
    app.change(
        report_id,
        lambda r: r.verify(
            actor=ADMIN,
            at=T0 + timedelta(hours=2),
            handling_class="normatif",
            sla_policy="national-2018",
            sla_policy_version=1,
            deadlines={"completion": T0 + timedelta(days=10)},
        ),
    )
    app.change(
        report_id,
        lambda r: r.disposition(
            actor=ADMIN,
            at=T0 + timedelta(hours=3),
            agency_id="kota-serang",
            unit_id=None,
            deadlines={"first_follow_up": T0 + timedelta(days=7)},
        ),
    )


@pytest.fixture(scope="module")
def reports(deployment: Deployment) -> dict[str, UUID]:
    """Reports written on the primary: a dispositioned complaint and an unverified WBS report."""
    complaint = submit_complaint(deployment.primary)
    verify_and_disposition(deployment.primary, complaint)
    wbs = submit_wbs(deployment.primary)
    deployment.replicate()
    return {"complaint": complaint, "wbs": wbs}


# -- (a) the ledger on the replica ---------------------------------------------------------------


def test_replica_reads_reports_and_histories(
    deployment: Deployment, reports: dict[str, UUID]
) -> None:
    primary, replica = deployment.primary, deployment.replica
    for rid in reports.values():
        assert replica.get_report(rid).version == primary.get_report(rid).version
        assert replica.history(rid) == primary.history(rid)
    assert replica.get_report(reports["complaint"]).state == "dispositioned"
    first = replica.report_events(reports["wbs"])[0]  # sealed: opened with the shared KEK
    assert first.body == WBS_BODY
    assert list(replica.iter_entries()) == list(primary.iter_entries())

    size = primary.ledger.tree_size()
    with pytest.raises(PersistenceError, match=r"read-only|during recovery"):
        submit_complaint(replica)
    deployment.replicate()
    assert replica.ledger.tree_size() == primary.ledger.tree_size() == size


# -- (b) auditing the replica's log --------------------------------------------------------------


def test_replica_log_verifies_against_the_primary_checkpoint(
    deployment: Deployment, reports: dict[str, UUID], tmp_path: Path
) -> None:
    primary, tlog = deployment.primary, deployment.primary_tlog
    earlier = deployment.publish()
    since = tmp_path / "auditor.checkpoint"  # what the auditor accepted from the primary before
    since.write_text(tlog.cosigned_note(earlier), encoding="utf-8")
    verify_and_disposition(primary, submit_wbs(primary))
    latest = deployment.publish()
    assert latest.tree_size > earlier.tree_size
    deployment.replicate()

    bundle = tmp_path / "replica.jsonl"
    with bundle.open("w", encoding="utf-8") as out:
        out.writelines(
            bundle_lines(
                deployment.replica.ledger,
                size=latest.tree_size,
                checkpoints=[tlog.cosigned_note(latest)],  # the primary's latest, not the replica's
            )
        )
    result = CliRunner().invoke(
        verify_main,
        ["bundle", str(bundle), *deployment.log_key_args(), "--since", str(since), "--json"],
    )
    outcome = json.loads(result.stdout)
    assert result.exit_code == 0, outcome
    assert outcome["entries"] == latest.tree_size
    assert outcome["checkpoint_signatures"] == "verified"
    assert outcome["accepted_checkpoint"]["tree_size"] == latest.tree_size


def test_lapor_verify_audits_the_replica_log_over_http(
    deployment: Deployment, reports: dict[str, UUID], tmp_path: Path
) -> None:
    earlier = deployment.publish()
    since = tmp_path / "auditor.checkpoint"
    since.write_text(deployment.primary_tlog.cosigned_note(earlier), encoding="utf-8")
    submit_complaint(deployment.primary)
    latest = deployment.publish()
    deployment.replicate()
    app = replica_api(deployment)
    try:
        with serving(app) as base:
            result = CliRunner().invoke(
                verify_main,
                [
                    "log",
                    "--url",
                    base,
                    *deployment.log_key_args(),
                    "--full",
                    "--since",
                    str(since),
                    "--json",
                ],
            )
    finally:
        holder_of(app).close()
    outcome = json.loads(result.stdout)
    assert result.exit_code == 0, outcome
    assert outcome["tree_size"] == outcome["entries"] == latest.tree_size
    assert outcome["consistent_with"]["tree_size"] == earlier.tree_size


def test_export_on_a_replica_node_ends_at_its_latest_checkpoint(
    deployment: Deployment, reports: dict[str, UUID], tmp_path: Path
) -> None:
    primary = deployment.primary
    latest = deployment.publish()
    verify_and_disposition(primary, submit_wbs(primary))  # entries beyond that checkpoint
    deployment.replicate()
    assert deployment.replica.ledger.tree_size() > latest.tree_size
    replica_tlog = build_tlog(deployment.replica, deployment.replica_tlog_config)
    assert not replica_tlog.signs()
    bundle = tmp_path / "replica.bundle"
    with bundle.open("wb") as out:
        exported = write_signed_bundle(deployment.replica.ledger, replica_tlog, out)
    assert exported == latest
    result = CliRunner().invoke(
        verify_main, ["bundle", str(bundle), *deployment.log_key_args(), "--json"]
    )
    outcome = json.loads(result.stdout)
    assert result.exit_code == 0, outcome
    assert outcome["entries"] == latest.tree_size


# -- (c) the read-only API on the replica --------------------------------------------------------


def replica_api(deployment: Deployment) -> Flask:
    """The API of a replica node: replica settings, the log's verifier keys only, no publisher."""
    return create_app(
        {
            "TESTING": True,
            "LEDGER_SETTINGS": deployment.replica_settings,
            "LEDGER_KEYRING": deployment.keyring,
            "LEDGER_ACCESS_SETTINGS": LIMITS,
            "LEDGER_TLOG_CONFIG": deployment.replica_tlog_config,
            "LEDGER_TLOG_PUBLISHER": "off",
        }
    )


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve a Flask app over real HTTP on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def body_of(response: TestResponse) -> dict[str, Any]:
    """The JSON object of a response."""
    body = response.get_json()
    assert isinstance(body, dict), response.get_data(as_text=True)
    return body


def assert_problem(response: TestResponse) -> None:
    """A clean refusal: 503 problem details naming the read-only node, no stack trace."""
    text = response.get_data(as_text=True)
    assert response.status_code == 503, text
    assert response.mimetype == PROBLEM
    assert "Traceback" not in text and "psycopg" not in text
    body = body_of(response)
    assert body["status"] == 503 and body["type"].endswith("/read-only-node"), body


@pytest.fixture
def replica_client(deployment: Deployment) -> Iterator[FlaskClient]:
    app = replica_api(deployment)
    try:
        yield app.test_client()
    finally:
        holder_of(app).close()


def test_read_only_api_on_the_replica(
    deployment: Deployment,
    reports: dict[str, UUID],
    replica_client: FlaskClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    admin = deployment.token("admin_national", "kemenpanrb")
    liaison = deployment.token("liaison", "kota-serang")
    auditor = deployment.token("ombudsman_auditor")
    latest = deployment.publish()
    deployment.replicate()  # the tokens and the checkpoint travel to the replica too
    rid = reports["complaint"]
    bearer = {"Authorization": f"Bearer {auditor}"}

    read = replica_client.get(f"/v1/reports/{rid}", headers=bearer)
    assert read.status_code == 200, read.get_data(as_text=True)
    assert body_of(read)["header"]["state"] == "dispositioned"
    assert read.headers["ETag"] == f'"{deployment.primary.get_report(rid).version}"'
    history = replica_client.get(f"/v1/reports/{rid}/history", headers=bearer)
    assert history.status_code == 200, history.get_data(as_text=True)
    assert [e["entry_hash"] for e in body_of(history)["entries"]] == [
        e.entry_hash.hex() for e in deployment.primary.history(rid)
    ]
    checkpoint = replica_client.get("/v1/log/checkpoint")
    assert checkpoint.status_code == 200
    assert checkpoint.get_data(as_text=True) == deployment.primary_tlog.cosigned_note(latest)
    keys = replica_client.get("/v1/log/keys")  # listed from verifier keys alone
    assert keys.status_code == 200, keys.get_data(as_text=True)
    assert body_of(keys)["log_vkeys"] == deployment.primary_tlog.vkeys()

    size = deployment.primary.ledger.tree_size()
    refused = [
        replica_client.post(
            "/v1/reports",
            json={"classification": "pengaduan", "privacy": "public", "title": "t", "body": "b"},
            headers={"Authorization": f"Bearer {admin}"},
        ),
        replica_client.post(  # anonymous: the receipt would be stored first
            "/v1/reports",
            json={"classification": "pengaduan", "privacy": "public", "title": "t", "body": "b"},
        ),
        replica_client.post(
            f"/v1/reports/{rid}/actions/follow_up",
            json={"message": "Sudah ditinjau tim."},
            headers={"Authorization": f"Bearer {liaison}", "If-Match": read.headers["ETag"]},
        ),
        # reading sealed content records a disclosure event: a write, so the primary's job
        replica_client.get(
            f"/v1/reports/{rid}",
            headers={**bearer, "X-Purpose": "audit: LHP 0012/2026"},
        ),
    ]
    for response in refused:
        assert_problem(response)
    causes = [str(r.exc_info[1]) for r in caplog.records if r.exc_info]
    assert len(causes) == len(refused)
    assert all("read-only" in c or "during recovery" in c for c in causes), causes
    deployment.replicate()
    assert deployment.replica.ledger.tree_size() == deployment.primary.ledger.tree_size() == size


# -- (d) projections fed by the replica ----------------------------------------------------------


def test_projections_follow_the_replica(deployment: Deployment, reports: dict[str, UUID]) -> None:
    """The projection worker reads the log from the replica and writes its views where
    writes go (the primary, which streams them back to the replicas)."""
    views = Projections(deployment.primary)  # view tables and tracking rows: on the primary
    from_replica = LogReader.of(deployment.replica)  # the events: read on the replica
    for result in catch_up(list(views.views.values()), from_replica):
        assert result.failure is None, result.failure
    assert reports["wbs"] in {UUID(i.report_id) for i in verification_queue(views).items}
    assert reports["complaint"] in {UUID(i.report_id) for i in inbox(views, "kota-serang").items}

    # While the replica lags behind, the views follow the replica, not the primary.
    with deployment.cluster.replay_paused():
        appended = submit_wbs(deployment.primary)  # a report appended on the primary …
        for result in catch_up(list(views.views.values()), from_replica):
            assert result.failure is None, result.failure
        assert appended not in {UUID(i.report_id) for i in verification_queue(views).items}
    deployment.replicate()
    for result in catch_up(list(views.views.values()), from_replica):
        assert result.failure is None, result.failure
        assert result.position == from_replica.max_id()
    queue = {UUID(i.report_id) for i in verification_queue(views).items}
    assert appended in queue  # … appears in the projections once the replica has it

    deployment.replicate()  # … and the views themselves reach the replica
    datastore = deployment.replica.factory.datastore  # type: ignore[attr-defined]
    with datastore.transaction(commit=False) as curs:
        curs.execute(PROJECTED_STATE, (str(appended),))
        row = curs.fetchone()
    assert row is not None and row["state"] == "submitted"
