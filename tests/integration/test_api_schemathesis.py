"""Property-based contract test: schemathesis drives every operation of the served OpenAPI
document (SQLite default) and finds no 5xx and no response that contradicts the schema."""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.integration.api_support import Api, build_app, holder_of

BUDGET_S = 90
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# operationId -> role of the token that calls it (others: admin_national)
CALLERS = {
    "follow_up": "liaison",
    "request_clarification": "liaison",
    "complete": "liaison",
    "respond": "reporter",
    "reopen": "reporter",
    "annotate": "ombudsman_auditor",
    "escalate": "ombudsman_auditor",
    "add_investigation_note": "wbs_investigator",
    "return_not_authority": "admin_agency",
}
AGENCY = {
    "admin_national": "kemenpanrb",
    "liaison": "kota-serang",
    "wbs_investigator": "kota-serang",
    "admin_agency": "kota-serang",
}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A served app with tokens and reports in several states."""
    app = build_app(f"sqlite:///{tmp_path / 'ledger.sqlite3'}", tmp_path / "keys")
    api = Api(app, app.test_client())
    roles = {"admin_national", *CALLERS.values()}
    tokens = {role: api.token(role, AGENCY.get(role)) for role in roles}
    admin, liaison = tokens["admin_national"], tokens["liaison"]
    reports = []
    for n, kind in enumerate(("pengaduan", "wbs", "pengaduan", "aspirasi")):
        privacy = "rahasia" if kind == "wbs" else "public"
        rid = api.submit(classification=kind, privacy=privacy)["report_id"]
        reports.append(rid)
        if n >= 1:
            api.ok(admin, rid, "verify", {"handling_class": "normatif"})
        if n >= 2:
            api.ok(admin, rid, "disposition", {"agency_id": "kota-serang"})
        if n >= 3:
            api.ok(liaison, rid, "follow_up", {"message": "ditinjau"})
    yield {"app": app, "tokens": tokens, "reports": reports}
    holder_of(app).close()


def contract_test(operation: Any, token: str, reports: list[str]) -> Any:
    """A bounded hypothesis test of one operation, calling it with the given token."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=25,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def check(case: Any) -> None:
        if "report_id" in (case.path_parameters or {}):  # aim at real reports, not random ids
            seed = zlib.crc32(repr(case.body).encode())
            case.path_parameters["report_id"] = reports[seed % len(reports)]
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

    return check


def test_served_openapi_contract(world: dict[str, Any]) -> None:
    schema = schemathesis.openapi.from_wsgi("/openapi.json", world["app"])
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    deadline = time.monotonic() + BUDGET_S
    for operation in operations:
        if time.monotonic() > deadline:
            pytest.fail(f"time budget of {BUDGET_S} s used up before {operation.label}")
        role = CALLERS.get(operation.definition.raw.get("operationId", ""), "admin_national")
        contract_test(operation, world["tokens"][role], world["reports"])()
