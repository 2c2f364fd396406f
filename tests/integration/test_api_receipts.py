"""Receipts: shown once, open the whistleblower's own timeline, throttled across app instances."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from ledger.usecases import AccessSettings
from tests.integration.api_support import (
    WINDOW_S,
    Api,
    ApiBackend,
    OnPostgres,
    OnSQLite,
    build_app,
    fresh_window,
    holder_of,
)

WRONG = "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE-FFFFF-GGGGG-HHHHH"


def status(client, receipt: str, addr: str = "198.51.100.7"):  # type: ignore[no-untyped-def]
    return client.post(
        "/v1/receipts/status", json={"receipt": receipt}, environ_base={"REMOTE_ADDR": addr}
    )


class ReceiptsBehaviour(ApiBackend):
    def test_anonymous_and_wbs_submissions_get_a_receipt_once(self, api: Api) -> None:
        intake = api.token("reporter")
        anonymous = api.submit()
        assert re.fullmatch(r"([A-Z2-7]{5}-){7}[A-Z2-7]{5}", anonymous["receipt"])
        assert api.submit(intake, classification="wbs", privacy="rahasia")["receipt"]
        assert api.submit(intake, privacy="anonim")["receipt"]
        assert api.submit(intake)["receipt"] is None
        admin = api.token("admin_national", "kemenpanrb")
        text = api.history(admin, anonymous["report_id"]).get_data(as_text=True)
        assert anonymous["receipt"] not in text

    def test_timeline_has_dates_roles_agencies_and_answers_but_no_officers(self, api: Api) -> None:
        admin = api.token("admin_national", "kemenpanrb")
        liaison = api.token("liaison", "kota-serang")
        sent = api.submit(classification="wbs", privacy="rahasia", body="Pungli izin usaha")
        rid, receipt = sent["report_id"], sent["receipt"]
        api.ok(admin, rid, "verify", {"handling_class": "supervisory_field_inspection"})
        api.ok(admin, rid, "disposition", {"agency_id": "kota-serang"})
        api.ok(liaison, rid, "follow_up", {"message": "Inspektorat sedang memeriksa."})
        api.ok(liaison, rid, "request_clarification", {"question": "Kapan kejadiannya?"})
        response = status(api.client, receipt.lower().replace("-", " "))
        assert response.status_code == 200, response.json
        body = response.json
        assert body["report_id"] == rid and body["awaiting_reporter"] is True
        events = [item["event"] for item in body["timeline"]]
        assert events[:5] == [
            "Submitted", "Verified", "Dispositioned", "FollowedUp", "ClarificationRequested",
        ]  # fmt: skip
        assert body["timeline"][3]["details"]["message"] == "Inspektorat sedang memeriksa."
        assert body["timeline"][2]["details"]["agency"] == "Pemerintah Kota Serang"
        assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", i["date"]) for i in body["timeline"])
        text = response.get_data(as_text=True)
        for token in (admin, liaison):
            assert token.split("_")[1] not in text  # no officer identity
        assert "Pungli" not in text  # the report's own text is not echoed
        answer = api.client.post(
            "/v1/receipts/respond",
            json={"receipt": receipt, "message": "Tanggal 3 Maret."},
            environ_base={"REMOTE_ADDR": "198.51.100.7"},
        )
        assert answer.status_code == 201 and answer.json["state"] == "reporter_responded"
        history = api.history(admin, rid).json["entries"]
        assert history[-1]["event_type"] == "Responded"
        assert history[-1]["header"]["actor"] == {"id": None, "role": "reporter", "agency_id": None}
        disclosures = [e for e in history if e["event_type"] == "DisclosureRecorded"]
        assert [e["header"]["purpose"] for e in disclosures] == ["reporter_status"]

    def test_the_slow_hash_runs_for_a_receipt_that_matches_nothing(self, api: Api) -> None:
        hasher = holder_of(api.app).usecases.receipts.hasher
        before = hasher.computed
        response = status(api.client, WRONG)
        assert response.status_code == 404
        assert response.json["type"].endswith("/receipt-not-recognised")
        assert hasher.computed == before + 1
        valid = api.submit()["receipt"]
        before = hasher.computed
        assert status(api.client, valid).status_code == 200
        assert hasher.computed == before + 1

    def test_brute_force_is_throttled_across_two_app_instances(
        self, api: Api, url: str, tmp_path: Path
    ) -> None:
        second: Flask = build_app(url, tmp_path / "keys")
        try:
            clients = [api.client, second.test_client()]
            hasher_calls = [holder_of(a).usecases.receipts.hasher for a in (api.app, second)]
            fresh_window(WINDOW_S, needed_s=60)
            codes = [status(clients[n % 2], WRONG).status_code for n in range(1000)]
            assert codes[:10] == [404] * 10
            assert codes[10:] == [429] * 990
            assert sum(h.computed for h in hasher_calls) == 10  # throttled before hashing
            limited = status(clients[0], WRONG)
            assert 1 <= int(limited.headers["Retry-After"]) <= WINDOW_S
            assert limited.json["status"] == 429
            assert status(clients[1], WRONG, addr="203.0.113.9").status_code == 404
        finally:
            holder_of(second).close()

    def test_the_total_limit_holds_across_clients(
        self, app: Flask, url: str, tmp_path: Path
    ) -> None:
        tight = build_app(
            url, tmp_path / "keys", AccessSettings(receipt_limit_total=5, receipt_window_s=WINDOW_S)
        )
        try:
            client = tight.test_client()
            fresh_window(WINDOW_S, needed_s=60)
            codes = [status(client, WRONG, addr=f"192.0.2.{n}").status_code for n in range(8)]
            assert codes == [404] * 5 + [429] * 3
        finally:
            holder_of(tight).close()


class TestReceiptsSQLite(OnSQLite, ReceiptsBehaviour):
    pass


@pytest.mark.postgres
class TestReceiptsPostgres(OnPostgres, ReceiptsBehaviour):
    pass
