"""Keeping the served projections current: where the figures stand in the log, the follower a
serving process starts (and stops), and catch-ups running side by side."""

from __future__ import annotations

import contextlib
import math
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from api import create_app
from api.extension import FOLLOWER_SWITCH_INTERVAL_S
from ledger.demo import run_demo
from ledger.storage.keys import KeyRing
from projections.follower import Follower, caught_up
from projections.runner import Projections
from projections.views import PositionTaken
from tests.conftest import make_settings
from tests.integration.api_support import LIMITS, OnPostgres, OnSQLite, holder_of
from tests.integration.test_api_projections_support import QueueApi
from tests.integration.test_projections_support import snapshot

WAIT_S = 15.0


def follower_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "projections"]


def served(url: str, tmp: Path, follower: str) -> Flask:
    """An app as a test client serves it, with the projection follower on or off."""
    return create_app(
        {
            "TESTING": True,
            "LEDGER_SETTINGS": make_settings(url, tmp / "keys"),
            "LEDGER_KEYRING": KeyRing.ephemeral(),
            "LEDGER_ACCESS_SETTINGS": LIMITS,
            "LEDGER_PROJECTIONS_FOLLOWER": follower,
        }
    )


class FollowerBehaviour:
    """Subclassed with OnSQLite or OnPostgres, which bring the `url` fixture."""

    @pytest.fixture
    def api(self, url: str, tmp_path: Path) -> Iterator[QueueApi]:
        app = served(url, tmp_path, "off")
        yield QueueApi(app, app.test_client())
        holder_of(app).close()

    def test_figures_say_where_in_the_log_they_stand(self, api: QueueApi) -> None:
        admin = api.token("admin_national", "kemenpanrb")
        first = api.submit(admin)["report_id"]
        document = api.fetch(admin, "/v1/compliance", group_by="national")
        assert (document["tree_size"], document["position"]) == (0, 0)
        assert document["rows"][0]["figures"]["received"] == 0
        api.catch_up()
        api.submit(admin, classification="wbs", privacy="rahasia")
        document = api.fetch(admin, "/v1/compliance", group_by="national")
        assert document["tree_size"] == 1 < api.ledger.ledger.tree_size() == 2
        assert document["rows"][0]["figures"]["received"] == 1
        assert [q["report_id"] for q in api.every(admin, "/v1/queues/verification")] == [first]
        second = api.every(admin, "/v1/reports")[-1]["report_id"]
        late = api.get(admin, f"/v1/reports/{second}/sla")
        assert late.status_code == 404 and late.headers["Retry-After"] == "1"
        assert late.json["type"].endswith("/not-yet-projected")
        api.catch_up()
        document = api.fetch(admin, "/v1/compliance", group_by="national")
        assert document["tree_size"] == 2 and document["rows"][0]["figures"]["received"] == 2
        sla = api.fetch(admin, f"/v1/reports/{second}/sla")
        assert [c["clock"] for c in sla["clocks"]] == ["verification"]

    def test_no_follower_under_testing(self, api: QueueApi) -> None:
        api.submit(api.token("reporter"))
        assert holder_of(api.app).follower is None and follower_threads() == []

    def test_the_follower_starts_on_the_first_request_and_stops_on_close(
        self, url: str, tmp_path: Path
    ) -> None:
        app = served(url, tmp_path, "on")
        api = QueueApi(app, app.test_client())
        before = sys.getswitchinterval()
        try:
            admin = api.token("admin_national", "kemenpanrb")
            assert holder_of(app).follower is None  # operator commands start no thread
            rid = api.submit(admin)["report_id"]
            assert holder_of(app).follower is not None and len(follower_threads()) == 1
            assert sys.getswitchinterval() == FOLLOWER_SWITCH_INTERVAL_S != before
            deadline = time.monotonic() + WAIT_S
            queue: list[dict[str, Any]] = []
            while not queue and time.monotonic() < deadline:
                time.sleep(0.1)
                queue = api.every(admin, "/v1/queues/verification")
            assert [q["report_id"] for q in queue] == [rid]
        finally:
            holder_of(app).close()
        assert follower_threads() == []  # stopped cleanly, no thread left behind
        assert sys.getswitchinterval() == before

    def test_the_follower_applies_small_batches_and_equals_a_rebuild(self, api: QueueApi) -> None:
        run_demo(api.ledger, reports=40, seed=11)
        events = len(api.projections.log.after(None, 1_000_000))
        pauses: list[tuple[str, int]] = []

        class Counting(Follower):
            def _between_batches(self, name: str, position: int, top: int) -> None:
                pauses.append((name, position))
                super()._between_batches(name, position, top)

        follower = Counting(api.ledger, interval=0.05, batch_size=7, pause_s=0.001).start()
        try:
            deadline = time.monotonic() + WAIT_S
            while time.monotonic() < deadline and {s.lag for s in api.projections.status()} != {0}:
                time.sleep(0.05)
        finally:
            follower.stop()
        p = api.projections
        assert [(s.lag, s.failure) for s in p.status()] == [(0, None), (0, None)]
        assert len(pauses) == 2 * math.ceil(events / 7)  # a pause after each batch of each view
        followed = snapshot(p)
        assert [r.failure for r in p.rebuild()] == [None, None]
        assert snapshot(p) == followed

    def test_catch_ups_side_by_side_apply_each_batch_once(self, api: QueueApi) -> None:
        """Followers of several processes (here: threads with their own views) and a rebuild
        run together; no projection stops on an event another one applied first, and none
        applies an event twice."""
        run_demo(api.ledger, reports=150, seed=9)
        caught_up(api.projections, batch_size=37)
        errors: list[BaseException] = []

        def follow(views: Projections, rebuild: bool) -> None:
            try:
                if rebuild:  # as `lapor-ledger projections rebuild` does
                    with contextlib.suppress(PositionTaken):
                        views.rebuild(batch_size=37)
                for _ in range(3):
                    results = caught_up(views, batch_size=37)
                    assert [r.failure for r in results] == [None, None]
            except BaseException as e:  # reported by the test thread
                errors.append(e)

        workers = [
            threading.Thread(target=follow, args=(Projections(api.ledger), n == 0))
            for n in range(4)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert errors == []
        p = api.projections
        assert [s.failure for s in p.status()] == [None, None]
        assert {s.lag for s in p.status()} == {0}
        together = snapshot(p)
        assert [r.failure for r in p.rebuild()] == [None, None]
        assert snapshot(p) == together  # the same as applied by one: nothing twice


class TestSQLiteFollower(OnSQLite, FollowerBehaviour):
    pass


@pytest.mark.postgres
class TestPostgresFollower(OnPostgres, FollowerBehaviour):
    pass
