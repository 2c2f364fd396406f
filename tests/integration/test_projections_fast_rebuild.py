"""The rebuild path (projections.rebuild) gives exactly the rows of the incremental catch-up,
whatever the chunk size; its headers, parsed from the stored payloads, are those of the
decoded events; a failing event stops a rebuild where a catch-up stops; on SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from uuid import UUID

import pytest

from ledger.application import LedgerApplication
from ledger.deadlines import DeadlineStamper
from ledger.demo import run_demo
from ledger.sla import Overrides, PolicyBook
from projections.rebuild import Rebuild, Result
from projections.runner import CatchUp, Projections
from projections.source import header_of
from projections.views import View
from tests.integration.ledgers import handle_fully, submit_complaint
from tests.integration.test_projections_failures import (
    T0,
    registry_with_new_agency,
    send_to_unknown_agency,
)
from tests.integration.test_projections_support import PostgresBackend, SQLiteBackend, snapshot


class FastRebuildBehaviour:
    """The rebuild's fold, chunks and writes against the incremental path."""

    def test_rebuild_rows_equal_catch_up_on_a_demo_log(self, app: LedgerApplication) -> None:
        run_demo(app, reports=500, seed=29)
        p = Projections(app)
        assert p.log.max_id() > 2000  # a few thousand events
        caught = p.catch_up(batch_size=500)
        assert [c.failure for c in caught] == [None, None]
        incremental = snapshot(p)
        assert len(incremental["proj_reports"]) == 500
        # chunks far smaller than a report's life: records are dropped between chunks and
        # loaded back from the view, and rows written again when a report moves on
        positions: list[tuple[str, int]] = []
        done = p.rebuild(batch_size=97, progress=lambda n, at, top: positions.append((n, at)))
        top = p.log.max_id()
        assert done == [CatchUp("reports", top, top, None), CatchUp("daily", top, top, None)]
        assert snapshot(p) == incremental
        reported = [at for name, at in positions if name == "reports"]
        assert reported == sorted(reported) and reported[-1] == top and len(reported) > top // 97
        assert p.rebuild()[0] == CatchUp("reports", top, top, None)  # one chunk
        assert snapshot(p) == incremental
        # and no chunk of a valid log goes the incremental way
        views = list(p.views.values())
        for view in views:
            view.reset()
        replay = Rebuild(views, p.log, chunk=97, progress=None, incremental=_no_fallback)
        assert replay.run() == [("reports", top, top, None), ("daily", top, top, None)]
        assert snapshot(p) == incremental
        more = p.catch_up()  # and the incremental path goes on from a rebuilt view
        assert [(c.applied, c.failure) for c in more] == [(0, None), (0, None)]

    def test_stored_headers_are_the_decoded_events_headers(self, app: LedgerApplication) -> None:
        run_demo(app, reports=60, seed=3)
        log = Projections(app).log
        stored = log.stored_after(None, 100_000)
        notifications = log.after(None, 100_000)
        assert [s.id for s in stored] == [n.id for n in notifications] and stored
        for row, notification in zip(stored, notifications, strict=True):
            assert log.header(row) == header_of(log.decode(notification))

    def test_failing_event_stops_a_rebuild_where_a_catch_up_stops(
        self, app: LedgerApplication
    ) -> None:
        first = submit_complaint(app)
        handle_fully(app, first)
        bad = send_to_unknown_agency(app)
        after = submit_complaint(app, at=T0 + timedelta(days=1))
        handle_fully(app, after, at=T0 + timedelta(days=1))
        p = Projections(app)
        caught = p.catch_up()
        assert caught[0].failure is not None and caught[1].failure is None
        incremental = snapshot(p)
        for chunk in (1, 3, 1000):
            rebuilt = p.rebuild(batch_size=chunk)
            assert [(r.name, r.applied, r.position) for r in rebuilt] == [
                (c.name, c.applied, c.position) for c in caught
            ]
            failure, expected = rebuilt[0].failure, caught[0].failure
            assert failure is not None and failure.report_id == str(bad)
            assert (failure.notification_id, failure.event_type, failure.message) == (
                expected.notification_id,
                expected.event_type,
                expected.message,
            )
            assert {s.name: s.failure for s in p.status()}["reports"] == failure
            assert snapshot(p) == incremental
        fixed = Projections(app, stamper=_fixed_stamper())
        assert [r.failure for r in fixed.rebuild(batch_size=2)] == [None, None]
        assert {s.name: s.failure for s in fixed.status()} == {"reports": None, "daily": None}
        rows = {row["report_id"] for row in snapshot(fixed)["proj_reports"]}
        assert rows == {str(first), str(bad), str(after)}

    def test_a_chunk_whose_write_fails_stops_where_a_catch_up_stops(
        self, app: LedgerApplication, refuse_report_row: Callable[[str], None]
    ) -> None:
        run_demo(app, reports=80, seed=11)
        p = Projections(app)
        stored = p.log.stored_after(None, 100_000)
        bad = str(UUID(str(stored[len(stored) // 2].originator_id)))  # mid-log
        first = min(row.id for row in stored if str(UUID(str(row.originator_id))) == bad)
        refuse_report_row(bad)  # its first event's row: a write that fails
        caught = p.catch_up(batch_size=50)
        failure = caught[0].failure
        assert failure is not None and failure.report_id == bad
        assert failure.notification_id == first and "row refused" in failure.message
        assert caught[1].failure is None and caught[1].position == p.log.max_id()
        incremental = snapshot(p)
        # The chunk whose write fails goes the incremental way, which stops where the
        # catch-up stops; the daily view, which writes no such row, goes on to the end.
        for chunk in (7, 40):
            rebuilt = p.rebuild(batch_size=chunk)
            assert [(r.name, r.applied, r.position) for r in rebuilt] == [
                (c.name, c.applied, c.position) for c in caught
            ]
            stopped = rebuilt[0].failure
            assert stopped is not None and stopped.notification_id == first
            assert stopped.message == failure.message and rebuilt[1].failure is None
            assert snapshot(p) == incremental


def _no_fallback(views: Sequence[View], until: int) -> list[Result]:
    raise AssertionError(f"a chunk up to {until} went the incremental way")


def _fixed_stamper() -> DeadlineStamper:
    """The packaged policies with the registry that knows the failing history's agency."""
    return DeadlineStamper(
        registry_with_new_agency(), PolicyBook.load_default(), Overrides.load_default()
    )


class TestSQLite(SQLiteBackend, FastRebuildBehaviour):
    pass


@pytest.mark.postgres
class TestPostgres(PostgresBackend, FastRebuildBehaviour):
    pass
