"""The query functions the HTTP layer calls: filters, paging, and sums that must agree."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from ledger.application import LedgerApplication
from ledger.demo import run_demo
from projections.queries import (
    InvalidCursor,
    Page,
    UnknownReport,
    compliance,
    daily_stats,
    inbox,
    overdue,
    report_sla,
    verification_queue,
)
from projections.rules.clocks import CLOCKS
from projections.runner import Projections
from tests.integration.test_projections_figures import add_unverified
from tests.integration.test_projections_support import PostgresBackend, SQLiteBackend, stream_ids

NOW = datetime(2026, 5, 1, tzinfo=UTC)
FOLLOW_UP_STATES = {"dispositioned", "in_follow_up", "reporter_responded", "reopened"}


def every(fetch: Any, **kwargs: Any) -> list[Any]:
    """All items of a paged query, fetched `limit` at a time."""
    items, cursor = [], None
    while True:
        page: Page[Any] = fetch(cursor=cursor, **kwargs)
        items += page.items
        if page.next_cursor is None:
            return items
        cursor = page.next_cursor


class QueryBehaviour:
    """Each query filters and pages consistently with the others and with the log."""

    @pytest.fixture(scope="class")
    @classmethod
    def data(cls) -> Iterator[tuple[LedgerApplication, Projections]]:
        with cls.fresh_ledger() as app:  # type: ignore[attr-defined]
            run_demo(app, reports=120, seed=21, days=60)
            add_unverified(app)
            p = Projections(app)
            p.catch_up()
            yield app, p

    def test_verification_queue(self, data: tuple[LedgerApplication, Projections]) -> None:
        app, p = data
        queue = every(lambda **k: verification_queue(p, **k), limit=2)
        assert queue == verification_queue(p, limit=500).items
        unverified = {str(r) for r in stream_ids(app)}
        states = {str(r): app.get_report(r).state for r in stream_ids(app)}
        assert {q.report_id for q in queue} == {
            r for r in unverified if states[r] in ("submitted", "on_hold")
        }
        assert [q.submitted_at for q in queue] == sorted(q.submitted_at for q in queue)
        paused = [q for q in queue if q.awaiting_reporter]
        assert paused and all(q.due_at is None and q.state == "on_hold" for q in paused)
        serang = verification_queue(p, agency="kota-serang").items
        assert serang and {q.intake_agency_id for q in serang} == {"kota-serang"}
        banten = verification_queue(p, hub="prov-banten").items
        assert {q.report_id for q in serang} <= {q.report_id for q in banten}
        assert verification_queue(p, classification="wbs").items == []

    def test_inboxes(self, data: tuple[LedgerApplication, Projections]) -> None:
        app, p = data
        counts = Counter(
            (r.agency_id, r.unit_id)
            for r in map(app.get_report, stream_ids(app))
            if r.state in FOLLOW_UP_STATES
        )
        (agency, unit), _ = next((k, n) for k, n in counts.most_common() if k[1] is not None)
        items = every(lambda **k: inbox(p, agency, **k), limit=3)
        assert len(items) == sum(n for (a, _), n in counts.items() if a == agency)
        assert {i.state for i in items} <= FOLLOW_UP_STATES and {i.agency_id for i in items} == {
            agency
        }
        assert len(inbox(p, agency, unit).items) == counts[(agency, unit)]

    def test_overdue_filters(self, data: tuple[LedgerApplication, Projections]) -> None:
        _, p = data
        everything = every(lambda **k: overdue(p, NOW, **k), limit=50)
        assert everything
        agency = everything[0].agency_id
        assert agency is not None
        mine = overdue(p, NOW, agency, limit=500).items
        assert mine == [i for i in everything if i.agency_id == agency]
        registry = p.registry
        banten = overdue(p, NOW, hub="prov-banten", limit=500).items
        assert banten == [
            i
            for i in everything
            if i.agency_id in registry and i.agency_id != "prov-banten"
            and registry.is_within(i.agency_id, "prov-banten")
        ]  # fmt: skip

    def test_report_sla_and_errors(self, data: tuple[LedgerApplication, Projections]) -> None:
        app, p = data
        rid = str(stream_ids(app)[0])
        sla = report_sla(p, rid, now=NOW)
        assert sla.report_id == rid and sla.as_of == NOW
        assert [c.clock for c in sla.clocks] == [
            n for n in CLOCKS if n in {c.clock for c in sla.clocks}
        ]
        with pytest.raises(UnknownReport):
            report_sla(p, "00000000-0000-4000-8000-000000000000")
        with pytest.raises(InvalidCursor):
            verification_queue(p, cursor="bm90LWEtY3Vyc29y")
        with pytest.raises(ValueError, match="limit"):
            overdue(p, NOW, limit=0)
        with pytest.raises(ValueError, match="group_by"):
            compliance(p, group_by="province")  # type: ignore[arg-type]

    def test_daily_stats_add_up_to_the_log(
        self, data: tuple[LedgerApplication, Projections]
    ) -> None:
        app, p = data
        days = daily_stats(p)
        kinds = Counter(e.event_type.rsplit(".", 1)[-1] for e in app.iter_entries() if e.event_type)
        assert sum(d.submitted for d in days) == kinds["Submitted"] == len(stream_ids(app))
        assert sum(d.counts["followed_up"] for d in days) == kinds["FollowedUp"]
        assert sum(d.counts["returned"] for d in days) == kinds["ReturnedNotAuthority"]
        completed = sum(app.get_report(r).state == "completed" for r in stream_ids(app))
        assert sum(d.resolved for d in days) == completed
        assert all(d.resolution_rate == d.resolved / d.submitted for d in days if d.submitted)
        assert daily_stats(p, classification="wbs") != days

    def test_hub_rows_add_up_their_agencies(
        self, data: tuple[LedgerApplication, Projections]
    ) -> None:
        _, p = data
        agencies = {r.group: r.figures for r in compliance(p, as_of=NOW)}
        [hub] = compliance(p, group_by="hub", hub="kemenpanrb", as_of=NOW)
        below = {a.id for a in p.registry.descendants("kemenpanrb")}
        assert hub.figures.received == sum(f.received for k, f in agencies.items() if k in below)
        assert hub.figures.returns == sum(f.returns for k, f in agencies.items() if k in below)
        [national] = compliance(p, group_by="national", as_of=NOW)
        assert national.figures.returns == sum(f.returns for f in agencies.values())


class TestSQLite(SQLiteBackend, QueryBehaviour):
    pass


@pytest.mark.postgres
class TestPostgres(PostgresBackend, QueryBehaviour):
    pass
