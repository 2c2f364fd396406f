"""Batches under concurrent load: per-report conflicts, no gap, and the whole log verifies."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from ledger.domain import InvalidCommand
from ledger.usecases.batch import BatchAborted, BatchActions, BatchItem
from tests.integration.api_batch_support import BATCH, item, verify_log, version
from tests.integration.api_support import Api, ApiBackend, OnPostgres, OnSQLite

THREADS = 8
BATCHES = 6
REPORTS = 12
ITEMS = 20


class BatchLoadBehaviour(ApiBackend):
    def test_concurrent_batches_keep_the_chain_whole(self, api: Api, tmp_path: Path) -> None:
        """Eight clients send batches over shared reports: each report is all or nothing."""
        admin = api.token("admin_national", "kemenpanrb")
        auditor = api.token("ombudsman_auditor", "ombudsman-ri")
        reports = []
        for _ in range(REPORTS):
            rid = str(api.submit(target_agency_id="kota-serang")["report_id"])
            api.ok(admin, rid, "verify", {"handling_class": "ringan"})
            reports.append(rid)
        size = api.tree_size()
        outcomes: list[list[dict[str, Any]]] = []
        errors: list[BaseException] = []
        start = threading.Barrier(THREADS)

        def client(n: int) -> None:
            http = api.app.test_client()
            headers = {"Authorization": f"Bearer {auditor}"}
            try:
                start.wait()
                for b in range(BATCHES):
                    items = [
                        item(reports[(n + b + i) % REPORTS], "annotate", {"note": f"{n}-{b}-{i}"})
                        for i in range(ITEMS)
                    ]
                    response = http.post(BATCH, json={"items": items}, headers=headers)
                    assert response.status_code == 200, response.json
                    outcomes.append((response.json or {})["results"])
            except BaseException as e:  # reported below; a thread must not die silently
                errors.append(e)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        written: Counter[str] = Counter()
        for results in outcomes:
            statuses = Counter(r["status"] for r in results)
            assert set(statuses) <= {201, 409}, statuses
            for r in results:
                if r["status"] == 201:
                    written[r["result"]["report_id"]] += 1
                else:
                    assert r["problem"]["type"].endswith("/concurrent-append")
        assert sum(written.values()) > 0
        assert api.tree_size() == size + sum(written.values())
        for rid in reports:  # every accepted item is exactly one version, in order
            assert version(api, admin, rid) == 2 + written[rid]
        outcome = verify_log(api, tmp_path)
        assert outcome["reports"] == REPORTS


class TestBatchLoadSQLite(OnSQLite, BatchLoadBehaviour):
    pass


@pytest.mark.postgres
class TestBatchLoadPostgres(OnPostgres, BatchLoadBehaviour):
    pass


def test_library_call_checks_arguments(sqlite_url: str, tmp_path: Path) -> None:
    """`BatchActions` without the API: unknown arguments are refused per item."""
    from tests.integration.api_support import build_app, holder_of

    app = build_app(sqlite_url, tmp_path / "keys")
    try:
        api = Api(app, app.test_client())
        admin = api.token("admin_national", "kemenpanrb")
        rid = UUID(api.submit()["report_id"])
        usecases = holder_of(app).usecases
        who = usecases.tokens.authenticate(admin, anonymous_ok=False)
        batch = BatchActions(usecases.actions)
        outcomes = batch.append(
            who,
            [
                BatchItem(rid, "verify", {"handling_class": "ringan"}),
                BatchItem(rid, "verify", {"colour": "red"}),
            ],
        )
        assert outcomes[0].result is None and outcomes[1].result is None
        assert isinstance(outcomes[1].error, InvalidCommand)
        assert isinstance(outcomes[0].error, BatchAborted)
        assert outcomes[0].error.failed_item == 1
        done = batch.append(who, [BatchItem(rid, "verify", {"handling_class": "ringan"})])
        assert done[0].result is not None and done[0].result.version == 2
    finally:
        holder_of(app).close()
