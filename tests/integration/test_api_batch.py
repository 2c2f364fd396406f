"""`POST /v1/actions:batch`: per-item results, per-report atomicity, idempotency, limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.api_batch_support import BATCH, item, post_batch, verify_log, version
from tests.integration.api_support import Api, ApiBackend, OnPostgres, OnSQLite

SECRET = "RAHASIA-CATATAN-7731"


class BatchBehaviour(ApiBackend):
    @pytest.fixture
    def tokens(self, api: Api) -> dict[str, str]:
        return {
            "admin": api.token("admin_national", "kemenpanrb"),
            "liaison": api.token("liaison", "kota-serang"),
            "apip": api.token("wbs_investigator", "kota-serang"),
        }

    def dispositioned(self, api: Api, tokens: dict[str, str], **kind: str) -> str:
        """A report verified and dispositioned to Kota Serang (version 3)."""
        rid = str(api.submit(target_agency_id="kota-serang", **kind)["report_id"])
        api.ok(tokens["admin"], rid, "verify", {"handling_class": "ringan"})
        api.ok(tokens["admin"], rid, "disposition", {"agency_id": "kota-serang"})
        return rid

    def test_mixed_batch_gives_one_result_per_item(
        self, api: Api, tokens: dict[str, str], tmp_path: Path
    ) -> None:
        a, b, c, d, e = (self.dispositioned(api, tokens) for _ in range(5))
        other = str(api.submit(target_agency_id="kab-sleman")["report_id"])  # not Serang's
        size = api.tree_size()
        response = post_batch(
            api,
            tokens["liaison"],
            [
                item(a, "follow_up", {"message": "ditinjau"}),
                item(b, "follow_up", {"message": "x"}, expected_version=2),  # stale
                item(a, "request_clarification", {"question": "Foto?"}, expected_version=4),
                item(b, "complete", {"summary": "selesai"}),  # its report failed
                item(c, "follow_up", {"message": "ok"}),  # its report fails next
                item(c, "annotate", {"note": "bukan peran"}),  # liaisons do not annotate
                item(d, "follow_up", {"message": ""}),  # blank
                item(d, "complete", {"summary": "x", "bogus": 1}),  # unknown field
                item(other, "follow_up", {"message": "x"}),  # outside its view
                item(e, "reopen", {"objection": "x"}),  # the reporter's action
            ],
        )
        assert response.status_code == 200, response.json
        body = response.json
        statuses = [r["status"] for r in body["results"]]
        assert statuses == [201, 412, 201, 424, 424, 403, 422, 422, 404, 403], body
        assert [r["index"] for r in body["results"]] == list(range(10))
        problems = {r["index"]: r["problem"] for r in body["results"] if r["status"] != 201}
        assert "result" not in body["results"][1] and "problem" not in body["results"][0]
        assert problems[1]["type"].endswith("/stale-version")
        assert problems[3]["type"].endswith("/batch-report-failed")
        assert problems[4]["detail"].startswith("item 5 of the same report failed")
        assert problems[5]["type"].endswith("/forbidden")
        assert list(problems[6]["errors"]["args"]) == ["message"]
        assert problems[7]["errors"]["args"] == {"bogus": ["Unknown field."]}
        assert problems[8]["type"].endswith("/report-not-found")
        assert all(p["instance"] == f"{BATCH}#/items/{n}" for n, p in problems.items())
        assert (body["appended"], body["replayed"], body["failed"]) == (2, 0, 8)
        assert api.tree_size() == size + 2
        admin = tokens["admin"]
        assert [version(api, admin, r) for r in (a, b, c, d, e)] == [5, 3, 3, 3, 3]
        assert verify_log(api, tmp_path)["reports"] == 6

    def test_a_report_is_all_or_nothing(self, api: Api, tokens: dict[str, str]) -> None:
        a, b = self.dispositioned(api, tokens), self.dispositioned(api, tokens)
        size = api.tree_size()
        response = post_batch(
            api,
            tokens["liaison"],
            [
                item(a, "follow_up", {"message": "satu"}),
                item(b, "follow_up", {"message": "dua"}),
                item(a, "complete", {"summary": "selesai"}),
                item(a, "follow_up", {"message": "lagi"}),  # not after completion
            ],
        )
        results = response.json["results"]
        assert [r["status"] for r in results] == [424, 201, 424, 409]
        assert results[0]["problem"]["detail"].startswith("item 3 of the same report failed")
        assert version(api, tokens["admin"], a) == 3
        assert version(api, tokens["admin"], b) == 4
        assert api.tree_size() == size + 1
        assert results[1]["result"]["leaf_index"] == size
        assert results[1]["result"]["version"] == 4

    def test_items_of_one_report_apply_in_order(self, api: Api, tokens: dict[str, str]) -> None:
        rid = self.dispositioned(api, tokens)
        response = post_batch(
            api,
            tokens["liaison"],
            [
                item(rid, "follow_up", {"message": "satu"}, expected_version=3),
                item(rid, "follow_up", {"message": "dua"}, expected_version=4),
                item(rid, "complete", {"summary": "selesai"}, expected_version=5),
            ],
        )
        results = [r["result"] for r in response.json["results"]]
        assert [r["version"] for r in results] == [4, 5, 6]
        assert [r["state"] for r in results] == ["in_follow_up", "in_follow_up", "completed"]
        assert [r["event_type"] for r in results] == ["FollowedUp", "FollowedUp", "Completed"]
        leaves = [r["leaf_index"] for r in results]
        assert leaves == sorted(leaves) and len(set(leaves)) == 3
        history = api.history(tokens["admin"], rid).json["entries"]
        assert [e["entry_hash"] for e in history[3:]] == [r["entry_hash"] for r in results]

    def test_replay_returns_the_first_results_and_writes_nothing(
        self, api: Api, tokens: dict[str, str]
    ) -> None:
        a, b = self.dispositioned(api, tokens), self.dispositioned(api, tokens)
        single = api.act(tokens["liaison"], b, "follow_up", {"message": "x"}, Idempotency_Key="s1")
        assert single.status_code == 201
        items = [
            item(a, "follow_up", {"message": "satu"}, idempotency_key="k-1"),
            item(a, "request_clarification", {"question": "Foto?"}, idempotency_key="k-2"),
            item(b, "follow_up", {"message": "x"}, idempotency_key="s1"),  # the single one
        ]
        first = post_batch(api, tokens["liaison"], items).json
        assert [r["replayed"] for r in first["results"]] == [False, False, True]
        assert first["results"][2]["result"]["entry_hash"] == single.json["entry_hash"]
        size = api.tree_size()
        again = post_batch(api, tokens["liaison"], items).json
        assert (again["appended"], again["replayed"], again["failed"]) == (0, 3, 0)
        assert [r["result"] for r in again["results"]] == [r["result"] for r in first["results"]]
        assert api.tree_size() == size
        reused = post_batch(
            api,
            tokens["liaison"],
            [item(a, "follow_up", {"message": "lain"}, idempotency_key="k-1")],
        ).json["results"][0]
        assert reused["problem"]["type"].endswith("/idempotency-key-reused")
        assert api.tree_size() == size

    def test_a_failed_item_gives_its_key_back(self, api: Api, tokens: dict[str, str]) -> None:
        rid = self.dispositioned(api, tokens)
        stale = [item(rid, "follow_up", {"message": "x"}, idempotency_key="k", expected_version=1)]
        assert post_batch(api, tokens["liaison"], stale).json["results"][0]["status"] == 412
        fresh = [item(rid, "follow_up", {"message": "x"}, idempotency_key="k", expected_version=3)]
        retried = post_batch(api, tokens["liaison"], fresh).json["results"][0]
        assert retried["status"] == 201 and retried["replayed"] is False

    def test_size_and_shape_are_bounded(self, api: Api, tokens: dict[str, str]) -> None:
        rid = self.dispositioned(api, tokens)
        one = item(rid, "annotate", {"note": "n"})
        size = api.tree_size()
        refused = [
            {"items": []},
            {"items": [one] * 101},
            {"items": [one], "extra": 1},
            {"items": [{**one, "colour": "red"}]},
            {"items": [{**one, "action": "submit"}]},
            {"items": [{**one, "idempotency_key": "x"}, {**one, "idempotency_key": "x"}]},
            {"items": [{**one, "expected_version": "3"}]},
            {},
        ]
        auth = api.headers(tokens["admin"])
        for body in refused:
            response = api.client.post(BATCH, json=body, headers=auth)
            assert response.status_code == 422, (body, response.json)
            assert response.mimetype == "application/problem+json"
        huge = {"items": [item(rid, "annotate", {"note": "n" * 4000})] * 100}
        assert api.client.post(BATCH, json=huge, headers=auth).status_code == 413
        assert api.client.post(BATCH, json={"items": [one]}).status_code == 401
        assert api.tree_size() == size
        auditor = api.headers(api.token("ombudsman_auditor", "ombudsman-ri"))
        full = api.client.post(BATCH, json={"items": [one] * 100}, headers=auditor).json or {}
        assert (full["appended"], full["failed"]) == (100, 0)
        assert [r["result"]["version"] for r in full["results"]] == list(range(4, 104))
        assert api.tree_size() == size + 100

    def test_sealed_wbs_content_is_never_echoed(
        self, api: Api, tokens: dict[str, str], tmp_path: Path
    ) -> None:
        wbs = self.dispositioned(api, tokens, classification="wbs", privacy="rahasia")
        response = post_batch(
            api,
            tokens["apip"],
            [
                item(wbs, "add_investigation_note", {"note": SECRET}),
                item(wbs, "add_investigation_note", {"note": SECRET, "extra": SECRET}),
                item(wbs, "follow_up", {"message": SECRET}),
            ],
        )
        assert response.status_code == 200
        assert SECRET not in response.get_data(as_text=True)
        assert [r["status"] for r in response.json["results"]] == [424, 422, 424]
        refused = post_batch(api, tokens["apip"], [item(wbs, "follow_up", {"message": SECRET})])
        assert refused.json["results"][0]["status"] == 403
        assert SECRET not in refused.get_data(as_text=True)
        ok = post_batch(
            api, tokens["apip"], [item(wbs, "add_investigation_note", {"note": SECRET})]
        )
        assert ok.json["results"][0]["status"] == 201
        assert SECRET not in ok.get_data(as_text=True)
        assert verify_log(api, tmp_path)["reports"] == 1


class TestBatchSQLite(OnSQLite, BatchBehaviour):
    pass


@pytest.mark.postgres
class TestBatchPostgres(OnPostgres, BatchBehaviour):
    pass
