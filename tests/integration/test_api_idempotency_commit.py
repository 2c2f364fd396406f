"""An idempotency key is completed in the append's own transaction, on both backends.

A crash inside that transaction (a trigger aborting the key's completion after the events
and entries are written) leaves nothing written and only a pending claim, which is free again
once its lease has run out; a claim taken over after its lease can no longer commit.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore

from ledger.domain import Actor, Role
from ledger.storage.key_completion import ClaimLost, KeyCompletion
from tests.integration.api_batch_support import item, post_batch
from tests.integration.api_support import Api, ApiBackend, OnPostgres, OnSQLite, holder_of

SQLITE_CRASH = [  # a failure that is not a constraint: the table it writes does not exist
    "CREATE TRIGGER crash_at_completion BEFORE UPDATE ON api_idempotency"
    " WHEN NEW.status = 'done' BEGIN INSERT INTO crash_before_commit VALUES (1); END"
]
SQLITE_HEAL = ["DROP TRIGGER crash_at_completion"]
PG_CRASH = [
    "CREATE FUNCTION {s}.crash() RETURNS trigger LANGUAGE plpgsql"
    " AS $$ BEGIN RAISE EXCEPTION 'crash before commit'; END $$",
    "CREATE TRIGGER crash_at_completion BEFORE UPDATE ON {s}.api_idempotency"
    " FOR EACH ROW WHEN (NEW.status = 'done') EXECUTE FUNCTION {s}.crash()",
]
PG_HEAL = ["DROP TRIGGER crash_at_completion ON {s}.api_idempotency"]
AUDITOR = Actor("auditor-1", Role.OMBUDSMAN_AUDITOR)


def _datastore(api: Api) -> Any:
    factory: Any = holder_of(api.app).ledger.factory
    return factory.datastore


def run_sql(api: Api, statements: list[str]) -> None:
    """Run statements on the ledger's own database, in one transaction."""
    datastore = _datastore(api)
    schema = getattr(datastore, "schema", "")
    with datastore.transaction(commit=True) as c:
        for statement in statements:
            c.execute(statement.replace("{s}", f'"{schema}"'))


def crash_on(api: Api) -> None:
    """Make every append that completes an idempotency key fail after its rows are written."""
    run_sql(api, PG_CRASH if isinstance(_datastore(api), PostgresDatastore) else SQLITE_CRASH)


def crash_off(api: Api) -> None:
    """Remove the crash trigger."""
    run_sql(api, PG_HEAL if isinstance(_datastore(api), PostgresDatastore) else SQLITE_HEAL)


def key_rows(api: Api, key: str) -> list[tuple[str, bool]]:
    """(status, has a response) of the key's records, in any scope."""
    datastore = _datastore(api)
    if isinstance(datastore, PostgresDatastore):
        table, mark = f'"{datastore.schema}".api_idempotency', "%s"
    else:
        assert isinstance(datastore, SQLiteDatastore)
        table, mark = "api_idempotency", "?"
    with datastore.transaction(commit=False) as c:
        c.execute(f"SELECT status, response FROM {table} WHERE key = {mark}", (key,))
        return [(row["status"], row["response"] is not None) for row in c.fetchall()]


@pytest.fixture
def crash(api: Api) -> Iterator[None]:
    """Abort every append that completes an idempotency key, after its rows are written."""
    crash_on(api)
    yield
    crash_off(api)


def act_crashing(api: Api, token: str, rid: str, action: str, body: Any, key: str) -> None:
    """Post an action that the crash trigger aborts (a 500, or the error itself in testing)."""
    try:
        response = api.act(token, rid, action, body, Idempotency_Key=key)
    except Exception as e:  # the test app propagates unexpected errors
        assert "crash" in str(e)
    else:
        assert response.status_code == 500, response.json


class IdempotencyCommitBehaviour(ApiBackend):
    @pytest.fixture
    def setup(self, api: Api) -> tuple[str, str]:
        admin = api.token("admin_national", "kemenpanrb")
        rid = api.submit()["report_id"]
        api.ok(admin, rid, "verify", {"handling_class": "ringan"})
        return admin, rid

    def test_the_append_stores_the_response_and_a_replay_writes_nothing(
        self, api: Api, setup: tuple
    ) -> None:
        admin, rid = setup
        first = api.act(
            admin, rid, "disposition", {"agency_id": "kota-serang"}, Idempotency_Key="d"
        )
        assert first.status_code == 201
        assert key_rows(api, "d") == [("done", True)]
        size = api.tree_size()
        again = api.act(
            admin, rid, "disposition", {"agency_id": "kota-serang"}, Idempotency_Key="d"
        )
        assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
        assert again.json == first.json
        assert api.tree_size() == size
        entry = holder_of(api.app).ledger.entry(UUID(rid), first.json["version"])
        assert first.json["leaf_index"] == entry.leaf_index
        assert first.json["entry_hash"] == entry.entry_hash.hex()

    def test_a_crash_before_commit_leaves_a_claim_that_expires(
        self, api: Api, setup: tuple, crash: None
    ) -> None:
        admin, rid = setup
        size = api.tree_size()
        body = {"agency_id": "kota-serang"}
        act_crashing(api, admin, rid, "disposition", body, "c")
        assert api.tree_size() == size  # nothing of the append was committed
        assert key_rows(api, "c") == [("pending", False)]
        busy = api.act(admin, rid, "disposition", body, Idempotency_Key="c")
        assert busy.status_code == 409  # within the lease: maybe still running
        assert busy.json["type"].endswith("/idempotency-in-progress")
        api.usecases.actions.idempotency.lease_us = 0  # the lease has run out: tried again
        act_crashing(api, admin, rid, "disposition", body, "c")
        assert api.tree_size() == size and key_rows(api, "c") == [("pending", False)]

    def test_after_its_lease_a_crashed_key_is_retried_and_written_once(
        self, api: Api, setup: tuple
    ) -> None:
        admin, rid = setup
        size = api.tree_size()
        body = {"agency_id": "kota-serang"}
        crash_on(api)
        act_crashing(api, admin, rid, "disposition", body, "r")
        crash_off(api)
        assert api.tree_size() == size and key_rows(api, "r") == [("pending", False)]
        api.usecases.actions.idempotency.lease_us = 0
        retried = api.act(admin, rid, "disposition", body, Idempotency_Key="r")
        assert retried.status_code == 201 and "Idempotent-Replayed" not in retried.headers
        assert api.tree_size() == size + 1
        replay = api.act(admin, rid, "disposition", body, Idempotency_Key="r")
        assert replay.headers["Idempotent-Replayed"] == "true" and replay.json == retried.json
        assert api.tree_size() == size + 1

    def test_a_crashed_batch_writes_nothing_and_is_retried_after_the_lease(
        self, api: Api, setup: tuple
    ) -> None:
        admin, rid = setup
        other = api.submit()["report_id"]
        size = api.tree_size()
        items = [
            item(rid, "disposition", {"agency_id": "kota-serang"}, idempotency_key="b-1"),
            item(other, "verify", {"handling_class": "ringan"}, idempotency_key="b-2"),
            item(other, "disposition", {"agency_id": "kota-serang"}),
        ]
        crash_on(api)
        try:
            crashed = post_batch(api, admin, items)
        except Exception as e:
            assert "crash" in str(e)
        else:
            assert crashed.status_code == 500
        crash_off(api)
        assert api.tree_size() == size
        assert key_rows(api, "b-1") == key_rows(api, "b-2") == [("pending", False)]
        busy = post_batch(api, admin, items[:1]).json["results"][0]
        assert busy["problem"]["type"].endswith("/idempotency-in-progress")
        api.usecases.actions.idempotency.lease_us = 0
        retried = post_batch(api, admin, items)
        assert retried.status_code == 200
        assert [r["status"] for r in retried.json["results"]] == [201, 201, 201]
        assert api.tree_size() == size + 3
        assert key_rows(api, "b-1") == key_rows(api, "b-2") == [("done", True)]
        replay = post_batch(api, admin, items[:2]).json["results"]
        assert [r["replayed"] for r in replay] == [True, True]
        assert [r["result"] for r in replay] == [r["result"] for r in retried.json["results"][:2]]
        assert api.tree_size() == size + 3

    def test_a_claim_taken_over_after_its_lease_cannot_commit(self, api: Api, setup: tuple) -> None:
        _, rid = setup
        ledger, store = holder_of(api.app).ledger, api.usecases.store
        first_us = time.time_ns() // 1000
        assert store.claim_key("s", "t", b"f" * 32, first_us, 0, 0) is None
        second_us = first_us + 1
        assert store.claim_key("s", "t", b"f" * 32, second_us, 0, second_us) is None  # stale
        size = api.tree_size()

        def save(claimed_at_us: int) -> KeyCompletion:
            report = ledger.get_report(UUID(rid))
            report.annotate(AUDITOR, datetime.now(UTC), note="catatan")
            done = KeyCompletion("s", "t", claimed_at_us, report.id, report.version, _render)
            ledger.save(report, idempotency=[done])
            return done

        with pytest.raises(ClaimLost):
            save(first_us)  # its claim was taken over: refused, nothing written
        assert api.tree_size() == size and key_rows(api, "t") == [("pending", False)]
        done = save(second_us)
        assert api.tree_size() == size + 1 and key_rows(api, "t") == [("done", True)]
        assert done.response == f"leaf {size}"

    def test_a_lost_claim_never_blocks_another_save_of_the_same_transaction(
        self, api: Api, setup: tuple
    ) -> None:
        _, rid = setup
        other = UUID(api.submit()["report_id"])
        ledger, store = holder_of(api.app).ledger, api.usecases.store
        now_us = time.time_ns() // 1000
        for key in ("lost", "kept"):
            assert store.claim_key("s", key, b"f" * 32, now_us, 0, 0) is None
        size = api.tree_size()
        reports = [ledger.get_report(UUID(rid)), ledger.get_report(other)]
        answers = {}
        claims = zip(reports, ("lost", "kept"), (now_us - 1, now_us), strict=True)
        for report, key, claimed in claims:
            report.annotate(AUDITOR, datetime.now(UTC), note="catatan")
            answers[report.id] = [
                KeyCompletion("s", key, claimed, report.id, report.version, _render)
            ]
        outcomes = ledger.save_each(reports, idempotency=answers)  # one group-commit submission
        assert isinstance(outcomes[0], ClaimLost) and outcomes[1] is None
        assert api.tree_size() == size + 1
        assert key_rows(api, "lost") == [("pending", False)]
        assert key_rows(api, "kept") == [("done", True)]
        assert answers[other][0].response == f"leaf {size}"


def _render(row: Any) -> str:
    return f"leaf {row.leaf_index}"


class TestIdempotencyCommitSQLite(OnSQLite, IdempotencyCommitBehaviour):
    pass


@pytest.mark.postgres
class TestIdempotencyCommitPostgres(OnPostgres, IdempotencyCommitBehaviour):
    pass
