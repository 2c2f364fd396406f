"""A rebuild in parts (reports split by id, replayed side by side in processes of their own)
gives exactly the one-process rebuild; one interrupted at any point is finished by the next
catch-up; a failing event sends it the one-process way; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import Tracking

from ledger.application import LedgerApplication
from ledger.demo import run_demo
from ledger.settings import Settings
from projections.parallel import replay_part
from projections.rebuild import _chunk_end
from projections.runner import CatchUp, Projections
from projections.source import LOG_NAME, Part, part_of
from tests.integration.tampering import Dba
from tests.integration.test_projections_rebuild import Crash, killed_rebuild
from tests.integration.test_projections_support import PostgresBackend, SQLiteBackend, snapshot


class PartsBehaviour:
    def test_parts_split_the_log_by_report(self, app: LedgerApplication) -> None:
        run_demo(app, reports=60, seed=3)
        p = Projections(app)
        top = p.log.max_id()
        everything = p.log.stored_after(None, top + 1)
        for count in (2, 3):
            seen: list[int] = []
            for index in range(count):
                rows = p.log.stored_after(None, top + 1, Part(index, count, top))
                assert rows and all(
                    part_of(UUID(str(r.originator_id)), count) == index for r in rows
                )
                seen += [r.id for r in rows]
            assert sorted(seen) == [r.id for r in everything]
        first = p.log.stored_after(None, top + 1, Part(0, 2, top // 2))
        assert first and max(r.id for r in first) <= top // 2  # up to the part's end only

    def test_rebuild_in_parts_equals_one_process(self, app: LedgerApplication) -> None:
        run_demo(app, reports=80, seed=5)
        p = Projections(app)
        incremental = [c.failure for c in p.catch_up(batch_size=37)]
        assert incremental == [None, None]
        expected = snapshot(p)
        top = p.log.max_id()
        done = p.rebuild(batch_size=50, parts=2)  # a process of its own for the second part
        assert done == [CatchUp("reports", top, top, None), CatchUp("daily", top, top, None)]
        assert snapshot(p) == expected
        assert [v.parts() for v in p.views.values()] == [[], []]
        assert [s.lag for s in p.status()] == [0, 0]

    def test_interrupted_parts_are_finished_by_the_next_catch_up(
        self, app: LedgerApplication
    ) -> None:
        p, expected, top = rebuilt_demo(app, reports=50, seed=9)
        for view in p.views.values():
            view.reset(parts=(3, top))
        views = list(p.views.values())
        replay_part(views, p.log, Part(2, 3, top), None, chunk=40)  # one part done
        with pytest.raises(Crash):  # part 0 dies midway, after its second chunk
            replay_part(views, p.log, Part(0, 3, top), None, chunk=25, progress=_crash_after(2))
        standing = {v.name: dict(v.parts()) for v in views}
        assert 0 < (standing["reports"][Part(0, 3, top)] or 0) < top
        assert standing["reports"][Part(1, 3, top)] is None
        assert standing["reports"][Part(2, 3, top)] == top
        assert p.status()[0].position == 0  # the view's own position waits for every part
        # The part that reached the end counted its reports, and only those, in the counters.
        mine = [r for r in expected["proj_reports"] if part_of(r["report_id"], 3) == 2]
        shares = [r for r in expected["proj_shares"] if part_of(r["report_id"], 3) == 2]
        counted = snapshot(p)["proj_share_counts"]
        assert mine and sum(c["n"] for c in counted if c["agency_id"] == "") == len(mine)
        assert sum(c["n"] for c in counted if c["agency_id"] != "") == len(shares)
        resumed = p.catch_up()
        assert [r.failure for r in resumed] == [None, None]
        assert [r.position for r in resumed] == [top, top]
        assert snapshot(p) == expected
        assert [v.parts() for v in views] == [[], []]

    def test_parts_in_small_chunks_count_reports_written_again(
        self, app: LedgerApplication
    ) -> None:
        # Chunks of a few events: most reports are written in several chunks, many of them
        # after their records left memory (loaded back, and what their rows counted taken back).
        p, expected, top = rebuilt_demo(app, reports=150, seed=29)
        views = list(p.views.values())
        for view in views:
            view.reset(parts=(2, top))
        for index, chunk in ((0, 3), (1, 7)):
            done = replay_part(views, p.log, Part(index, 2, top), None, chunk=chunk, fresh=True)
            assert [position for _, _, position, _ in done] == [top, top]
        assert [r.failure for r in p.catch_up()] == [None, None]
        assert snapshot(p) == expected

    def test_parts_commit_at_their_own_ids_and_end_together(self, app: LedgerApplication) -> None:
        # Each part's chunks end at fixed notification ids, staggered between the parts, the
        # last at the rebuild's end: a part commits the last of its events up to each of them,
        # and its last chunk with the rebuild's end as its position.
        p, expected, top = rebuilt_demo(app, reports=150, seed=31)
        views = list(p.views.values())
        for view in views:
            view.reset(parts=(3, top))
        chunk = top // 12  # about 4 chunks a part
        firsts = []
        for index in range(3):
            part = Part(index, 3, top)
            ends, at = [], None
            while at != top:
                at = _chunk_end(part, chunk, at)
                ends.append(at)
            firsts.append(ends[0])
            ids = [r.id for r in p.log.stored_after(None, top + 1, part)]
            spans = zip([0, *ends], ends, strict=False)
            wanted = [
                max(i for i in ids if a < i <= b) for a, b in spans if any(a < i <= b for i in ids)
            ]
            commits: list[int] = []

            def progress(name: str, position: int, _: int) -> None:
                if name == "reports":
                    commits.append(position)  # noqa: B023 (called within this iteration)

            replay_part(views, p.log, part, None, chunk=chunk, progress=progress, fresh=True)
            assert commits == [*wanted[:-1], top]  # the last commit takes the part to its end
        assert firsts == sorted(set(firsts))  # the parts' first chunks end at different ids
        for view in views:
            view.finish_parts(top)
        assert snapshot(p) == expected

    def test_views_left_by_different_rebuilds_in_parts_are_each_finished(
        self, app: LedgerApplication
    ) -> None:
        p, expected, top = rebuilt_demo(app, reports=30, seed=19)
        reports, daily = p.views["reports"], p.views["daily"]
        reports.reset(parts=(2, top))  # one rebuild, killed before any commit
        daily.reset(parts=(3, top - 7))  # another, of the log as it was 7 events earlier
        left = p.catch_up(finish_rebuilds=False)  # as a page does: the rebuilds are not its work
        assert [(c.applied, c.position) for c in left] == [(0, None), (0, None)]
        assert len(reports.parts()) == 2 and len(daily.parts()) == 3
        assert snapshot(p)["proj_reports"] == []
        assert [r.failure for r in p.catch_up()] == [None, None]
        assert snapshot(p) == expected
        assert [reports.parts(), daily.parts()] == [[], []]

    def test_a_view_with_a_position_besides_parts_is_rebuilt(self, app: LedgerApplication) -> None:
        p, expected, top = rebuilt_demo(app, reports=30, seed=23)
        reports = p.views["reports"]
        reports.reset(parts=(2, top))
        reports.insert_tracking(Tracking(LOG_NAME, 5))  # another writer applied events meanwhile
        assert [r.failure for r in p.catch_up()] == [None, None]
        assert snapshot(p) == expected
        assert reports.parts() == [] and reports.position() == top

    def test_a_part_folds_before_the_views_are_emptied_without_reading_them(
        self, app: LedgerApplication
    ) -> None:
        run_demo(app, reports=40, seed=17)
        p = Projections(app)
        p.catch_up()  # the views hold every report's final state: nothing a part may load
        expected = snapshot(p)
        top = p.log.max_id()
        views = list(p.views.values())

        def empty() -> None:  # as the calling process does, while the part folds its first chunk
            for view in views:
                view.reset(parts=(1, top))

        part = Part(0, 1, top)
        replay_part(views, p.log, part, None, chunk=top // 3, fresh=True, before_writing=empty)
        for view in views:
            view.finish_parts(top)
        assert snapshot(p) == expected

    def test_a_failing_event_stops_the_rebuild_where_one_process_stops(
        self, app: LedgerApplication, url: str
    ) -> None:
        run_demo(app, reports=40, seed=13)
        p = Projections(app)
        top = p.log.max_id()
        rows = p.log.stored_after(None, top + 1)
        first = rows[0]  # a Submitted event: submitting its report again cannot be applied
        versions = [r.originator_version for r in rows if r.originator_id == first.originator_id]
        dba = Dba(url)
        with dba.session() as conn:
            stream = UUID(str(first.originator_id))
            event = (stream, max(versions) + 1, first.topic, first.state)
            dba.insert_event(conn, top, *event, 0, b"\0" * 32, b"\1" * 32)
        one = p.rebuild(batch_size=50, parts=1)
        assert [c.failure.notification_id for c in one if c.failure] == [top + 1, top + 1]
        expected = snapshot(p)
        parted = p.rebuild(batch_size=50, parts=2)
        assert [(c.applied, c.position) for c in parted] == [(c.applied, c.position) for c in one]
        assert [c.failure.notification_id for c in parted if c.failure] == [top + 1, top + 1]
        assert snapshot(p) == expected
        assert [v.parts() for v in p.views.values()] == [[], []]

    def test_sigkill_mid_rebuild_in_parts_then_resume(
        self, app: LedgerApplication, settings: Settings, workdir: Path
    ) -> None:
        p, top = killed_rebuild(app, settings, workdir, batch=60, parts=2)
        assert p.views["reports"].position() is None  # parts were under way
        assert p.views["reports"].parts()
        results = p.catch_up()  # the orphaned part, if still running, stops at a commit
        assert [r.failure for r in results] == [None, None]
        assert [r.position for r in results] == [top, top]
        parted = snapshot(p)
        p.rebuild(parts=1)
        assert snapshot(p) == parted


def rebuilt_demo(
    app: LedgerApplication, *, reports: int, seed: int
) -> tuple[Projections, dict[str, list[dict[str, Any]]], int]:
    """A demo history, its views rebuilt in one process, their rows, and the log's last id."""
    run_demo(app, reports=reports, seed=seed)
    p = Projections(app)
    p.rebuild(parts=1)
    return p, snapshot(p), p.log.max_id()


def _crash_after(commits: int) -> Callable[[str, int, int], None]:
    left = [commits]

    def progress(name: str, position: int, top: int) -> None:
        if name == "daily":
            left[0] -= 1
            if left[0] == 0:
                raise Crash

    return progress


class TestSQLite(SQLiteBackend, PartsBehaviour):
    pass


@pytest.mark.postgres
class TestPostgres(PostgresBackend, PartsBehaviour):
    pass
