"""One projection follower per database: two apps on one database stand for two serving
processes; only the lease holder follows, and the other takes over once it is given up."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.leader import FollowerLease
from ledger.settings import DatabaseUrl
from tests.integration.api_support import holder_of
from tests.integration.test_api_projections_follower import follower_threads, served
from tests.integration.test_api_projections_support import QueueApi


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.postgres
def test_one_lease_per_schema_taken_over_when_released(pg_url: str) -> None:
    clock = Clock()
    first = FollowerLease(DatabaseUrl.parse(pg_url), retry_s=5.0, clock=clock)
    second = FollowerLease(DatabaseUrl.parse(pg_url), retry_s=5.0, clock=clock)
    try:
        assert first.held() and first.held()
        assert not second.held()
        first.release()
        assert not second.held()  # tried again only after retry_s
        clock.now = 5.0
        assert second.held()
        assert not first.held()
    finally:
        first.release()
        second.release()


@pytest.mark.postgres
def test_only_the_lease_holder_runs_a_follower(pg_url: str, tmp_path: Path) -> None:
    apps = [served(pg_url, tmp_path / str(n), "on") for n in range(2)]
    apis = [QueueApi(app, app.test_client()) for app in apps]
    clock = Clock()
    holder_of(apps[1]).follower_lease = FollowerLease(DatabaseUrl.parse(pg_url), clock=clock)
    try:
        for api in apis:
            admin = api.token("admin_national", "kemenpanrb")
            api.submit(admin)
        running = [holder_of(app).follower is not None for app in apps]
        assert running == [True, False] and len(follower_threads()) == 1
        holder_of(apps[0]).close()  # the first process ends: its lease is free
        clock.now += 5.0  # the next try
        apis[1].submit(apis[1].token("admin_national", "kemenpanrb"))
        assert holder_of(apps[1]).follower is not None and len(follower_threads()) == 1
    finally:
        for app in apps:
            holder_of(app).close()
    assert follower_threads() == []


def test_sqlite_serves_one_process_that_always_follows(sqlite_url: str) -> None:
    lease = FollowerLease(DatabaseUrl.parse(sqlite_url))
    assert lease.held()
    lease.release()
