"""Receipt brute force against gunicorn with two workers on PostgreSQL: the limit is shared."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.e2e.servers import environment, serving
from tests.integration.api_support import fresh_window

WINDOW_S = 3600
WRONG = "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE-FFFFF-GGGGG-HHHHH"


@pytest.mark.slow
@pytest.mark.postgres
def test_one_thousand_wrong_receipts_from_one_client_across_two_workers(
    pg_url: str, tmp_path: Path
) -> None:
    env = environment(
        pg_url,
        tmp_path,
        LEDGER_RECEIPT_LIMIT_PER_CLIENT="10",
        LEDGER_RECEIPT_WINDOW_S=str(WINDOW_S),
    )
    with serving(env, tmp_path, "--workers", "2", "--threads", "4") as server:
        assert server.output().count("Booting worker") == 2

        def attempt(_: int) -> requests.Response:
            # a new connection each time, so both workers take turns accepting
            return requests.post(
                f"{server.base}/v1/receipts/status", json={"receipt": WRONG}, timeout=30
            )

        fresh_window(WINDOW_S, needed_s=60)
        with ThreadPoolExecutor(max_workers=8) as pool:
            responses = list(pool.map(attempt, range(1000)))
    codes = [r.status_code for r in responses]
    assert codes.count(404) == 10, sorted(set(codes))
    assert codes.count(429) == 990
    for limited in (r for r in responses if r.status_code == 429):
        assert 1 <= int(limited.headers["Retry-After"]) <= WINDOW_S
        assert limited.headers["Content-Type"] == "application/problem+json"
