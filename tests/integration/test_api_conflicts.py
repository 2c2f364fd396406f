"""Conflicts: a stale If-Match writes nothing; a replayed Idempotency-Key gives the first result."""

from __future__ import annotations

import threading

import pytest

from tests.integration.api_support import Api, ApiBackend, OnPostgres, OnSQLite


class ConflictsBehaviour(ApiBackend):
    @pytest.fixture
    def setup(self, api: Api) -> tuple[str, str]:
        admin = api.token("admin_national", "kemenpanrb")
        rid = api.submit()["report_id"]
        api.ok(admin, rid, "verify", {"handling_class": "ringan"})
        return admin, rid

    def test_stale_if_match_is_412_and_writes_nothing(self, api: Api, setup: tuple) -> None:
        admin, rid = setup
        size = api.tree_size()
        stale = api.act(admin, rid, "disposition", {"agency_id": "kota-serang"}, If_Match='"1"')
        assert stale.status_code == 412
        assert stale.json["type"].endswith("/stale-version")
        assert api.tree_size() == size
        assert api.read(admin, rid).headers["ETag"] == '"2"'
        fresh = api.act(admin, rid, "disposition", {"agency_id": "kota-serang"}, If_Match='"2"')
        assert fresh.status_code == 201 and fresh.headers["ETag"] == '"3"'

    def test_concurrent_appends_at_one_version_let_exactly_one_through(
        self, api: Api, setup: tuple
    ) -> None:
        admin, rid = setup
        ombudsman = api.token("ombudsman_auditor")
        size = api.tree_size()
        statuses: list[int] = []
        start = threading.Barrier(6)

        def annotate(n: int) -> None:
            client = api.app.test_client()
            start.wait()
            response = client.post(
                f"/v1/reports/{rid}/actions/annotate",
                json={"note": f"catatan {n}"},
                headers={"Authorization": f"Bearer {ombudsman}", "If-Match": '"2"'},
            )
            statuses.append(response.status_code)

        threads = [threading.Thread(target=annotate, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert statuses.count(201) == 1, statuses
        assert set(statuses) <= {201, 409, 412}, statuses
        assert api.tree_size() == size + 1
        assert api.read(admin, rid).json["header"]["version"] == 3

    def test_replayed_idempotency_key_returns_the_first_result(
        self, api: Api, setup: tuple
    ) -> None:
        admin, rid = setup
        body = {"agency_id": "kota-serang"}
        first = api.act(admin, rid, "disposition", body, Idempotency_Key="disp-0001")
        assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
        size = api.tree_size()
        again = api.act(admin, rid, "disposition", body, Idempotency_Key="disp-0001")
        assert again.status_code == 201
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json == first.json
        assert api.tree_size() == size
        other = api.act(
            admin, rid, "disposition", {**body, "unit_id": "kota-serang.dinkes"},
            Idempotency_Key="disp-0001",
        )  # fmt: skip
        assert other.status_code == 422
        assert other.json["type"].endswith("/idempotency-key-reused")
        assert api.tree_size() == size

    def test_a_refused_request_gives_its_key_back(self, api: Api, setup: tuple) -> None:
        admin, rid = setup
        liaison = api.token("liaison", "kota-serang")
        early = api.act(liaison, rid, "follow_up", {"message": "x"}, Idempotency_Key="fu-1")
        assert early.status_code == 404  # not yet dispositioned to Kota Serang
        api.ok(admin, rid, "disposition", {"agency_id": "kota-serang"})
        later = api.act(liaison, rid, "follow_up", {"message": "x"}, Idempotency_Key="fu-1")
        assert later.status_code == 201 and "Idempotent-Replayed" not in later.headers

    def test_keys_are_scoped_per_token(self, api: Api, setup: tuple) -> None:
        _, rid = setup
        ombudsman, kid = api.token("ombudsman_auditor"), api.token("kid_auditor")
        one = api.act(ombudsman, rid, "annotate", {"note": "a"}, Idempotency_Key="same")
        two = api.act(kid, rid, "annotate", {"note": "a"}, Idempotency_Key="same")
        assert one.status_code == two.status_code == 201
        assert two.json["version"] == one.json["version"] + 1


class TestConflictsSQLite(OnSQLite, ConflictsBehaviour):
    pass


@pytest.mark.postgres
class TestConflictsPostgres(OnPostgres, ConflictsBehaviour):
    pass
