"""Acceptance: after `lapor-ledger demo --reports 10000`, every queue and compliance endpoint
answers, and the overdue list matches a brute-force recomputation from the history (SQLite)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from tests.integration.test_api_projections_support import check_every_endpoint, demo_api
from tests.integration.test_projections_support import SQLiteBackend

REPORTS = 10_000
BUDGET_S = 120  # about 55 s here; the margin is for slower machines
NOWS = [datetime(2026, 3, 2, 2, 0, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC)]


@pytest.mark.slow
def test_every_endpoint_after_a_10000_report_demo() -> None:
    started = time.monotonic()
    with SQLiteBackend.fresh_url() as url, demo_api(url, reports=REPORTS) as api:
        token = api.token("admin_national", "kemenpanrb")
        for now in NOWS:
            check_every_endpoint(api, token, now, page=500)
    assert time.monotonic() - started < BUDGET_S
