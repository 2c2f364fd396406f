"""A report's proofs and a whistleblower's receipt proof, verified with verify/ (publisher off)."""

from __future__ import annotations

from uuid import UUID

from tests.integration.api_support import OnPostgres, OnSQLite
from tests.integration.test_api_log_support import LogApi, LogBackend, assert_problem
from verify.policy import WitnessPolicy
from verify.receipt import verify_receipt
from verify.report import verify_report_proof

ADDR = {"REMOTE_ADDR": "198.51.100.9"}


class ProofsBehaviour(LogBackend):
    def test_report_proof_and_entry_tlog_proof(self, api: LogApi) -> None:
        admin = api.token("admin_national", "kemenpanrb")
        rid = api.submit(admin)["report_id"]
        api.submit(admin)  # another report in between
        api.ok(admin, rid, "verify", {"handling_class": "normatif"})
        api.publish()
        api.ok(admin, rid, "disposition", {"agency_id": "kota-serang"})  # not yet signed
        response = api.client.get(f"/v1/reports/{rid}/proof", headers=api.headers(admin))
        assert response.status_code == 200, response.json
        assert response.json["pending"] == 1 and len(response.json["entries"]) == 2
        summary = verify_report_proof(
            response.data, api.log_keys(), WitnessPolicy(), report_id=UUID(rid)
        )
        assert [e.stream_version for e in summary.entries] == [1, 2]
        proof = api.client.get(
            f"/v1/reports/{rid}/entries/2/tlog-proof", headers=api.headers(admin)
        )
        assert proof.status_code == 200 and proof.mimetype == "text/plain"
        receipt = verify_receipt(proof.data, api.log_keys(), report_id=UUID(rid))
        assert (receipt.entry.stream_version, receipt.entry.leaf_index) == (2, 2)
        pending = api.client.get(
            f"/v1/reports/{rid}/entries/3/tlog-proof", headers=api.headers(admin)
        )
        assert_problem(pending, 404, "not-yet-checkpointed")
        assert pending.headers["Retry-After"] == "1"
        missing = api.client.get(
            f"/v1/reports/{rid}/entries/9/tlog-proof", headers=api.headers(admin)
        )
        assert_problem(missing, 404, "not-in-log")
        outsider = api.token("liaison", "kab-sleman")  # the report is not handled there
        for path in (f"/v1/reports/{rid}/proof", f"/v1/reports/{rid}/entries/1/tlog-proof"):
            assert_problem(api.client.get(path, headers=api.headers(outsider)), 404)
            assert_problem(api.client.get(path), 401, "unauthenticated")

    def test_receipt_gets_its_tlog_proof_later_without_a_publisher(self, api: LogApi) -> None:
        sent = api.submit(classification="wbs", privacy="rahasia")
        assert sent["tlog_proof"] is None
        assert f"leaf {sent['leaf_index']}" in sent["tlog_proof_help"]
        api.publish()
        status = api.client.post(
            "/v1/receipts/status", json={"receipt": sent["receipt"]}, environ_base=ADDR
        )
        assert status.status_code == 200, status.json
        assert status.json["tlog_proof_version"] == 1
        summary = verify_receipt(
            status.json["tlog_proof"], api.log_keys(), report_id=UUID(sent["report_id"])
        )
        assert summary.entry.event_type.endswith("Submitted")

    def test_waiting_for_a_checkpoint_without_a_publisher_answers_202(self, api: LogApi) -> None:
        admin = api.token("admin_national", "kemenpanrb")
        rid = api.submit(admin)["report_id"]
        prefer = {"Prefer": "wait-for-checkpoint, wait=5"}
        response = api.act(admin, rid, "verify", {"handling_class": "normatif"}, **prefer)
        assert response.status_code == 202, response.json
        assert response.json["checkpoint"] is None and response.json["leaf_index"] == 1
        assert "Preference-Applied" not in response.headers


class TestSQLiteProofs(ProofsBehaviour, OnSQLite):
    pass


class TestPostgresProofs(ProofsBehaviour, OnPostgres):
    pass
