"""The HTTP load target against the real API served over HTTP (werkzeug) on SQLite."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from ledger.deadlines import DeadlineStamper
from ledger.load.http import run_http
from ledger.load.profile import load_profile
from ledger.load.schedule import build_schedule
from tests.integration.api_support import build_app, holder_of

AGENCY_ROLES = ("admin_agency", "liaison", "wbs_investigator")


@pytest.fixture
def served(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    app = build_app(sqlite_url, tmp_path / "keys")
    tokens_api = holder_of(app).usecases.tokens
    registry = DeadlineStamper.load_default().registry
    tokens = {r: tokens_api.create(r, None).bearer for r in ("admin_national", "reporter")}
    for agency in registry.all():
        if agency.level not in ("national", "unit"):
            for role in AGENCY_ROLES:
                tokens[f"{role}:{agency.id}"] = tokens_api.create(role, agency.id).bearer
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", tokens
    finally:
        server.shutdown()
        thread.join()
        holder_of(app).close()


def test_http_load_plays_every_action(served: tuple[str, dict[str, str]]) -> None:
    url, tokens = served
    schedule = build_schedule(
        load_profile(), DeadlineStamper.load_default(), reports=30, threads=3, seed=8
    )
    stats = run_http(url, tokens, schedule)
    assert stats.errors == {}, stats.errors
    assert stats.conflicts == 0
    assert stats.reports == 30 and stats.events == schedule.events
    assert stats.percentile(0.99) >= stats.percentile(0.5) > 0


def test_http_load_counts_refusals_by_status(served: tuple[str, dict[str, str]]) -> None:
    url, tokens = served
    schedule = build_schedule(
        load_profile(), DeadlineStamper.load_default(), reports=5, threads=1, seed=2
    )
    wrong = {key: "lapor_not-a-token" for key in tokens}
    stats = run_http(url, wrong, schedule)
    assert stats.events == 0 and sum(stats.errors.values()) > 0
    assert set(stats.errors) <= {"401", "skipped"}
