"""Support for the /v1 queue and figure tests: a served demo ledger and every endpoint walked.

Holds no tests itself. `check_every_endpoint` is shared by the 500-report behaviour (SQLite and
PostgreSQL) and the 10 000-report acceptance test.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from flask import Flask

from ledger.application import LedgerApplication
from ledger.demo import run_demo
from projections.catalogue import default_stamper
from projections.runner import Projections
from tests.integration.api_support import Api, build_app, holder_of
from tests.integration.test_projections_figures import add_unverified, running_clocks

Overdue = tuple[str, str, datetime, str | None]  # report, clock, due, agency
ENDPOINTS = (
    "/v1/queues/verification",
    "/v1/queues/inbox",
    "/v1/queues/overdue",
    "/v1/reports/{id}/sla",
    "/v1/compliance",
    "/v1/stats/daily",
)


class QueueApi(Api):
    """The API client with paging helpers for the queue endpoints."""

    @property
    def ledger(self) -> LedgerApplication:
        return holder_of(self.app).ledger

    @property
    def projections(self) -> Projections:
        return holder_of(self.app).projections

    def catch_up(self) -> None:
        """What the follower does in a serving process (off under TESTING)."""
        assert [r.failure for r in self.projections.catch_up(batch_size=2000)] == [None, None]

    def get(self, token: str | None, path: str, **query: Any) -> Any:
        """GET with a bearer token and query parameters."""
        return self.client.get(path, query_string=query, headers=self.headers(token))

    def fetch(self, token: str | None, path: str, **query: Any) -> Any:
        """A GET that must answer 200; its JSON body."""
        response = self.get(token, path, **query)
        assert response.status_code == 200, (path, query, response.json)
        return response.json

    def every(self, token: str | None, path: str, **query: Any) -> list[dict[str, Any]]:
        """Every item of a paged list, following `next_cursor`."""
        items: list[dict[str, Any]] = []
        cursor = None
        while True:
            extra = {} if cursor is None else {"cursor": cursor}
            page = self.fetch(token, path, **query, **extra)
            items += page["items"]
            if page["next_cursor"] is None:
                return items
            cursor = page["next_cursor"]


@contextmanager
def demo_api(url: str, reports: int, seed: int = 1708) -> Iterator[QueueApi]:
    """An API app over a demo ledger (plus reports awaiting verification), caught up."""
    with TemporaryDirectory() as folder:
        app: Flask = build_app(url, Path(folder) / "keys")
        try:
            api = QueueApi(app, app.test_client())
            run_demo(api.ledger, reports=reports, seed=seed)
            add_unverified(api.ledger)
            api.catch_up()
            yield api
        finally:
            holder_of(app).close()


def brute_force_overdue(ledger: LedgerApplication, now: datetime) -> set[Overdue]:
    """Every clock overdue at `now`, from each report loaded by the ledger application."""
    return {c for c in running_clocks(ledger, default_stamper()) if now > c[2]}


def listed(items: list[dict[str, Any]]) -> list[Overdue]:
    """Overdue items of the API as (report, clock, due, agency)."""
    return [
        (i["report_id"], i["clock"], datetime.fromisoformat(i["due_at"]), i["agency_id"])
        for i in items
    ]


def check_every_endpoint(api: QueueApi, token: str, now: datetime, page: int) -> None:
    """Every queue and figure endpoint answers; the overdue list, read `page` items at a time,
    equals the brute-force recomputation from the reports."""
    when = now.isoformat()
    overdue = listed(api.every(token, "/v1/queues/overdue", now=when, limit=page))
    assert len(overdue) == len(set(overdue)) > 0
    assert [due for _, _, due, _ in overdue] == sorted(due for _, _, due, _ in overdue)
    assert set(overdue) == brute_force_overdue(api.ledger, now)
    queue = api.every(token, "/v1/queues/verification", limit=page)
    assert queue and all(q["state"] in ("submitted", "on_hold") for q in queue)
    agency = next(a for _, _, _, a in overdue if a and "." not in a)
    inbox = api.every(token, "/v1/queues/inbox", agency=agency, limit=page)
    assert inbox and {i["agency_id"] for i in inbox} == {agency}
    sla = api.fetch(token, f"/v1/reports/{overdue[0][0]}/sla", now=when)
    assert overdue[0][1] in {c["clock"] for c in sla["clocks"] if c["status"] == "overdue"}
    tree_size = api.ledger.ledger.tree_size()
    for group_by in ("agency", "hub", "national"):
        document = api.fetch(token, "/v1/compliance", group_by=group_by, as_of=when)
        assert document["tree_size"] == tree_size and document["rows"]
    csv = api.get(token, "/v1/compliance", period="2026", format="csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    days = api.fetch(token, "/v1/stats/daily", period="2026")["days"]
    assert (
        sum(d["submitted"] for d in days)
        == api.fetch(token, "/v1/compliance", group_by="national", period="2026")["rows"][0][
            "figures"
        ]["received"]
    )
