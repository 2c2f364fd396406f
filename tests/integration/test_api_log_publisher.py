"""The running publisher (receipts with proofs, waiting appends) and signed export bundles."""

from __future__ import annotations

import gzip
import json
import threading
from pathlib import Path
from uuid import UUID

from click.testing import CliRunner

from tests.integration.api_support import OnPostgres, OnSQLite, holder_of
from tests.integration.test_api_log_support import LogApi, LogBackend, log_app
from tests.integration.test_tlog_witness import Witness
from verify.checkpoint import verify_checkpoint
from verify.cli import main as lapor_verify
from verify.receipt import verify_receipt


def publisher_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "tlog-publisher"]


class PublisherBehaviour(LogBackend):
    def test_receipts_and_appends_wait_for_the_running_publisher(
        self, url: str, tmp_path: Path, ombudsman: Witness, kid: Witness
    ) -> None:
        app = log_app(url, tmp_path, [ombudsman, kid], publisher="on")
        api = LogApi(app, app.test_client())
        try:
            sent = api.submit(classification="wbs", privacy="rahasia")
            assert holder_of(app).publisher is not None and holder_of(app).publisher.running
            assert ".tlog-proof" in sent["tlog_proof_help"]
            rid = UUID(sent["report_id"])
            summary = verify_receipt(sent["tlog_proof"], api.log_keys(), report_id=rid)
            assert summary.entry.leaf_index == sent["leaf_index"]
            admin = api.token("admin_national", "kemenpanrb")
            prefer = {"Prefer": "wait-for-checkpoint"}
            response = api.act(admin, str(rid), "verify", {"handling_class": "normatif"}, **prefer)
            assert response.status_code == 201, response.json
            assert response.headers["Preference-Applied"] == "wait-for-checkpoint"
            body = response.json
            assert body["checkpoint_size"] > body["leaf_index"] == 1
            signed = verify_checkpoint(body["checkpoint"], api.log_keys())
            assert signed.checkpoint.tree_size == body["checkpoint_size"]
        finally:
            holder_of(app).close()
        assert publisher_threads() == []  # stopped cleanly, no thread left behind

    def test_export_is_signed_to_its_last_entry_and_verifies(
        self, api: LogApi, tmp_path: Path, ombudsman: Witness, kid: Witness
    ) -> None:
        for _ in range(3):
            api.submit(api.token("reporter"))
        api.publish()
        for witness in (ombudsman, kid):  # the quorum: 2 of 2
            cosigned = witness.cosigned(api.tlog.latest_checkpoint())
            api.tlog.accept_cosignature(cosigned, witness.name)
        api.submit(api.token("reporter"))  # not yet signed: the export signs it
        bundle = tmp_path / "ledger.jsonl"
        cli = api.app.test_cli_runner()
        result = cli.invoke(args=["export", "-o", str(bundle), "--format", "jsonl"])
        assert result.exit_code == 0, result.output
        lines = [json.loads(line) for line in bundle.read_text().splitlines()]
        assert lines[0]["tree_size"] == 4
        checkpoints = [line["note"] for line in lines if line["kind"] == "checkpoint"]
        assert [n.split("\n")[1] for n in checkpoints] == ["3", "4"]  # witnessed, latest
        binary = tmp_path / "ledger.bundle.gz"  # the default format, gzip-compressed
        result = cli.invoke(args=["export", "-o", str(binary)])
        assert result.exit_code == 0, result.output
        assert gzip.decompress(binary.read_bytes()).startswith(b"lapor-ledger-bundle/v2\n")
        vkey = api.client.get("/v1/log/keys").json["log_vkeys"][0]
        for path in (bundle, binary):
            args = ["bundle", str(path), "--log-key", vkey, "--json"]
            verified = CliRunner().invoke(lapor_verify, args)
            assert verified.exit_code == 0, verified.output
            assert json.loads(verified.stdout)["checkpoints_checked"] == 2
            witnessed = [*args, "--witness-key", ombudsman.vkey, "--quorum", "1"]
            verified = CliRunner().invoke(lapor_verify, witnessed)
            assert verified.exit_code == 0, verified.output


class TestSQLitePublisher(PublisherBehaviour, OnSQLite):
    pass


class TestPostgresPublisher(PublisherBehaviour, OnPostgres):
    pass
