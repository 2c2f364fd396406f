"""Reports through HTTP: submit, read, history, list, and the one error shape, on every backend."""

from __future__ import annotations

import itertools

import pytest

from tests.integration.api_support import Api, ApiBackend, OnPostgres, OnSQLite, holder_of

PROBLEM_KEYS = {"type", "title", "status", "instance"}


def assert_problem(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert set(body) >= PROBLEM_KEYS and body["status"] == status
    assert "Traceback" not in response.get_data(as_text=True)
    return dict(body)


class ReportsBehaviour(ApiBackend):
    def test_walkthrough_submit_verify_disposition_follow_up_history(self, api: Api) -> None:
        admin = api.token("admin_national", "kemenpanrb")
        liaison = api.token("liaison", "kota-serang")
        report = api.submit(title="Jalan rusak", body="Lubang besar di Jl. Ahmad Yani")
        rid = report["report_id"]
        assert report["receipt"] and report["leaf_index"] == 0
        api.ok(admin, rid, "verify", {"handling_class": "ringan"})
        api.ok(admin, rid, "disposition", {"agency_id": "kota-serang"})
        api.ok(liaison, rid, "follow_up", {"message": "Sudah ditinjau tim."})
        history = api.history(admin, rid)
        assert history.status_code == 200
        entries = history.json["entries"]
        assert [e["event_type"] for e in entries] == [
            "Submitted",
            "Verified",
            "Dispositioned",
            "FollowedUp",
        ]
        assert [e["stream_version"] for e in entries] == [1, 2, 3, 4]
        assert entries[0]["prev_hash"] == "00" * 32
        for before, after in itertools.pairwise(entries):
            assert after["prev_hash"] == before["entry_hash"]
        assert entries[2]["header"]["deadlines"]["first_follow_up"]
        assert entries[3]["withheld"] == ["attachments", "message"]
        assert "Sudah ditinjau" not in history.get_data(as_text=True)

    def test_read_returns_header_and_etag_without_sealed_content(self, api: Api) -> None:
        admin = api.token("admin_national", "kemenpanrb")
        rid = api.submit(title="Rahasia judul", body="Rahasia isi")["report_id"]
        response = api.read(admin, rid)
        assert response.status_code == 200
        assert response.headers["ETag"] == '"1"'
        assert response.json["sealed"] == {}
        assert response.json["header"]["state"] == "submitted"
        assert "Rahasia" not in response.get_data(as_text=True)

    def test_verify_stamps_deadlines_in_the_application(self, api: Api) -> None:
        admin = api.token("admin_national", "kemenpanrb")
        rid = api.submit(target_agency_id="kab-sleman")["report_id"]
        api.ok(admin, rid, "verify", {"handling_class": "normatif"})
        header = api.read(admin, rid).json["header"]
        assert header["sla_policy"] == "diy-2021"
        assert set(header["deadlines"]) == {"verification"}

    def test_list_pages_with_a_cursor_and_filters(self, api: Api) -> None:
        admin = api.token("admin_national", "kemenpanrb")
        ids = [api.submit(classification="aspirasi")["report_id"] for _ in range(3)]
        ids.append(api.submit(classification="wbs", privacy="rahasia")["report_id"])
        first = api.client.get("/v1/reports?limit=2", headers=api.headers(admin))
        assert first.status_code == 200
        assert [i["report_id"] for i in first.json["items"]] == ids[:2]
        cursor = first.json["next_cursor"]
        rest = api.client.get(f"/v1/reports?limit=2&cursor={cursor}", headers=api.headers(admin))
        assert [i["report_id"] for i in rest.json["items"]] == ids[2:]
        wbs = api.client.get("/v1/reports?classification=wbs", headers=api.headers(admin))
        assert [i["report_id"] for i in wbs.json["items"]] == ids[3:]

    def test_unknown_fields_and_filters_are_refused(self, api: Api) -> None:
        admin = api.token("admin_national", "kemenpanrb")
        response = api.client.post(
            "/v1/reports", json={"classification": "pengaduan", "privacy": "public",
                                 "title": "t", "body": "b", "colour": "red"},
        )  # fmt: skip
        assert "colour" in assert_problem(response, 422)["errors"]["json"]
        response = api.client.get("/v1/reports?district=serang", headers=api.headers(admin))
        assert "district" in assert_problem(response, 422)["errors"]["query"]

    def test_sizes_are_bounded(self, api: Api) -> None:
        too_long = api.client.post(
            "/v1/reports",
            json={"classification": "pengaduan", "privacy": "public", "title": "t" * 201,
                  "body": "b"},
        )  # fmt: skip
        assert "title" in assert_problem(too_long, 422)["errors"]["json"]
        too_many = api.client.post(
            "/v1/reports",
            json={"classification": "pengaduan", "privacy": "public", "title": "t", "body": "b",
                  "attachments": [f"a{i}" for i in range(11)]},
        )  # fmt: skip
        assert "attachments" in assert_problem(too_many, 422)["errors"]["json"]
        huge = api.client.post(
            "/v1/reports", data=b"{" + b" " * 300_000 + b"}", content_type="application/json"
        )
        assert_problem(huge, 413)

    def test_errors_are_problem_details(self, api: Api) -> None:
        admin = api.token("admin_national", "kemenpanrb")
        missing = "00000000-0000-4000-8000-000000000000"
        assert_problem(api.read(admin, missing), 404)
        assert_problem(api.read(None, missing), 401)
        assert_problem(api.read("lpr_0123456789abcdef_" + "x" * 43, missing), 401)
        assert_problem(api.client.get("/v1/nothing-here"), 404)
        assert_problem(api.client.delete("/v1/reports"), 405)
        rid = api.submit()["report_id"]
        api.ok(admin, rid, "verify", {"handling_class": "ringan"})
        illegal = api.act(admin, rid, "archive", {"reason": "duplicate"})
        assert assert_problem(illegal, 409)["type"].endswith("/illegal-transition")
        wrong = api.act(admin, rid, "disposition", {"agency_id": "no-such-agency"})
        assert "agency_id" in assert_problem(wrong, 422)["errors"]
        blank = api.act(admin, rid, "put_on_hold", {"reason": "   ", "question": "?"})
        assert_problem(blank, 422)

    def test_unexpected_failures_are_generic_problems(self, api: Api) -> None:
        token = api.token("admin_national", "kemenpanrb")
        datastore = holder_of(api.app).ledger.factory.datastore  # type: ignore[attr-defined]
        with datastore.transaction(commit=True) as cursor:
            cursor.execute(self.drop_tokens_table(datastore))
        response = api.client.get("/v1/whoami", headers=api.headers(token))
        problem = assert_problem(response, 500)
        assert problem["detail"] == "The server could not complete the request."
        assert "api_tokens" not in response.get_data(as_text=True)

    def drop_tokens_table(self, datastore: object) -> str:
        raise NotImplementedError

    def test_health_and_readiness(self, api: Api) -> None:
        assert api.client.get("/healthz").json == {"status": "ok"}
        assert api.client.get("/readyz").json == {"status": "ready"}

    def test_openapi_document_and_docs_are_served(self, api: Api) -> None:
        spec = api.client.get("/openapi.json").json
        assert spec["info"]["version"] == "v1"
        assert "/v1/reports/{report_id}/actions/disposition" in spec["paths"]
        assert all(p.startswith("/v1/") for p in spec["paths"] if "z" not in p[-2:])
        assert api.client.get("/docs").status_code == 200

    def test_revoked_token_is_refused(self, api: Api) -> None:
        token = api.token("ombudsman_auditor")
        assert api.client.get("/v1/whoami", headers=api.headers(token)).json["role"] == (
            "ombudsman_auditor"
        )
        api.usecases.tokens.revoke(token.split("_")[1])
        assert_problem(api.client.get("/v1/whoami", headers=api.headers(token)), 401)


class TestReportsSQLite(OnSQLite, ReportsBehaviour):
    def drop_tokens_table(self, datastore: object) -> str:
        return "DROP TABLE api_tokens"


@pytest.mark.postgres
class TestReportsPostgres(OnPostgres, ReportsBehaviour):
    def drop_tokens_table(self, datastore: object) -> str:
        return f'DROP TABLE "{datastore.schema}".api_tokens'  # type: ignore[attr-defined]
