"""/v1 queues and figures over a 500-report demo: every endpoint, the overdue list against a
brute-force recomputation, role scoping, the compliance document that lapor-verify compares."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ledger.export import write_bundle
from tests.integration.test_api_projections_support import (
    ENDPOINTS,
    QueueApi,
    check_every_endpoint,
    demo_api,
)
from tests.integration.test_projections_support import PostgresBackend, SQLiteBackend
from verify.cli import main as lapor_verify

NOW = datetime(2026, 5, 1, tzinfo=UTC)
WHEN = NOW.isoformat()
REGISTRY = Path(__file__).resolve().parents[2] / "ledger" / "agencies" / "agencies.json"
PROBLEM = "application/problem+json"


def ids(items: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    """Items by their key (report, and clock for overdue items)."""
    return [(i["report_id"], i.get("clock", "")) for i in items]


class QueuesBehaviour:
    """One demo ledger per class, read by every role."""

    @pytest.fixture(scope="class")
    @classmethod
    def api(cls) -> Iterator[QueueApi]:
        with cls.fresh_url() as url, demo_api(url, reports=500, seed=62) as api:  # type: ignore[attr-defined]
            yield api

    @pytest.fixture(scope="class")
    @classmethod
    def national(cls, api: QueueApi) -> dict[str, Any]:
        """What Admin Nasional sees: the whole overdue list and verification queue."""
        admin = api.token("admin_national", "kemenpanrb")
        return {
            "token": admin,
            "overdue": api.every(admin, "/v1/queues/overdue", now=WHEN, limit=500),
            "queue": api.every(admin, "/v1/queues/verification", limit=500),
            "agencies": api.fetch(admin, "/v1/compliance", as_of=WHEN)["rows"],
        }

    def busiest(self, national: dict[str, Any], api: QueueApi) -> str:
        """The agency (not a hub) with the most overdue clocks."""
        registry = api.projections.registry
        agencies = [i["agency_id"] for i in national["overdue"] if i["agency_id"] in registry]
        counts = Counter(a for a in agencies if not registry.get(a).is_hub)
        return counts.most_common(1)[0][0]

    def busiest_hub(self, national: dict[str, Any], api: QueueApi) -> str:
        """The province or ministry hub with overdue clocks at the most agencies below it."""
        registry = api.projections.registry
        below: dict[str, set[str]] = {}
        for item in national["overdue"]:
            agency = item["agency_id"]
            hub = registry.hub_of(agency) if agency in registry else None
            if hub is not None and hub.id != "kemenpanrb":
                below.setdefault(hub.id, set()).add(agency)
        return max(below, key=lambda h: len(below[h]))

    def test_every_endpoint_answers_and_overdue_is_the_brute_force(self, api: QueueApi) -> None:
        check_every_endpoint(api, api.token("ombudsman_auditor", "ombudsman-ri"), NOW, page=97)

    @pytest.mark.parametrize("role", ["admin_agency", "liaison", "wbs_investigator"])
    def test_an_agency_sees_its_own_and_its_units(
        self, api: QueueApi, national: dict[str, Any], role: str
    ) -> None:
        registry = api.projections.registry
        agency = self.busiest(national, api)
        mine = {agency} | {u.id for u in registry.units(agency)}
        token = api.token(role, agency)
        overdue = api.every(token, "/v1/queues/overdue", now=WHEN, limit=50)
        assert overdue and overdue == [i for i in national["overdue"] if i["agency_id"] in mine]
        queue = api.every(token, "/v1/queues/verification")
        assert queue and queue == [q for q in national["queue"] if q["intake_agency_id"] in mine]
        admin = national["token"]
        inbox = api.every(token, "/v1/queues/inbox")
        assert inbox == api.every(admin, "/v1/queues/inbox", agency=agency)
        rows = api.fetch(token, "/v1/compliance", as_of=WHEN)["rows"]
        assert rows and rows == [r for r in national["agencies"] if r["group"] in mine]
        assert api.fetch(token, "/v1/compliance", group_by="hub")["rows"] == []
        assert api.fetch(token, "/v1/compliance", group_by="national")["rows"]
        other = next(a.id for a in registry.all() if a.level == "regency" and a.id not in mine)
        for path, query in [
            ("/v1/queues/inbox", {"agency": other}),
            ("/v1/queues/overdue", {"agency": other}),
            ("/v1/queues/verification", {"hub": "prov-diy"}),
            ("/v1/compliance", {"agency": other}),
        ]:
            assert api.get(token, path, **query).status_code == 403, path
        handling = [i for i in national["overdue"] if i["clock"] != "verification"]
        theirs = next(i for i in handling if i["agency_id"] not in mine)
        assert api.get(token, f"/v1/reports/{theirs['report_id']}/sla").status_code == 404
        assert api.get(token, f"/v1/reports/{overdue[0]['report_id']}/sla").status_code == 200

    def test_a_hub_sees_the_agencies_under_it(
        self, api: QueueApi, national: dict[str, Any]
    ) -> None:
        registry = api.projections.registry
        hub = self.busiest_hub(national, api)
        below = {hub} | {a.id for a in registry.descendants(hub)}
        token = api.token("admin_agency", hub)
        overdue = api.every(token, "/v1/queues/overdue", now=WHEN, limit=500)
        assert overdue == [i for i in national["overdue"] if i["agency_id"] in below]
        queue = api.every(token, "/v1/queues/verification", limit=500)
        assert queue and queue == [q for q in national["queue"] if q["intake_agency_id"] in below]
        rows = api.fetch(token, "/v1/compliance", as_of=WHEN)["rows"]
        assert rows == [r for r in national["agencies"] if r["group"] in below]
        hubs = api.fetch(token, "/v1/compliance", group_by="hub")["rows"]
        assert [r["group"] for r in hubs] == [
            a.id for a in registry.all() if a.id in below and a.is_hub
        ]
        district = next(i["agency_id"] for i in overdue if i["agency_id"] != hub)
        admin = national["token"]
        inbox = api.every(token, "/v1/queues/inbox", agency=district)
        assert inbox == api.every(admin, "/v1/queues/inbox", agency=district)
        outside = next(i["agency_id"] for i in national["overdue"] if i["agency_id"] not in below)
        assert api.get(token, "/v1/queues/inbox", agency=outside).status_code == 403

    def test_a_unit_token_sees_its_unit(self, api: QueueApi, national: dict[str, Any]) -> None:
        unit, agency = Counter(
            (i["unit_id"], i["agency_id"]) for i in national["overdue"] if i["unit_id"]
        ).most_common(1)[0][0]
        token = api.token("liaison", unit)
        overdue = api.every(token, "/v1/queues/overdue", now=WHEN, limit=500)
        assert overdue and overdue == [i for i in national["overdue"] if i["unit_id"] == unit]
        admin = national["token"]
        inbox = api.every(admin, "/v1/queues/inbox", agency=agency, unit=unit)
        assert api.every(token, "/v1/queues/inbox") == inbox
        assert api.every(admin, "/v1/queues/inbox", unit=unit) == inbox  # the unit's agency
        assert api.get(token, "/v1/queues/inbox", agency=agency).status_code == 403

    @pytest.mark.parametrize("role", ["witness", "reporter", None])
    def test_witnesses_and_reporters_read_none_of_it(
        self, api: QueueApi, national: dict[str, Any], role: str | None
    ) -> None:
        token = None if role is None else api.token(role)
        report = national["overdue"][0]["report_id"]
        for path in ENDPOINTS:
            response = api.get(token, path.format(id=report))
            assert response.status_code == (401 if role is None else 403), path
            assert response.mimetype == PROBLEM

    def test_the_compliance_document_is_what_lapor_verify_compares(
        self, api: QueueApi, national: dict[str, Any], tmp_path: Path
    ) -> None:
        bundle = tmp_path / "ledger.jsonl"
        with bundle.open("w", encoding="utf-8") as out:
            write_bundle(api.ledger.ledger, out)
        admin = national["token"]
        for query in [
            {"group_by": "agency", "period": "2026"},
            {"group_by": "hub", "classification": "pengaduan"},
            {"group_by": "national", "period": "2026-02-01..2026-02-28"},
        ]:
            document = api.fetch(admin, "/v1/compliance", **query, as_of=WHEN)
            assert document["format"] == "lapor-compliance/v1"
            service = tmp_path / f"{query['group_by']}.json"
            service.write_text(json.dumps(document), encoding="utf-8")
            args = ["sla", str(bundle), "--compare", str(service), "--agencies", str(REGISTRY)]
            result = CliRunner().invoke(lapor_verify, [*args, "--json"])
            assert result.exit_code == 0, result.output
            assert json.loads(result.output)["compared"]["rows"] == len(document["rows"])
            text = api.get(admin, "/v1/compliance", **query, format="csv").get_data(as_text=True)
            lines = list(csv.DictReader(io.StringIO(text)))
            assert [r["group"] for r in lines] == [r["group"] for r in document["rows"]]
            assert [int(r["received"]) for r in lines] == [
                r["figures"]["received"] for r in document["rows"]
            ]

    def test_accept_text_csv_chooses_csv(self, api: QueueApi, national: dict[str, Any]) -> None:
        headers = {**api.headers(national["token"]), "Accept": "text/csv"}
        response = api.client.get("/v1/compliance?group_by=national", headers=headers)
        assert response.mimetype == "text/csv"
        assert response.get_data(as_text=True).startswith("group_by,group,as_of,tree_size,")
        headers["Accept"] = "application/json, text/csv;q=0.5"
        assert api.client.get("/v1/compliance", headers=headers).mimetype == "application/json"

    @pytest.mark.parametrize(
        ("path", "query", "status", "problem"),
        [
            ("/v1/queues/verification", {"cursor": "bm90LWEtY3Vyc29y"}, 422, "invalid-cursor"),
            ("/v1/queues/overdue", {"agency": "kota-lama"}, 422, "invalid-command"),
            ("/v1/queues/inbox", {}, 422, "invalid-command"),
            ("/v1/queues/overdue", {"now": "2026-05-01T00:00:00"}, 422, None),
            ("/v1/queues/overdue", {"limit": 501}, 422, None),
            ("/v1/compliance", {"period": "2026..2025"}, 422, None),
            ("/v1/compliance", {"group_by": "province"}, 422, None),
            ("/v1/stats/daily", {"period": "2026-13-01"}, 422, None),
            ("/v1/reports/00000000-0000-4000-8000-000000000000/sla", {}, 404, "report-not-found"),
        ],
    )
    def test_refusals_are_problem_details(
        self,
        api: QueueApi,
        national: dict[str, Any],
        path: str,
        query: dict[str, Any],
        status: int,
        problem: str | None,
    ) -> None:
        response = api.get(national["token"], path, **query)
        assert response.status_code == status and response.mimetype == PROBLEM
        assert response.json["type"].endswith(problem or "about:blank")


class TestSQLite(SQLiteBackend, QueuesBehaviour):
    pass


@pytest.mark.postgres
class TestPostgres(PostgresBackend, QueuesBehaviour):
    pass
